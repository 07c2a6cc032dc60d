"""/sparql keeps answers per version of the data: a repeated request is answered from the kept bytes,
and any write that publishes new data makes every kept answer unreachable."""

from __future__ import annotations

import dataclasses
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from innograph.config import Settings
from innograph.service import create_app
from innograph.store import Store

from .conftest import WRITE_TOKEN, live_server

pytestmark = pytest.mark.backends

SPARQL_JSON = "application/sparql-results+json"
UNIVERSITIES = """PREFIX ig: <https://w3id.org/innograph/def/>
SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?u a ig:University }"""
NEW_UNIVERSITY = """PREFIX ig: <https://w3id.org/innograph/def/>
INSERT DATA { GRAPH <https://w3id.org/innograph/id/graph/source/manual> {
  <https://w3id.org/innograph/id/organization/new-university> a ig:University } }"""


def ask(endpoint: str, query: str, accept: str = SPARQL_JSON, headers: dict[str, str] | None = None,
        **parameters: str) -> tuple[int, dict[str, str], bytes]:
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query, **parameters})}"
    try:
        request = urllib.request.Request(url, headers={"Accept": accept, **(headers or {})})
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def universities(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def service(writable_service: tuple[str, Store]) -> tuple[str, Store]:
    base, store = writable_service
    return f"{base}/sparql", store


def test_a_repeated_query_is_answered_from_the_kept_answer_with_the_same_bytes(service) -> None:
    endpoint, _ = service
    status, first_headers, first = ask(endpoint, UNIVERSITIES)
    assert (status, first_headers["Innograph-Cache"]) == (200, "miss")
    status, again_headers, again = ask(endpoint, UNIVERSITIES)
    assert (status, again_headers["Innograph-Cache"]) == (200, "hit")
    assert again == first
    assert again_headers["Content-Type"] == first_headers["Content-Type"]


def test_a_kept_answer_has_every_header_of_the_computed_one(service) -> None:
    """Kept answers are sent before Flask runs (service/kept_answers.py), so check they lose nothing."""
    endpoint, _ = service
    query = UNIVERSITIES + "  # headers"
    (_, computed, _), (_, kept, _) = ask(endpoint, query), ask(endpoint, query)
    assert (computed["Innograph-Cache"], kept["Innograph-Cache"]) == ("miss", "hit")
    differ = {"Date", "X-Request-Id", "Innograph-Cache"}
    assert {k: v for k, v in kept.items() if k not in differ} == {k: v for k, v in computed.items() if k not in differ}
    assert kept["Access-Control-Allow-Origin"] == "*" and kept["Vary"] == "Accept"
    assert kept["X-Content-Type-Options"] == "nosniff"


def test_a_kept_answer_is_logged_with_the_clients_request_id_and_counted(service, caplog) -> None:
    caplog.set_level(logging.INFO, logger="innograph.requests")
    endpoint, _ = service
    query = UNIVERSITIES + "  # logged"
    before = answered_queries(endpoint)
    for trace in ("trace-1", "trace-2"):
        _, headers, _ = ask(endpoint, query, headers={"X-Request-Id": trace})
        assert headers["X-Request-Id"] == trace
    assert headers["Innograph-Cache"] == "hit"
    (line,) = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-2"]
    assert (line.method, line.path, line.status) == ("GET", "/sparql", 200)
    assert line.response_bytes == len(ask(endpoint, query)[2]) and line.query_length > len(query)
    assert answered_queries(endpoint) == before + 3  # the two above and the one in the assertion


def answered_queries(endpoint: str) -> float:
    """innograph_requests_total of /sparql with status 200, read from /metrics."""
    with urllib.request.urlopen(endpoint.replace("/sparql", "/metrics")) as response:
        text = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("innograph_requests_total{") and 'endpoint="sparql.sparql"' in line
               and 'status="200"' in line)


