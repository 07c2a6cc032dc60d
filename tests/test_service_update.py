"""SPARQL Update needs the write token; with it, updates and their entailments land together."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from innograph.config import Settings
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

from .conftest import WRITE_TOKEN as TOKEN

pytestmark = pytest.mark.backends

INSERT = """PREFIX ig: <https://w3id.org/innograph/def/>
INSERT DATA { GRAPH <https://w3id.org/innograph/id/graph/source/manual> {
  <https://w3id.org/innograph/id/organization/new-university> a ig:University } }"""


@pytest.fixture
def service(writable_service: tuple[str, Store]) -> tuple[str, Store]:
    base, store = writable_service
    return f"{base}/sparql", store


def post_update(endpoint: str, text: str, token: str | None = None, form: bool = False) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form else "application/sparql-update"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = urllib.parse.urlencode({"update": text}).encode() if form else text.encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint, data=data, headers=headers)) as response:
            return response.status
    except urllib.error.HTTPError as error:
        json.loads(error.read())  # every refusal is the JSON error shape
        return error.code


def dump(store: Store) -> bytes:
    return store.dump(syntax_for("nquads"))


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("wrong", 403), ("", 401)])
def test_an_update_without_the_right_token_changes_nothing(service, token, status) -> None:
    endpoint, store = service
    before = dump(store)
    assert post_update(endpoint, INSERT, token) == status
    assert dump(store) == before


@pytest.mark.parametrize("form", [False, True])
def test_an_update_with_the_token_lands_with_its_entailments(service, form: bool) -> None:
    endpoint, store = service
    assert post_update(endpoint, INSERT, TOKEN, form) == 204
    assert store.query("ASK { <https://w3id.org/innograph/id/organization/new-university> "
                       "a <http://www.w3.org/ns/org#Organization> }").boolean


def test_load_of_a_local_file_is_refused_even_with_the_token(service) -> None:
    endpoint, store = service
    before = dump(store)
    assert post_update(endpoint, "LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>", TOKEN) == 400
    assert dump(store) == before


def test_the_token_never_shows_in_the_settings_repr() -> None:
    assert TOKEN not in repr(Settings(write_token=TOKEN))


ENDLESS_UPDATE = """INSERT { GRAPH <https://w3id.org/innograph/id/graph/source/manual> { ?a <urn:p> ?d } }
WHERE { GRAPH ?one { ?a ?b ?c } GRAPH ?two { ?d ?e ?f } GRAPH ?three { ?g ?h ?i } }"""


@pytest.mark.embedded_only  # a server cannot be told to stop an update: it runs on there (README, server stores)
def test_an_over_long_update_is_stopped_at_the_time_limit_changes_nothing_and_the_next_write_lands(
        store_location: str) -> None:
    from innograph.bootstrap import initialise
    from innograph.service import create_app

    from .conftest import live_server

    settings = Settings(store=store_location, write_token=TOKEN, update_timeout=2.0)
    initialise(settings)
    store = open_store(settings.store)
    before = dump(store)
    app = create_app(settings)
    with live_server(app) as base:
        started = time.monotonic()
        assert post_update(f"{base}/sparql", ENDLESS_UPDATE, TOKEN) == 503
        assert time.monotonic() - started < 30
        assert dump(store) == before
        assert post_update(f"{base}/sparql", INSERT, TOKEN) == 204
    app.extensions["innograph.executor"].close()
    assert store.query("ASK { <https://w3id.org/innograph/id/organization/new-university> ?p ?o }").boolean
