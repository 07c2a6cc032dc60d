"""/metrics in the Prometheus text format: requests by endpoint and status, latency, query timeouts.

Under gunicorn every worker process counts its own requests; `innograph serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder so that a scrape, whichever worker answers it, adds
up all of them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

blueprint = Blueprint("metrics", __name__)

REQUESTS = Counter("innograph_requests_total", "HTTP requests answered", ["endpoint", "status"])
LATENCY = Histogram("innograph_request_seconds", "Time to answer an HTTP request", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
QUERY_TIMEOUTS = Counter("innograph_query_timeouts_total", "Queries stopped at the time limit")


def instrument(app: Flask) -> None:
    """Count and time every request of `app`."""

    @app.before_request
    def start_timer() -> None:
        g.innograph_started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        count(request.endpoint or "unknown", response.status_code, g.get("innograph_started", time.perf_counter()))
        return response


def count(endpoint: str, status: int, started: float) -> None:
    """One answered request of `endpoint`; `started` is its time.perf_counter() on arrival."""
    REQUESTS.labels(endpoint, str(status)).inc()
    LATENCY.labels(endpoint).observe(time.perf_counter() - started)


@blueprint.route("/metrics")
def metrics() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, content_type=CONTENT_TYPE_LATEST)