def test_the_same_query_sent_to_another_address_is_answered_for_that_address(service) -> None:
    """A relative IRI resolves against the address the client used, so that address is part of the key."""
    endpoint, _ = service
    query = "SELECT ?here WHERE { BIND(<here> AS ?here) }"
    port = urllib.parse.urlsplit(endpoint).port
    answers = [ask(endpoint, query, headers={"Host": host}) for host in
               (f"127.0.0.1:{port}", f"127.0.0.1:{port}", f"localhost:{port}")]
    assert [headers["Innograph-Cache"] for _, headers, _ in answers] == ["miss", "hit", "miss"]
    assert [json.loads(body)["results"]["bindings"][0]["here"]["value"] for _, _, body in answers] == [
        f"http://127.0.0.1:{port}/here", f"http://127.0.0.1:{port}/here", f"http://localhost:{port}/here"]


def test_another_format_or_dataset_is_another_answer(service) -> None:
    endpoint, _ = service
    ask(endpoint, UNIVERSITIES)
    status, headers, body = ask(endpoint, UNIVERSITIES, "text/csv")
    assert (status, headers["Innograph-Cache"]) == (200, "miss")
    assert headers["Content-Type"].startswith("text/csv") and body.splitlines()[0] == b"n"
    status, headers, body = ask(endpoint, UNIVERSITIES, **{"default-graph-uri": "urn:innograph:no-such-graph"})
    assert (status, headers["Innograph-Cache"]) == (200, "miss")
    assert universities(body) == 0


def test_a_write_makes_kept_answers_unreachable(service) -> None:
    endpoint, _ = service
    _, _, before = ask(endpoint, UNIVERSITIES)
    ask(endpoint, UNIVERSITIES)  # kept
    request = urllib.request.Request(endpoint, data=NEW_UNIVERSITY.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {WRITE_TOKEN}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 204
    status, headers, after = ask(endpoint, UNIVERSITIES)
    assert (status, headers["Innograph-Cache"]) == (200, "miss")
    assert universities(after) == universities(before) + 1


@pytest.mark.parametrize(("query", "accept", "status"), [
    ("SELECT * WHERE { ?s ?p }", SPARQL_JSON, 400),                    # malformed
    ("ASK { ?s ?p ?o }", "text/turtle", 406),                           # no graph format for a boolean
    ("SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }", SPARQL_JSON, 400),  # refused
])
def test_a_refusal_is_never_kept_and_is_given_again(service, query: str, accept: str, status: int) -> None:
    endpoint, _ = service
    for _ in range(2):
        answered, headers, body = ask(endpoint, query, accept)
        assert answered == status and "Innograph-Cache" not in headers
        assert "error" in json.loads(body)


@contextmanager
def endpoint_with(settings: Settings, **changes: int) -> Iterator[str]:
    """/sparql of a live app over `settings` with `changes`; its query process is stopped afterwards."""
    app = create_app(dataclasses.replace(settings, **changes))
    with live_server(app) as base:
        yield f"{base}/sparql"
    app.extensions["innograph.executor"].close()


@pytest.fixture(scope="module")
def uncached_endpoint(demo_settings: Settings) -> Iterator[str]:
    with endpoint_with(demo_settings, answer_cache_mb=0) as endpoint:
        yield endpoint


def test_answer_cache_mb_0_keeps_nothing(uncached_endpoint: str) -> None:
    assert [ask(uncached_endpoint, UNIVERSITIES)[1]["Innograph-Cache"] for _ in range(2)] == ["miss", "miss"]


@pytest.fixture(scope="module")
def capped_endpoint(demo_settings: Settings) -> Iterator[str]:
    with endpoint_with(demo_settings, result_row_cap=3) as endpoint:
        yield endpoint


def test_a_kept_answer_that_was_cut_still_says_so(capped_endpoint: str) -> None:
    query = "PREFIX ig: <https://w3id.org/innograph/def/>\nSELECT ?p WHERE { ?p a ig:Project } ORDER BY ?p"
    answers = [ask(capped_endpoint, query) for _ in range(2)]
    assert [headers["Innograph-Cache"] for _, headers, _ in answers] == ["miss", "hit"]
    assert [headers.get("Innograph-Rows-Cut") for _, headers, _ in answers] == ["3", "3"]
    assert len(json.loads(answers[1][2])["results"]["bindings"]) == 3
