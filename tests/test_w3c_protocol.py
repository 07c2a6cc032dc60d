"""The W3C SPARQL 1.1 Protocol test suite, case by case, over real HTTP against /sparql on 127.0.0.1.

The cases are the `query_*`, `update_*` and `bad_*` entries of the rdf-tests protocol manifest,
copied unchanged into tests/w3c/protocol (see tests/w3c/SOURCE.md). Each test sends the requests
its manifest entry describes (method, path, headers and body are read from the copied manifest,
so they cannot drift from it) and checks the expected status, result format and ASK answer; the
tests add checks of their own on the result contents and on the store's state afterwards.

Adaptations, each the smallest the service needs:

- the manifest's `/sparql/` path prefix is replaced by this service's `/sparql` (the manifest
  asks a runner to do so), and `www.example` by the live server on 127.0.0.1;
- `ut:graphData` (data1.nt .. data3.nt) is loaded through the service before the requests: one
  SPARQL update, `INSERT DATA` into the graphs the labels name, with the write token (one store
  generation instead of one Graph Store PUT, and one generation, per file);
- every request that carries an update gets `Authorization: Bearer <write token>`: innograph
  refuses updates without it (README, "SPARQL service"), and without it the `bad_update_*`
  cases would get their 4xx for the wrong reason (401). Those cases therefore also require the
  refusal not to be 401/403/404, to be the service's JSON error, and to leave the store as it was.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.service import create_app
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

from .backends import Stores
from .conftest import WRITE_TOKEN, live_server

pytestmark = pytest.mark.backends

W3C = Path(__file__).parent / "w3c" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
CASE_NS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

# Every case this module implements; it must be exactly the manifest's list (checked on import).
CASES = (
    "query_post_form", "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
    "query_multiple_dataset", "query_get", "query_content_type_select", "query_content_type_ask",
    "query_content_type_describe", "query_content_type_construct", "update_dataset_default_graph",
    "update_dataset_default_graphs", "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
    "update_post_direct", "update_base_uri", "query_post_direct", "bad_query_method", "bad_multiple_queries",
    "bad_query_wrong_media_type", "bad_query_missing_form_type", "bad_query_missing_direct_type",
    "bad_query_non_utf8", "bad_query_syntax", "bad_update_get", "bad_multiple_updates",
    "bad_update_wrong_media_type", "bad_update_missing_form_type", "bad_update_non_utf8", "bad_update_syntax",
    "bad_update_dataset_conflict",
)

STATUS_CLASSES = {HTS.StatusCode2xx: range(200, 300), HTS.StatusCode3xx: range(300, 400),
                  HTS.StatusCode4xx: range(400, 500)}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
# The manifest's names: "expect one of: XML, JSON, CSV, TSV" and "one of: RDF/XML, Turtle, N-Triples, RDFa".
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
             "application/xhtml+xml": "rdfa", "text/html": "rdfa"}


@dataclass(frozen=True)
class Step:
    """One ht:Request of a case and what its ht:Response must be."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: tuple[range, ...]
    expected_format: str | None = None
    expected_boolean: bool | None = None

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name), None)


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    graph_data: tuple[tuple[str, str], ...]  # (file in tests/w3c/protocol, graph IRI)
    steps: tuple[Step, ...]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    media_type: str = field(init=False)

    def __post_init__(self) -> None:
        self.media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _status_ranges(graph: Graph, response: Node) -> tuple[range, ...]:
    ranges = []
    for status in graph.objects(response, MF.expectedStatus):
        assert status in STATUS_CLASSES, f"the runner does not know the status {status}"
        ranges.append(STATUS_CLASSES[status])
    return tuple(ranges)


