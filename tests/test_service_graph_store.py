"""The Graph Store HTTP Protocol: anyone reads a graph, only the write token changes one."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from innograph.store import Store
from innograph.store.rdfio import syntax_for

from .conftest import WRITE_TOKEN as TOKEN

pytestmark = pytest.mark.backends

GRAPH = "https://w3id.org/innograph/id/graph/source/manual"
TURTLE = b"""@prefix ig: <https://w3id.org/innograph/def/> .
<https://w3id.org/innograph/id/organization/gsp> a ig:Enterprise ;
    <http://www.w3.org/2000/01/rdf-schema#label> "GSP Co."@en ."""


@pytest.fixture
def service(writable_service: tuple[str, Store]) -> tuple[str, Store]:
    base, store = writable_service
    return f"{base}/rdf-graph-store", store


def call(url: str, method: str, graph: str | None = GRAPH, body: bytes | None = None, token: str | None = TOKEN,
         content_type: str = "text/turtle", accept: str = "text/turtle") -> tuple[int, bytes]:
    target = f"{url}?{urllib.parse.urlencode({'graph': graph})}" if graph else f"{url}?default"
    headers = {"Accept": accept}
    if body is not None:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(target, data=body, method=method, headers=headers)) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_put_creates_then_get_returns_the_same_graph(service) -> None:
    url, _ = service
    assert call(url, "PUT", body=TURTLE)[0] == 201
    status, body = call(url, "GET", token=None)
    assert status == 200
    assert isomorphic(Graph().parse(data=body, format="turtle"), Graph().parse(data=TURTLE, format="turtle"))
    assert call(url, "HEAD", token=None) == (200, b"")


def test_put_again_replaces_and_post_merges(service) -> None:
    url, store = service
    call(url, "PUT", body=TURTLE)
    assert call(url, "PUT", body=TURTLE)[0] == 204
    more = b'<https://w3id.org/innograph/id/organization/gsp> <http://www.w3.org/2000/01/rdf-schema#label> "GSP"@zh .'
    assert call(url, "POST", body=more, content_type="application/n-triples")[0] == 204
    assert store.triple_count(GRAPH) == 3
    assert store.query("ASK { ?o a <http://www.w3.org/ns/org#Organization> }",
                       {"o": URIRef("https://w3id.org/innograph/id/organization/gsp")}).boolean


def test_delete_drops_the_graph_and_a_missing_graph_is_404(service) -> None:
    url, store = service
    call(url, "PUT", body=TURTLE)
    assert call(url, "DELETE")[0] == 204
    assert GRAPH not in store.named_graphs()
    assert call(url, "GET", token=None)[0] == 404
    assert call(url, "DELETE")[0] == 404


@pytest.mark.parametrize(("method", "token", "status"), [("PUT", None, 401), ("PUT", "nope", 403),
                                                         ("POST", None, 401), ("DELETE", "nope", 403)])
def test_no_write_without_the_token(service, method: str, token, status: int) -> None:
    url, store = service
    before = store.dump(syntax_for("nquads"))
    assert call(url, method, body=None if method == "DELETE" else TURTLE, token=token)[0] == status
    assert store.dump(syntax_for("nquads")) == before


def test_a_broken_body_gets_400_with_its_line_and_nothing_changes(service) -> None:
    url, store = service
    before = store.dump(syntax_for("nquads"))
    status, body = call(url, "PUT", body=b"<a> <b> .")
    assert status == 400 and b"line 1" in body
    assert store.dump(syntax_for("nquads")) == before


def test_innograph_s_own_graphs_cannot_be_overwritten(service) -> None:
    url, _ = service
    assert call(url, "PUT", graph="https://w3id.org/innograph/id/graph/ontology", body=TURTLE)[0] == 403


def test_an_unknown_content_type_gets_415(service) -> None:
    url, _ = service
    assert call(url, "PUT", body=TURTLE, content_type="text/plain")[0] == 415


def test_the_default_graph_can_be_read(service) -> None:
    url, _ = service
    status, body = call(url, "GET", graph=None, token=None, accept="application/n-triples")
    assert status == 200 and body == b""


def test_queries_see_a_write_at_once_even_when_served_from_memory(service) -> None:
    url, _ = service
    ask = urllib.parse.urlencode({"query": "ASK { <https://w3id.org/innograph/id/organization/gsp> ?p ?o }"})
    endpoint = url.replace("/rdf-graph-store", "/sparql")
    with urllib.request.urlopen(f"{endpoint}?{ask}") as response:
        assert b"false" in response.read()
    call(url, "PUT", body=TURTLE)
    with urllib.request.urlopen(f"{endpoint}?{ask}") as response:
        assert b"true" in response.read()
