"""Queries are measured and checked before the engine sees them: no SSRF, no crash by nesting."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.errors import QueryError
from innograph.service import create_app
from innograph.service.guard import inspect_query

from .backends import Stores
from .conftest import live_server

pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def endpoint(stores: Stores) -> Iterator[str]:
    settings = Settings(store=stores.shared("guard"))
    initialise(settings)
    with live_server(create_app(settings)) as base:
        yield f"{base}/sparql"


def ask(endpoint: str, query: str) -> tuple[int, dict]:
    data = urllib.parse.urlencode({"query": query}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint, data=data)) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_query_nested_ten_thousand_levels_deep_gets_400_and_the_service_stays_up(endpoint: str) -> None:
    status, body = ask(endpoint, "SELECT * WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000)
    assert status == 400 and "nested 10000 levels" in body["message"]
    assert ask(endpoint, "ASK { ?s ?p ?o }") == (200, {"head": {}, "boolean": True})


def test_a_query_longer_than_the_limit_gets_400(endpoint: str) -> None:
    status, body = ask(endpoint, "ASK {}" + " " * 100_000)
    assert status == 400 and "limit is 100000" in body["message"]


@pytest.mark.parametrize("service", ["<http://169.254.169.254/latest/meta-data/>", "?endpoint"])
def test_service_outside_the_allowlist_is_refused(endpoint: str, service: str) -> None:
    query = f"SELECT * WHERE {{ BIND(<http://e/> AS ?endpoint) SERVICE {service} {{ ?s ?p ?o }} }}"
    status, body = ask(endpoint, query)
    assert status == 400 and "SERVICE" in body["message"]


def test_a_refused_service_is_never_contacted(endpoint: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        status, _ = ask(endpoint, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
        assert status == 400
        with pytest.raises(TimeoutError):
            listener.accept()


def test_service_hidden_in_a_subquery_or_optional_is_found(endpoint: str) -> None:
    status, _ = ask(endpoint, "SELECT * WHERE { OPTIONAL { { SELECT * WHERE { SERVICE SILENT <http://e/> "
                              "{ ?s ?p ?o } } } } }")
    assert status == 400


def test_the_word_service_in_a_string_or_comment_is_only_text(endpoint: str) -> None:
    status, _ = ask(endpoint, "# SERVICE <http://e/>\nSELECT * WHERE { BIND('SERVICE <http://e/> {}' AS ?x) }")
    assert status == 200


def test_an_allowlisted_endpoint_passes_the_check() -> None:
    settings = Settings(service_allowlist=("https://query.wikidata.org/sparql",))
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert inspect_query(query, settings) == "select"
    with pytest.raises(QueryError):
        inspect_query(query, Settings())


def test_a_query_the_checker_cannot_parse_may_not_use_service() -> None:
    with pytest.raises(QueryError, match="cannot be checked"):
        inspect_query("SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } } ) (", Settings())