def _step(graph: Graph, request: Node) -> Step:
    headers = tuple((str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
                    for h in Collection(graph, graph.value(request, HT.headers) or RDF.nil))
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return Step(method=str(graph.value(request, HT.methodName)), path=str(graph.value(request, HT.absolutePath)),
                headers=headers, body=body, statuses=_status_ranges(graph, response),
                expected_format=None if expected_format is None else str(expected_format),
                expected_boolean=None if expected_boolean is None else bool(expected_boolean.toPython()))


def read_manifest(path: Path) -> dict[str, Case]:
    """The manifest's cases in order, each with its requests, from the copied Turtle file."""
    graph = Graph().parse(path, format="turtle", publicID=CASE_NS)
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = {}
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        data = tuple(sorted((str(graph.value(d, UT.graph)).rsplit("/", 1)[-1], str(graph.value(d, RDFS.label)))
                            for d in graph.objects(entry, UT.graphData)))
        requests = Collection(graph, graph.value(graph.value(entry, MF.action), HT.requests))
        name = str(entry).removeprefix(CASE_NS)
        cases[name] = Case(name, str(graph.value(entry, MF.name)), data, tuple(_step(graph, r) for r in requests))
    return cases


MANIFEST = read_manifest(W3C / "manifest.ttl")
assert set(MANIFEST) == set(CASES), (
    f"manifest cases without a test: {sorted(set(MANIFEST) - set(CASES))}; "
    f"tests without a manifest case: {sorted(set(CASES) - set(MANIFEST))}")
assert len(CASES) == len(set(CASES)) == 34


# ---------------------------------------------------------------------------------------------
# Running a case


def send(base: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
         ) -> Answer:
    """One request, exactly as given: http.client adds no Content-Type or Accept of its own."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def local_path(manifest_path: str) -> str:
    """The manifest's `/sparql/...` on this service's endpoint, which is `/sparql` (no trailing slash)."""
    assert manifest_path.startswith("/sparql/"), manifest_path
    return "/sparql" + manifest_path.removeprefix("/sparql/")


def carries_update(step: Step) -> bool:
    """Whether a request of an update case sends the update (and not the query that checks it)."""
    return (step.header("content-type") or "").lower() != "application/sparql-query"


def perform(base: str, step: Step, token: str | None = None) -> Answer:
    headers = dict(step.headers)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return send(base, step.method, local_path(step.path), headers, step.body)


def boolean_of(answer: Answer) -> bool:
    if answer.media_type == "application/sparql-results+json":
        return json.loads(answer.body)["boolean"]
    root = ET.fromstring(answer.body)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert found is not None, answer.body
    return found.text.strip() == "true"


def rows_of(answer: Answer) -> list[dict[str, str]]:
    """SELECT results as {variable: lexical form}, from any of the four tabular formats."""
    if answer.media_type == "application/sparql-results+json":
        document = json.loads(answer.body)
        return [{k: v["value"] for k, v in row.items()} for row in document["results"]["bindings"]]
    if answer.media_type == "application/sparql-results+xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return [{b.get("name"): "".join(b.itertext()).strip() for b in result.iter(f"{ns}binding")}
                for result in ET.fromstring(answer.body).iter(f"{ns}result")]
    delimiter = "," if answer.media_type == "text/csv" else "\t"
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8")), delimiter=delimiter))
    names = [n.lstrip("?") for n in rows[0]]
    return [dict(zip(names, (v.split("^^")[0].strip('"') for v in row), strict=True)) for row in rows[1:]]


def graph_of(answer: Answer, base: str) -> Graph:
    return Graph().parse(data=answer.body, format=RDF_TYPES[answer.media_type], publicID=f"{base}/sparql")


def check(step: Step, answer: Answer) -> None:
    """The manifest's expectations of one response: status, format, and ASK answer."""
    assert any(answer.status in r for r in step.statuses), (
        f"{step.method} {step.path}: status {answer.status}, expected one of "
        f"{[f'{r.start // 100}xx' for r in step.statuses]}; body: {answer.body[:300]!r}")
    if step.expected_format == "boolean":
        assert answer.media_type in BOOLEAN_TYPES, answer.media_type
    elif step.expected_format == "tabular":
        assert answer.media_type in TABULAR_TYPES, answer.media_type
    elif step.expected_format == "RDF":
        assert answer.media_type in RDF_TYPES, answer.media_type
    else:
        assert step.expected_format is None, f"the runner does not know the format {step.expected_format}"
    if step.expected_boolean is not None:
        assert boolean_of(answer) is step.expected_boolean, answer.body


def run_case(base: str, name: str) -> list[Answer]:
    """Load the case's data, send its requests in order and check each response."""
    case = MANIFEST[name]
    if case.graph_data:
        load_graphs(base, {graph: (W3C / file).read_bytes() for file, graph in case.graph_data})
    is_update_case = name.startswith(("update_", "bad_update_")) or name == "bad_multiple_updates"
    answers = []
    for step in case.steps:
        answer = perform(base, step, WRITE_TOKEN if is_update_case and carries_update(step) else None)
        check(step, answer)
        answers.append(answer)
    return answers


# ---------------------------------------------------------------------------------------------
# Helpers that go through the service itself


KASEI = "http://kasei.us/2009/09/sparql/data/"


def load_graphs(base: str, graphs: dict[str, bytes]) -> None:
    """Load N-Triples files into named graphs through the service: one update with the write token
    (one store generation, where a Graph Store PUT per graph would publish one each)."""
    blocks = "\n".join(f"GRAPH <{graph}> {{\n{ntriples.decode('utf-8')}\n}}" for graph, ntriples in graphs.items())
    answer = send(base, "POST", "/sparql", {"Content-Type": "application/sparql-update",
                                            "Authorization": f"Bearer {WRITE_TOKEN}"},
                  f"INSERT DATA {{\n{blocks}\n}}".encode())
    assert answer.status == 204, answer.body


def ask(base: str, query: str) -> bool:
    answer = send(base, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                  {"Accept": "application/sparql-results+json"})
    assert answer.status == 200, answer.body
    return json.loads(answer.body)["boolean"]


def select(base: str, query: str) -> list[dict[str, str]]:
    answer = send(base, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                  {"Accept": "application/sparql-results+json"})
    assert answer.status == 200, answer.body
    return rows_of(answer)


def dump(store: Store) -> bytes:
    return store.dump(syntax_for("nquads"))


@pytest.fixture
def service(writable_service: tuple[str, Store]) -> tuple[str, Store]:
    """A fresh live service on 127.0.0.1 that takes writes with the test token: (base URL, store)."""
    return writable_service


@pytest.fixture(scope="module")
def shared_service(stores: Stores) -> Iterator[tuple[str, Store]]:
    """Like `writable_service`, but one for the module: for the cases that write nothing (queries that
    load no data, and the bad_* cases, which check that the store stays as it was). It saves a store
    initialisation and a query process per case, which keeps the module well under a minute."""
    settings = Settings(store=stores.shared("w3c-protocol"), write_token=WRITE_TOKEN)
    initialise(settings)
    app = create_app(settings)
    with live_server(app) as base:
        yield base, open_store(settings.store)
    app.extensions["innograph.executor"].close()


GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def refused_and_unchanged(base: str, store: Store, name: str) -> None:
    """A bad_* case: the manifest's 4xx, for the protocol's reason (not the token, not a wrong path),
    as the service's JSON error, and nothing written (innograph's own graphs would show a CLEAR)."""
    sizes, before = select(base, GRAPH_SIZES), dump(store)
    assert sizes, "the store holds innograph's own graphs"
    (answer,) = run_case(base, name)
    assert answer.status not in (401, 403, 404), (answer.status, answer.body)
    error = json.loads(answer.body)
    assert set(error) == {"error", "status", "message"} and error["status"] == answer.status, error
    assert select(base, GRAPH_SIZES) == sizes
    assert dump(store) == before


# ---------------------------------------------------------------------------------------------
# Queries


def test_query_post_form(shared_service) -> None:
    """query via URL-encoded POST"""
    base, _ = shared_service
    run_case(base, "query_post_form")


def test_query_dataset_default_graphs_get(service) -> None:
    """GET query with protocol-specified default graph"""
    base, _ = service
    run_case(base, "query_dataset_default_graphs_get")


def test_query_dataset_default_graphs_post(service) -> None:
    """POST query with protocol-specified default graphs"""
    base, _ = service
    run_case(base, "query_dataset_default_graphs_post")


def test_query_dataset_named_graphs_post(service) -> None:
    """POST query with protocol-specified named graphs"""
    base, _ = service
    run_case(base, "query_dataset_named_graphs_post")


def test_query_dataset_named_graphs_get(service) -> None:
    """GET query with protocol-specified named graphs"""
    base, _ = service
    run_case(base, "query_dataset_named_graphs_get")


def test_query_dataset_full(service) -> None:
    """query with protocol-specified dataset (both named and default graphs)"""
    base, _ = service
    run_case(base, "query_dataset_full")


def test_query_multiple_dataset(service) -> None:
    """query specifying dataset in both query string and protocol; test for use of protocol-specified dataset"""
    base, _ = service
    # true only if the protocol's named graphs win: with the query's FROM alone there is no named graph.
    run_case(base, "query_multiple_dataset")


def test_query_get(shared_service) -> None:
    """query via GET"""
    base, _ = shared_service
    run_case(base, "query_get")


def test_query_content_type_select(shared_service) -> None:
    """query appropriate content type (expect one of: XML, JSON, CSV, TSV)"""
    base, _ = shared_service
    (answer,) = run_case(base, "query_content_type_select")
    assert rows_of(answer) == [{"value": "1"}]


def test_query_content_type_ask(shared_service) -> None:
    """query appropriate content type (expect one of: XML, JSON)"""
    base, _ = shared_service
    (answer,) = run_case(base, "query_content_type_ask")
    assert boolean_of(answer) is True


def test_query_content_type_describe(shared_service) -> None:
    """query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)"""
    base, _ = shared_service
    (answer,) = run_case(base, "query_content_type_describe")
    assert len(graph_of(answer, base)) == 0  # nothing is known about <http://example.org/>


def test_query_content_type_construct(shared_service) -> None:
    """query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)"""
    base, _ = shared_service
    (answer,) = run_case(base, "query_content_type_construct")
    (triple,) = graph_of(answer, base)
    # <s> and <p> are relative: whatever base the service chose, they come back as absolute IRIs.
    assert isinstance(triple[0], URIRef) and str(triple[0]).endswith("s")
    assert isinstance(triple[1], URIRef) and str(triple[1]).endswith("p")
    assert triple[2] == Literal(1)


def test_query_post_direct(shared_service) -> None:
    """query via POST directly"""
    base, _ = shared_service
    run_case(base, "query_post_direct")


# ---------------------------------------------------------------------------------------------
# Updates

# The protocol's using-graph-uri and using-named-graph-uri parameters stand for USING and USING NAMED
# clauses. innograph reads neither: pyoxigraph's Store.update takes no dataset, so the service would have
# to read them (URL query, and the form for a form POST), add them as USING / USING NAMED to each
# DELETE/INSERT operation, and answer 400 when the update already has USING, USING NAMED or WITH.
NO_USING = "innograph ignores the update parameters using-graph-uri and using-named-graph-uri; "


def test_update_dataset_default_graph(service) -> None:
    """update with protocol-specified default graph"""
    base, _ = service
    run_case(base, "update_dataset_default_graph")


def test_update_dataset_default_graphs(service) -> None:
    """update with protocol-specified default graphs"""
    base, _ = service
    run_case(base, "update_dataset_default_graphs")


def test_update_dataset_named_graphs(service) -> None:
    """update with protocol-specified named graphs"""
    base, _ = service
    run_case(base, "update_dataset_named_graphs")


def test_update_dataset_full(service) -> None:
    """update with protocol-specified dataset (both named and default graphs)"""
    base, _ = service
    run_case(base, "update_dataset_full")


def cleared_everything(base: str, name: str) -> None:
    """CLEAR ALL: data1 (loaded first) and innograph's own graphs are empty afterwards."""
    load_graphs(base, {KASEI + "data1.rdf": (W3C / "data1.nt").read_bytes()})
    assert ask(base, f"ASK {{ GRAPH <{KASEI}data1.rdf> {{ ?s ?p ?o }} }}")
    run_case(base, name)
    assert select(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g") == []


def test_update_post_form(service) -> None:
    """update via URL-encoded POST"""
    base, _ = service
    cleared_everything(base, "update_post_form")


def test_update_post_direct(service) -> None:
    """update via POST directly"""
    base, _ = service
    cleared_everything(base, "update_post_direct")


def test_update_base_uri(service) -> None:
    """test for service-defined BASE URI ("which MAY be the service endpoint")"""
    base, _ = service
    run_case(base, "update_base_uri")


# ---------------------------------------------------------------------------------------------
# Requests the protocol says to refuse


def test_bad_query_method(shared_service) -> None:
    """invoke query operation with a method other than GET or POST"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_method")


def test_bad_multiple_queries(shared_service) -> None:
    """invoke query operation with more than one query string"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_multiple_queries")


def test_bad_query_wrong_media_type(shared_service) -> None:
    """invoke query operation with a POST with media type that's not url-encoded or application/sparql-query"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_wrong_media_type")


def test_bad_query_missing_form_type(shared_service) -> None:
    """invoke query operation with url-encoded body, but without application/x-www-form-urlencoded media type"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_missing_form_type")


