"""`innograph serve` runs the endpoint under gunicorn with several worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from innograph.bootstrap import initialise
from innograph.config import Settings

from .backends import Stores
from .servers import free_port

pytestmark = pytest.mark.backends



def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server(stores: Stores) -> Iterator[tuple[str, subprocess.Popen]]:
    settings = Settings(store=stores.shared("serve"))
    initialise(settings)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", "from innograph.cli import main; main()", "--store",
                                settings.store, "serve", "--port", str(port), "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get_json(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the server did not start: {process.communicate()[1]}")
    yield base, process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def test_healthz_reports_the_store_generation_and_graphs(server) -> None:
    status, body = get_json(f"{server[0]}/healthz")
    assert status == 200 and body["status"] == "ok" and body["graphs"] == 4
    assert body["generation"].startswith("g")


def test_the_endpoint_answers_under_gunicorn(server) -> None:
    status, body = get_json(f"{server[0]}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
    assert status == 200 and body["boolean"] is True


def worker_pids(master: int) -> list[int]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in children.split()]


def test_a_killed_worker_is_replaced_and_requests_keep_being_served(server) -> None:
    base, process = server
    workers = worker_pids(process.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    for _ in range(20):
        assert get_json(f"{base}/healthz")[0] == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (len(worker_pids(process.pid)) < 2 or workers[0] in worker_pids(process.pid)):
        time.sleep(0.2)
    assert len(worker_pids(process.pid)) == 2 and workers[0] not in worker_pids(process.pid)


def test_metrics_add_up_the_requests_of_every_worker(server) -> None:
    base, _ = server
    for _ in range(10):
        get_json(f"{base}/sparql?query=ASK%7B%7D")
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
        text = response.read().decode()
    counts = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith("innograph_requests_total{") and 'endpoint="sparql.sparql"' in line
              and 'status="200"' in line]
    assert sum(counts) >= 10
    assert "innograph_request_seconds_bucket" in text
