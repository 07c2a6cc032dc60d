"""Expensive queries cannot take the real server down: each is stopped or bounded, and the service answers on.

Every test drives `innograph serve` (gunicorn, two sync workers) on the demo store with a 2 s time
limit, a 1,000-row cap and the default memory cap per query process (2 GiB), and ends by checking
that an ordinary query is answered again at once.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from innograph.config import Settings

from .servers import free_port

TIMEOUT = 2.0
"""INNOGRAPH_QUERY_TIMEOUT of the server under test, in seconds."""
MARGIN = 3.0
"""How much later than the time limit a stopped query may be answered (the child is killed and reported)."""
RECOVERY = 2.0
"""How soon an ordinary query must be answered after a stopped one (a new query process starts)."""
ROW_CAP = 1000
WORKERS = 2

IG = "PREFIX ig: <https://w3id.org/innograph/def/>\n"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A cartesian product of the whole store three times: about 10^11 rows to count on the demo data."""
ORDINARY = IG + "SELECT (COUNT(*) AS ?n) WHERE { ?p a ig:Project }"
CHECKS = itertools.count()
TIME_LIMIT_MESSAGE = f"time limit of {TIMEOUT:g} s"



@contextmanager
def innograph_serve(store: str, log: Path, workers: int = WORKERS,
                    **settings: object) -> Iterator[tuple[str, subprocess.Popen]]:
    """`innograph serve` over `store` on a free port, with INNOGRAPH_<KEY> set from `settings`; yields its URL
    and the gunicorn master process. It is stopped at once at the end (a worker may still be busy)."""
    port = free_port()
    environment = {**os.environ, **{f"INNOGRAPH_{key.upper()}": str(value) for key, value in settings.items()}}
    command = [sys.executable, "-c", "from innograph.cli import main; main()", "--store", store, "serve",
               "--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _healthy(base):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


def sparql(base: str, query: str, accept: str = "application/sparql-results+json", *, body: str = "form",
           timeout: float = 30) -> Answer:
    """POST a query as a form (or as a direct `application/sparql-query` body), or GET it; the timed answer."""
    headers = {"Accept": accept}
    if body == "form":
        data: bytes | None = urllib.parse.urlencode({"query": query}).encode()
        url = f"{base}/sparql"
    elif body == "direct":
        data, url = query.encode(), f"{base}/sparql"
        headers["Content-Type"] = "application/sparql-query"
    else:
        data, url = None, f"{base}/sparql?{urllib.parse.urlencode({'query': query})}"
    return fetch(urllib.request.Request(url, data=data, headers=headers), timeout)


def fetch(request: urllib.request.Request | str, timeout: float = 30) -> Answer:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read(), time.monotonic() - started)
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read(), time.monotonic() - started)


def assert_still_serving(base: str) -> None:
    """The service answers an ordinary query at once, and its health. Each call's text is new (a numbered
    comment), so no worker answers it from its kept answers: a query process has to run it."""
    answer = sparql(base, f"{ORDINARY}  # check {next(CHECKS)}")
    assert answer.status == 200, answer.body
    assert answer.seconds < RECOVERY, f"the next ordinary query took {answer.seconds:.1f} s"
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == 150
    assert fetch(f"{base}/healthz", timeout=5).status == 200


def assert_stopped_at_the_limit(answer: Answer) -> None:
    assert answer.status == 503, answer.body
    assert set(answer.json()) == {"error", "status", "message"}
    assert TIME_LIMIT_MESSAGE in answer.json()["message"]
    assert TIMEOUT <= answer.seconds < TIMEOUT + MARGIN, f"stopped after {answer.seconds:.1f} s"


