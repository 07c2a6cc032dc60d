"""Over-long and crashing queries are stopped in their own process; the service answers on."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.service import create_app

from .backends import Stores
from .conftest import live_server

pytestmark = pytest.mark.backends

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def app(stores: Stores) -> Iterator[Flask]:
    settings = Settings(store=stores.shared("limits"), query_timeout=2.0)
    initialise(settings)
    yield create_app(settings)
    stores.retire(settings.store)


@pytest.fixture(scope="module")
def base(app: Flask) -> Iterator[str]:
    with live_server(app) as url:
        yield url
    app.extensions["innograph.executor"].close()


def query(base: str, text: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': text})}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), time.monotonic() - started


def test_an_over_long_query_is_stopped_at_the_limit_with_503_and_the_next_is_served(base: str) -> None:
    status, body, seconds = query(base, ENDLESS)
    assert status == 503 and "time limit of 2 s" in body["message"]
    assert 2 <= seconds < 10
    status, body, _ = query(base, "ASK { ?s ?p ?o }")
    assert status == 200 and body["boolean"] is True


def test_health_is_answered_while_a_query_runs(base: str) -> None:
    worker = threading.Thread(target=query, args=(base, ENDLESS))
    worker.start()
    time.sleep(0.5)
    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
        assert response.status == 200
    worker.join()


def test_a_query_process_that_dies_is_reported_and_replaced(app: Flask, base: str) -> None:
    assert query(base, "ASK {}")[0] == 200
    executor = app.extensions["innograph.executor"]
    pid = executor._process.pid

    def kill_soon() -> None:
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill_soon).start()
    status, body, _ = query(base, ENDLESS)
    assert status == 503 and "died" in body["message"]
    status, _, _ = query(base, "ASK { ?s a ?type }")  # not asked before, so not a kept answer: a process runs it
    assert status == 200 and executor._process.pid != pid
