"""The SPARQL 1.1 Protocol endpoint, driven over real HTTP on 127.0.0.1 by SPARQLWrapper and urllib."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.loader.pipeline import load
from innograph.service import create_app
from innograph.store import Store, open_store

from .backends import Stores
from .conftest import live_server

pytestmark = pytest.mark.backends

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
PREFIXES = "PREFIX ig: <https://w3id.org/innograph/def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
PER_BASE = PREFIXES + """SELECT ?base (COUNT(DISTINCT ?project) AS ?projects)
WHERE { ?base a ig:ResearchBase . OPTIONAL { ?project ig:partOf ?base } } GROUP BY ?base ORDER BY ?base"""
BASE_LABELS = PREFIXES + "CONSTRUCT { ?b rdfs:label ?l } WHERE { ?b a ig:ResearchBase ; rdfs:label ?l }"


@pytest.fixture(scope="module")
def demo_store(stores: Stores) -> tuple[Settings, Store]:
    settings = Settings(store=stores.shared("service"))
    initialise(settings)
    load(settings, [DEMO])
    return settings, open_store(settings.store)


@pytest.fixture(scope="module")
def endpoint(demo_store: tuple[Settings, Store]) -> Iterator[str]:
    """A real HTTP server on a free port of 127.0.0.1 serving the app; yields the endpoint URL."""
    with live_server(create_app(demo_store[0])) as base:
        yield f"{base}/sparql"


def request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {})) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get(endpoint: str, accept: str | None = None, **params: str) -> tuple[int, dict[str, str], bytes]:
    return request(f"{endpoint}?{urllib.parse.urlencode(params)}", headers={"Accept": accept} if accept else {})


@pytest.mark.parametrize("result_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_gets_the_store_s_own_answer_to_a_select(endpoint: str, demo_store, result_format) -> None:
    expected = demo_store[1].query(PER_BASE).rows
    client = SPARQLWrapper(endpoint)
    client.setQuery(PER_BASE)
    client.setReturnFormat(result_format)
    answer = client.query().convert()
    if result_format == JSON:
        rows = [(URIRef(b["base"]["value"]), Literal(int(b["projects"]["value"])))
                for b in answer["results"]["bindings"]]
    elif result_format == XML:
        rows = [(URIRef(r.getElementsByTagName("uri")[0].firstChild.data),
                 Literal(int(r.getElementsByTagName("literal")[0].firstChild.data)))
                for r in answer.getElementsByTagName("result")]
    else:
        separator = "," if result_format == CSV else "\t"
        lines = answer.decode("utf-8").strip().splitlines()[1:]
        rows = [(URIRef(a.strip("<>")), Literal(int(b.split("^^")[0].strip('"'))))
                for a, b in (line.split(separator) for line in lines)]
    assert rows == expected
    assert len(rows) == 8


def test_sparqlwrapper_asks(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIXES + "ASK { ?b a ig:ResearchBase ; rdfs:label '藏医药'@zh }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("syntax", ["turtle", "xml", "json-ld"])
def test_sparqlwrapper_constructs_the_same_graph_as_the_store(endpoint: str, demo_store, syntax: str) -> None:
    expected = Graph()
    for triple in demo_store[1].query(BASE_LABELS).triples:
        expected.add(triple)
    client = SPARQLWrapper(endpoint)
    client.setQuery(BASE_LABELS)
    client.setReturnFormat({"turtle": "turtle", "xml": XML, "json-ld": "json-ld"}[syntax])
    body = client.query().response.read()
    got = Graph().parse(data=body, format=syntax)
    assert len(got) == 16 and isomorphic(got, expected)


def test_describe_works_through_sparqlwrapper(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("DESCRIBE <https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine>")
    client.setReturnFormat("turtle")
    graph = Graph().parse(data=client.query().response.read(), format="turtle")
    assert (URIRef("https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine"), None, None) in graph


@pytest.mark.parametrize(("accept", "query", "expected"), [
    (None, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json"),
    ("", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
     "application/sparql-results+xml"),
    ("text/*", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv"),
    ("*/*", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
    ("application/ld+json", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "application/ld+json"),
    ("application/n-triples, text/turtle;q=0.1", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
     "application/n-triples"),
    ("text/csv; charset=utf-8", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv"),
    ("text/turtle;charset=UTF-8;q=0.9", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
    ("image/png", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", 406),
    ("text/turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", 406),
    ("application/sparql-results+json", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", 406),
])
def test_content_negotiation_honours_q_values_and_wildcards(endpoint: str, accept, query: str, expected) -> None:
    status, headers, body = get(endpoint, accept, query=query)
    if isinstance(expected, int):
        assert status == expected
        assert json.loads(body)["status"] == expected and "available" in json.loads(body)["message"]
    else:
        assert status == 200
        assert headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in headers.get("Vary", "")


def test_format_parameter_overrides_accept_for_browsers(endpoint: str) -> None:
    status, headers, _ = get(endpoint, "application/sparql-results+json", query="SELECT * WHERE {} ", format="tsv")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")


def test_queries_come_by_get_by_form_and_by_body(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/innograph/def/ResearchBase> }"
    answers = [
        get(endpoint, query=query),
        request(endpoint, data=urllib.parse.urlencode({"query": query}).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"}),
        request(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for status, _, body in answers:
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "8"


def test_the_default_graph_is_the_union_unless_the_request_names_a_dataset(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/innograph/def/Project> }"
    _, _, union = get(endpoint, query=query)
    assert json.loads(union)["results"]["bindings"][0]["n"]["value"] == "150"
    _, _, programme_only = get(endpoint, query=query,
                               **{"default-graph-uri": "https://w3id.org/innograph/id/graph/programme/5568"})
    assert json.loads(programme_only)["results"]["bindings"][0]["n"]["value"] == "0"


def test_a_malformed_query_gets_400_with_the_position_and_no_traceback(endpoint: str) -> None:
    status, headers, body = get(endpoint, query="SELECT * WHERE { ?s ?p }")
    error = json.loads(body)
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert error["error"] == "QueryError" and "1:" in error["message"]
    assert "Traceback" not in body.decode()


def test_two_queries_in_one_request_are_refused(endpoint: str) -> None:
    status, _, _ = request(f"{endpoint}?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400


def test_a_post_of_another_content_type_gets_415(endpoint: str) -> None:
    status, _, _ = request(endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert status == 415


def test_an_update_is_refused_and_changes_nothing(endpoint: str, demo_store) -> None:
    before = demo_store[1].triple_count()
    status, _, _ = request(endpoint, data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert status == 403
    assert demo_store[1].triple_count() == before


def test_a_body_over_the_cap_gets_413(endpoint: str) -> None:
    status, _, _ = request(endpoint, data=b"#" * (2 << 20), headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_cors_lets_browser_tools_of_other_agencies_read_answers(endpoint: str) -> None:
    _, headers, _ = get(endpoint, query="ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"
    preflight = urllib.request.Request(endpoint, method="OPTIONS",
                                       headers={"Origin": "https://example.org",
                                                "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(preflight) as response:
        assert response.status == 204 and "POST" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(("accept", "syntax"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                                ("application/rdf+xml", "xml")])
def test_get_without_a_query_describes_the_service(endpoint: str, accept: str, syntax: str) -> None:
    status, _, body = get(endpoint, accept)
    assert status == 200
    graph = Graph().parse(data=body, format=syntax)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = URIRef(endpoint)
    assert (service, URIRef(sd + "endpoint"), service) in graph
    assert (service, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    assert (service, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in graph
    names = set(graph.objects(None, URIRef(sd + "name")))
    assert URIRef("https://w3id.org/innograph/id/graph/source/demo") in names


def test_an_update_by_get_is_refused(endpoint: str) -> None:
    status, _, _ = get(endpoint, update="DROP ALL")
    assert status == 400


def test_a_direct_post_in_another_encoding_than_utf8_is_refused(endpoint: str) -> None:
    status, _, body = request(endpoint, data="ASK {}".encode("utf-16"),
                              headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert status == 400 and b"UTF-8" in body


def test_another_method_gets_405_in_the_json_shape_with_the_allowed_methods(endpoint: str) -> None:
    req = urllib.request.Request(endpoint, method="PUT", data=b"ASK {}")
    try:
        urllib.request.urlopen(req)
        raise AssertionError("PUT was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 405 and json.loads(error.read())["status"] == 405
        assert {"GET", "POST"} <= {method.strip() for method in error.headers["Allow"].split(",")}


def test_from_in_the_query_replaces_the_union_and_the_protocol_dataset_replaces_from(endpoint: str) -> None:
    query = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/innograph/id/graph/programme/5568> "
             "WHERE { ?s a <https://w3id.org/innograph/def/Project> }")
    _, _, body = get(endpoint, query=query)
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    _, _, body = get(endpoint, query=query, **{"default-graph-uri": "https://w3id.org/innograph/id/graph/source/demo"})
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "150"