@contextmanager
def every_worker_busy(base: str) -> Iterator[list[Answer]]:
    """ENDLESS sent to every worker at once; the block runs while they work, and the answers come after it."""
    answers: list[Answer] = []
    threads = [threading.Thread(target=lambda: answers.append(sparql(base, ENDLESS))) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # each worker has accepted its query and is waiting on its query process
    try:
        yield answers
    finally:
        for thread in threads:
            thread.join()


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("hardening-queries") / "serve.log"
    with innograph_serve(demo_settings.store, log, query_timeout=TIMEOUT, result_row_cap=ROW_CAP) as (base, _):
        assert sparql(base, "ASK {}").status == 200
        yield base


def test_with_every_worker_busy_each_query_is_stopped_at_the_limit_and_the_next_is_served_at_once(
        server: str) -> None:
    with every_worker_busy(server) as answers:
        pass
    assert len(answers) == WORKERS
    for answer in answers:  # all stopped near the limit, so they ran side by side, one per worker
        assert_stopped_at_the_limit(answer)
    for _ in range(2 * WORKERS):
        assert_still_serving(server)


def test_healthz_answers_within_a_second_while_every_worker_is_busy(server: str) -> None:
    with every_worker_busy(server):
        answer = fetch(f"{server}/healthz", timeout=1.0)
        assert answer.status == 200 and answer.seconds < 1.0
    assert_still_serving(server)


DEEP_PATHS = {
    "every predicate both ways, repeated, over a cyclic graph":
        "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>|^!<urn:x:none>)* ?o }",
    "collaboration chains nested in stars":
        IG + "SELECT (COUNT(*) AS ?n) WHERE { ?s ((ig:collaboratesWith/ig:collaboratesWith)*/"
             "(ig:collaboratesWith|^ig:collaboratesWith)*/(ig:collaboratesWith/^ig:collaboratesWith)*)* ?o }",
    "stars nested 95 levels deep, under the nesting limit":
        "SELECT (COUNT(*) AS ?n) WHERE { ?s " + "(" * 95 + "!<urn:x:none>" + ")*" * 95 + " ?o }",
}


@pytest.mark.parametrize("query", DEEP_PATHS.values(), ids=DEEP_PATHS.keys())
def test_a_deep_property_path_is_answered_or_stopped_at_the_limit(server: str, query: str) -> None:
    answer = sparql(server, query)
    if answer.status == 503:
        assert_stopped_at_the_limit(answer)
    else:
        assert answer.status == 200 and answer.seconds < TIMEOUT + MARGIN
    assert_still_serving(server)


def test_a_path_nested_deeper_than_the_limit_gets_400_before_the_engine_sees_it(server: str) -> None:
    answer = sparql(server, "SELECT * WHERE { ?s " + "(" * 150 + "<urn:x:p>" + ")*" * 150 + " ?o }")
    assert answer.status == 400 and "the limit is 100" in answer.json()["message"]
    assert answer.seconds < 1
    assert_still_serving(server)


def test_a_values_block_of_200000_rows_is_refused_by_the_length_cap_before_parsing(server: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + "0 " * 200_000 + "} ?s ?p ?o }"
    answer = sparql(server, query)
    assert answer.status == 400 and "the limit is 100000" in answer.json()["message"]
    assert answer.seconds < 1  # parsing this text would take rdflib about a minute
    assert_still_serving(server)


@pytest.mark.parametrize("how", ["form", "direct"])
def test_a_query_string_over_the_length_cap_gets_400_before_parsing(server: str, how: str) -> None:
    query = "ASK { FILTER(" + " || ".join(["true"] * 30_000) + ") }"  # 240,000 characters
    answer = sparql(server, query, body=how)
    assert answer.status == 400 and f"is {len(query)} characters long" in answer.json()["message"]
    assert answer.seconds < 1
    assert_still_serving(server)


def test_a_query_too_long_for_a_url_or_a_body_over_a_mebibyte_is_refused(server: str) -> None:
    assert sparql(server, "ASK {}" + " " * 200_000, body="get").status in (400, 414)
    assert sparql(server, "ASK {}" + " " * (2 << 20), body="direct").status == 413
    assert_still_serving(server)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_a_huge_select_is_cut_at_the_row_cap_and_says_so(server: str, accept: str) -> None:
    answer = sparql(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", accept)  # about 10^8 rows uncapped
    assert answer.status == 200 and answer.headers["Innograph-Rows-Cut"] == str(ROW_CAP)
    rows = (len(answer.json()["results"]["bindings"]) if accept.endswith("json")
            else answer.body.decode().count("\n") - 1)
    assert rows == ROW_CAP
    assert answer.seconds < TIMEOUT + MARGIN
    assert_still_serving(server)


def test_a_huge_construct_which_has_no_row_cap_is_stopped_at_the_limit(server: str) -> None:
    answer = sparql(server, "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples")
    assert_stopped_at_the_limit(answer)
    assert_still_serving(server)


def test_a_query_that_needs_more_memory_than_allowed_is_stopped_and_its_process_replaced(server: str) -> None:
    answer = sparql(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")  # sorts 10^8 rows
    assert answer.status == 503, answer.body
    message = answer.json()["message"]
    assert TIME_LIMIT_MESSAGE in message or "memory" in message or "died" in message
    assert answer.seconds < TIMEOUT + MARGIN
    assert_still_serving(server)


def test_an_unknown_function_is_a_400_and_does_not_cost_the_query_process(server: str) -> None:
    answer = sparql(server, "SELECT ?x WHERE { BIND(<http://example.org/no-such-function>(1) AS ?x) }")
    assert answer.status == 400, answer.body
    assert_still_serving(server)


def test_a_values_block_just_under_the_length_cap_is_answered_or_stopped_at_the_limit(server: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + "0 " * 49_000 + "} ?s ?p ?o }"
    assert len(query) < 100_000
    answer = sparql(server, query, timeout=TIMEOUT + MARGIN)  # a socket timeout here is the failure
    assert answer.status in (200, 503) and answer.seconds < TIMEOUT + MARGIN
    assert_still_serving(server)