def test_bad_query_missing_direct_type(shared_service) -> None:
    """invoke query operation with SPARQL body, but without application/sparql-query media type"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_missing_direct_type")


def test_bad_query_non_utf8(shared_service) -> None:
    """invoke query operation with direct POST, but with a non-UTF8 encoding (UTF-16)"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_non_utf8")


def test_bad_query_syntax(shared_service) -> None:
    """invoke query operation with invalid query syntax (4XX result)"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_query_syntax")


def test_bad_update_get(shared_service) -> None:
    """invoke update operation with GET"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_update_get")


def test_bad_multiple_updates(shared_service) -> None:
    """invoke update operation with more than one update string"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_multiple_updates")


def test_bad_update_wrong_media_type(shared_service) -> None:
    """invoke update operation with a POST with media type that's not url-encoded or application/sparql-update"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_update_wrong_media_type")


def test_bad_update_missing_form_type(shared_service) -> None:
    """invoke update operation with url-encoded body, but without application/x-www-form-urlencoded media type"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_update_missing_form_type")


def test_bad_update_non_utf8(shared_service) -> None:
    """invoke update operation with direct POST, but with a non-UTF8 encoding"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_update_non_utf8")


def test_bad_update_syntax(shared_service) -> None:
    """invoke update operation with invalid update syntax"""
    base, store = shared_service
    refused_and_unchanged(base, store, "bad_update_syntax")


def test_bad_update_dataset_conflict(service) -> None:
    """invoke update with both using-graph-uri/using-named-graph-uri parameter and USING/WITH clause"""
    base, store = service
    refused_and_unchanged(base, store, "bad_update_dataset_conflict")


# Each case has its test, and each test's docstring is the case's own mf:name.
for _name, _case in MANIFEST.items():
    _test = globals().get(f"test_{_name}")
    assert _test is not None, f"no test for the manifest case {_name}"
    assert _test.__doc__ == _case.label, f"test_{_name}'s docstring is not the case's name {_case.label!r}"
