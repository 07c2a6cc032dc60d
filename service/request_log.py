"""One log line per request, with a request id, and never a token, a query or a body.

Operators need to follow a request from the proxy to a 500's traceback, so every request gets an
id (the client's `X-Request-Id` when it is a short plain token, else a new one), echoed in the
response and attached to every log record written while the request is served. The line names
the method, the path without its query string, the status, the time and the sizes: query strings
and bodies hold SPARQL text and data, and headers hold the write token, so none of them is logged.
With `log_format = "json"` each line is one JSON object.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from innograph.config import Settings

log = logging.getLogger("innograph.requests")
REQUEST_ID_HEADER = "X-Request-Id"
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FIELDS = ("request_id", "method", "path", "status", "ms", "query_length", "response_bytes")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record written while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the request fields, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        document = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                    "logger": record.name, "message": record.getMessage()}
        document.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            document["traceback"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """Send innograph's records to stderr in the configured format, once per process."""
    logger = logging.getLogger("innograph")
    if any(getattr(h, "innograph", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.innograph = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def request_id(offered: str | None) -> str:
    """The client's id when it is a short plain token, else a new one."""
    return offered if offered and CLIENT_REQUEST_ID.match(offered) else uuid.uuid4().hex


def log_request(request_id: str, method: str, path: str, status: int, started: float, query_length: int,
                response_bytes: int | None) -> None:
    """The request's one line; `started` is its time.perf_counter() on arrival."""
    elapsed = (time.perf_counter() - started) * 1000
    fields = {"request_id": request_id, "method": method, "path": path, "status": status, "ms": round(elapsed, 1),
              "query_length": query_length, "response_bytes": response_bytes}
    log.info("%s %s %s %.1f ms", method, path, status, elapsed, extra=fields)


def register_request_log(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        identifier = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = identifier
        started = g.get("started", time.perf_counter())
        log_request(identifier, request.method, request.path, response.status_code, started, len(request.query_string),
                    response.calculate_content_length())
        return response
