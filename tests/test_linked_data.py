"""Linked data: every minted IRI dereferences to its page or its RDF document, and the ontology to its own.

The expected statements are read from the demo CSV files and the programme graph (data/programme/5568.ttl)
by hand, never from the service's answers.
"""

from __future__ import annotations

import csv
import http.client
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, SKOS

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.service import create_app
from innograph.store import Store

from .conftest import WRITE_TOKEN, live_server

ID = "https://w3id.org/innograph/id/"
IG = Namespace("https://w3id.org/innograph/def/")
VOID_URI_SPACE = URIRef("http://rdfs.org/ns/void#uriSpace")
DEMO = Path(__file__).parents[1] / "data" / "demo"
ONTOLOGY_FILE = Path(__file__).parents[1] / "ontology" / "innograph.ttl"
SYNTAXES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
            "application/ld+json": "json-ld"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(base: str, path: str, accept: str | None = None, method: str = "GET",
          headers: dict[str, str] | None = None, body: bytes | None = None) -> Reply:
    """One request, sent as written (no redirect followed, no path normalised, no Accept unless given)."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request(method, path, body=body,
                           headers={**({"Accept": accept} if accept else {}), **(headers or {})})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def parsed(reply: Reply) -> Graph:
    media_type = reply.headers["content-type"].split(";")[0].strip()
    return Graph().parse(data=reply.body, format=SYNTAXES[media_type])


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


# --------------------------------------------------------------------------------------------------------------
# What the demo CSV files and the programme graph say, written out or read with the csv module
# --------------------------------------------------------------------------------------------------------------

def rows(table: str) -> list[dict[str, str]]:
    with open(DEMO / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def slug(text: str) -> str:
    """The loader's rule for identifiers, as its README states it: case-folded, non-letters become '-'."""
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")


def project(code: str) -> URIRef:
    return URIRef(f"{ID}project/{slug(code)}")


def organisation_named(key: str) -> URIRef:
    """An organisation named in participation.csv by credit code or by name."""
    for row in rows("organisations"):
        if key in (row["id"], row["name_en"]):
            return URIRef(f"{ID}organization/{slug(row['id'] or row['name_en'])}")
    raise KeyError(key)


def english_name(key: str) -> str:
    return next(r["name_en"] for r in rows("organisations") if key in (r["id"], r["name_en"]))


@dataclass
class Case:
    """A resource of one class, what it says, what says something of it, and labels of things it links."""

    rest: str
    kind: URIRef
    outbound: list[tuple[URIRef, URIRef | Literal]] = field(default_factory=list)
    inbound: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def iri(self) -> URIRef:
        return URIRef(ID + self.rest)


PROGRAMME = "programme/5568"
BUREAU = "organization/xining-municipal-science-and-technology-bureau"
PROJECT_CODE, LEAD_ID = "XN-2025-00001", "91630100A11HT34Y8R"


def component_case(rest: str, kind: str, code: str, label: str) -> Case:
    """A programme component: its code, its programme, and every demo project filed under it."""
    return Case(rest, IG[kind], [(IG.code, Literal(code)), (IG.isComponentOf, URIRef(ID + PROGRAMME)),
                                 (RDFS.label, Literal(label, lang="en"))],
                [(project(r["code"]), IG.partOf) for r in rows("projects") if r["component"] == code],
                {ID + PROGRAMME: '"5568" Science and Technology Innovation Project'})


def project_case() -> Case:
    row = next(r for r in rows("projects") if r["code"] == PROJECT_CODE)
    inbound = [(URIRef(f"{project(PROJECT_CODE)}/participation/{slug(p['organisation'])}"), IG.concernsProject)
               for p in rows("participation") if p["project"] == PROJECT_CODE]
    inbound += [(URIRef(f"{project(PROJECT_CODE)}/grant/{slug(f['grant_id'])}"), IG.funds)
                for f in rows("funding") if f["project"] == PROJECT_CODE]
    labels = {str(organisation_named(p["organisation"])): english_name(p["organisation"])
              for p in rows("participation") if p["project"] == PROJECT_CODE}
    labels[ID + "programme/5568/action/strategic-emerging-industry-cultivation"] = (
        "Strategic emerging industry cultivation action")
    return Case(f"project/{slug(PROJECT_CODE)}", IG.Project, [
        (RDFS.label, Literal(row["title_en"], lang="en")), (RDFS.label, Literal(row["title_zh"], lang="zh")),
        (IG.code, Literal(PROJECT_CODE)), (IG.startYear, Literal(int(row["start_year"]))),
        (IG.endYear, Literal(int(row["end_year"]))),
        (IG.partOf, URIRef(ID + "programme/5568/action/strategic-emerging-industry-cultivation")),
        (IG.hasFocusArea, URIRef(ID + "programme/5568/focus-area/suburban-plateau-agriculture"))], inbound, labels)


def organisation_case() -> Case:
    row = next(r for r in rows("organisations") if r["id"] == LEAD_ID)
    inbound = [(URIRef(f"{project(p['project'])}/participation/{slug(LEAD_ID)}"), IG.involvesOrganization)
               for p in rows("participation") if p["organisation"] == LEAD_ID]
    return Case(f"organization/{slug(LEAD_ID)}", IG.ResearchInstitute, [
        (RDFS.label, Literal(row["name_en"], lang="en")), (RDFS.label, Literal(row["name_zh"], lang="zh")),
        (IG.unifiedSocialCreditCode, Literal(LEAD_ID)), (IG.locatedIn, URIRef(ID + "place/xining/chengzhong"))],
        inbound, {ID + "place/xining/chengzhong": "Chengzhong District"})


def participation_case() -> Case:
    share = next(p["funding_share"] for p in rows("participation")
                 if p["project"] == PROJECT_CODE and p["organisation"] == LEAD_ID)
    return Case(f"project/{slug(PROJECT_CODE)}/participation/{slug(LEAD_ID)}", IG.Participation, [
        (IG.concernsProject, project(PROJECT_CODE)), (IG.involvesOrganization, organisation_named(LEAD_ID)),
        (IG.hasRole, IG.leadRole), (IG.fundingShare, Literal(Decimal(share)))],
        [(project(PROJECT_CODE), IG.hasParticipation)],
        {str(organisation_named(LEAD_ID)): english_name(LEAD_ID), str(IG.leadRole): "lead"})


def funding_case() -> Case:
    grant = next(f for f in rows("funding") if f["project"] == PROJECT_CODE)
    return Case(f"project/{slug(PROJECT_CODE)}/grant/{slug(grant['grant_id'])}", IG.Funding, [
        (IG.funds, project(PROJECT_CODE)), (IG.awardedBy, URIRef(ID + BUREAU)),
        (IG.amount, Literal(Decimal(grant["amount"]))), (IG.currency, Literal(grant["currency"])),
        (IG.year, Literal(int(grant["year"]))), (IG.code, Literal(grant["grant_id"]))],
        [(project(PROJECT_CODE), IG.fundedBy)],
        {ID + BUREAU: "Xining Municipal Science and Technology Bureau"})


def focus_area_case() -> Case:
    return Case("programme/5568/focus-area/suburban-plateau-agriculture", IG.FocusArea, [
        (IG.code, Literal("F03")), (SKOS.inScheme, URIRef(ID + "programme/5568/focus-areas"))],
        [(project(r["code"]), IG.hasFocusArea) for r in rows("projects") if "F03" in r["focus_areas"].split(";")],
        {ID + "programme/5568/focus-areas": 'Focus areas of the "5568" Science and Technology Innovation Project'})


def place_case() -> Case:
    return Case("place/xining/chengzhong", IG.District, [(IG.locatedIn, URIRef(ID + "place/xining"))],
                [(organisation_named(r["id"] or r["name_en"]), IG.locatedIn) for r in rows("organisations")
                 if r["location"] == "Chengzhong District"],
                {ID + "place/xining": "Xining"})


def programme_case() -> Case:
    components = [f"programme/5568/{part}" for part in (
        "action/strategic-emerging-industry-cultivation", "platform/innovation-incubation",
        "special-project/new-energy", "base/tibetan-medicine")]
    return Case(PROGRAMME, IG.Programme, [(IG.administeredBy, URIRef(ID + BUREAU)), (IG.code, Literal("5568")),
                                         *((IG.hasComponent, URIRef(ID + c)) for c in components)],
                [(URIRef(ID + c), IG.isComponentOf) for c in components],
                {ID + BUREAU: "Xining Municipal Science and Technology Bureau", ID + components[3]: "Tibetan medicine"})


CASES = {
    "programme": programme_case(),
    "action": component_case("programme/5568/action/strategic-emerging-industry-cultivation", "Action", "A1",
                             "Strategic emerging industry cultivation action"),
    "platform": component_case("programme/5568/platform/innovation-incubation", "Platform", "P4",
                               "Key-area S&T innovation incubation platform"),
    "special project": component_case("programme/5568/special-project/new-energy", "SpecialProject", "S2",
                                       "New energy"),
    "research base": component_case("programme/5568/base/tibetan-medicine", "ResearchBase", "B2",
                                     "Tibetan medicine"),
    "project": project_case(),
    "organisation": organisation_case(),
    "participation": participation_case(),
    "funding": funding_case(),
    "focus area": focus_area_case(),
    "place": place_case(),
}
ACCEPTS = {"text/html": "page", "application/xhtml+xml": "page", None: "page", "*/*": "page",
           "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "page",
           "text/turtle": "data", "application/n-triples": "data", "application/rdf+xml": "data",
           "application/ld+json": "data", "application/rdf+xml, text/rdf+n3;q=0.9, */*;q=0.1": "data"}


def test_every_case_is_a_demo_resource_with_inbound_links() -> None:
    assert all(case.inbound for case in CASES.values())
    assert len(CASES["research base"].inbound) == 10  # B2 files ten demo projects


# --------------------------------------------------------------------------------------------------------------
# /id/: 303 See Other by Accept
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", list(ACCEPTS), ids=lambda a: str(a))
@pytest.mark.parametrize("name", list(CASES))
def test_identifier_answers_303_to_the_page_or_the_document(service: str, name: str, accept: str | None) -> None:
    rest = CASES[name].rest
    reply = fetch(service, f"/id/{rest}", accept)
    assert reply.status == 303
    assert reply.headers["location"] == f"/{ACCEPTS[accept]}/{rest}"
    assert "accept" in reply.headers["vary"].lower()


def test_identifier_keeps_a_format_override_and_answers_head(service: str) -> None:
    rest = CASES["project"].rest
    assert fetch(service, f"/id/{rest}?format=ttl").headers["location"] == f"/data/{rest}?format=turtle"
    reply = fetch(service, f"/id/{rest}", "text/turtle", method="HEAD")
    assert (reply.status, reply.headers["location"], reply.body) == (303, f"/data/{rest}", b"")


# --------------------------------------------------------------------------------------------------------------
# /data/: the RDF document
# --------------------------------------------------------------------------------------------------------------

def values(graph: Graph, subject: URIRef, predicate: URIRef) -> set[object]:
    """Objects as Python values for literals (so 0.5 matches 0.50), as terms otherwise."""
    return {o.toPython() if isinstance(o, Literal) and o.language is None else o
            for o in graph.objects(subject, predicate)}


@pytest.mark.parametrize("media_type", list(SYNTAXES))
@pytest.mark.parametrize("name", list(CASES))
def test_document_holds_outbound_inbound_and_labels(service: str, name: str, media_type: str) -> None:
    case = CASES[name]
    reply = fetch(service, f"/data/{case.rest}", media_type)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(media_type)
    assert "accept" in reply.headers["vary"].lower()
    assert reply.headers["link"] == f'<{case.iri}>; rel="describes"'
    graph = parsed(reply)
    assert (case.iri, RDF.type, case.kind) in graph
    for predicate, obj in case.outbound:
        expected = obj.toPython() if isinstance(obj, Literal) and obj.language is None else obj
        assert expected in values(graph, case.iri, predicate), (predicate, obj)
    for subject, predicate in case.inbound:
        assert (subject, predicate, case.iri) in graph, (subject, predicate)
    for iri, label in case.labels.items():
        assert Literal(label, lang="en") in set(graph.objects(URIRef(iri), RDFS.label)), iri
    assert (URIRef(f"{service}/data/{case.rest}"), FOAF.primaryTopic, case.iri) in graph


def test_document_holds_entailed_statements_and_labels_of_properties(service: str) -> None:
    case = CASES["project"]
    graph = parsed(fetch(service, f"/data/{case.rest}", "text/turtle"))
    lead = organisation_named(LEAD_ID)
    assert (case.iri, IG.leadOrganization, lead) in graph
    assert (lead, IG.participatesIn, case.iri) in graph
    assert Literal("lead organization", lang="en") in set(graph.objects(IG.leadOrganization, RDFS.label))


def test_documents_in_every_syntax_hold_the_same_graph(service: str) -> None:
    rest = CASES["participation"].rest
    graphs = [parsed(fetch(service, f"/data/{rest}", media_type)) for media_type in SYNTAXES]
    assert all(isomorphic(graphs[0], other) for other in graphs[1:])


@pytest.mark.parametrize(("accept", "format_alias", "expected"), [
    ("text/turtle;q=0.5, application/ld+json", None, "application/ld+json"),
    ("application/rdf+xml;q=0.2, application/n-triples;q=0.9", None, "application/n-triples"),
    ("text/turtle; charset=utf-8", None, "text/turtle"),
    (None, None, "text/turtle"),
    ("*/*", None, "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "text/turtle"),
    ("text/turtle", "jsonld", "application/ld+json"),
    (None, "nt", "application/n-triples"),
])
def test_document_negotiation(service: str, accept: str | None, format_alias: str | None, expected: str) -> None:
    path = f"/data/{CASES['funding'].rest}" + (f"?format={format_alias}" if format_alias else "")
    reply = fetch(service, path, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == expected
    assert len(parsed(reply)) > 0


def test_unacceptable_format_is_406_naming_the_available_ones(service: str) -> None:
    for path in (f"/data/{CASES['place'].rest}", f"/id/{CASES['place'].rest}", "/ontology"):
        reply = fetch(service, path, "image/png")
        assert reply.status == 406
        assert b"text/turtle" in reply.body and b"application/ld+json" in reply.body


def test_iri_outside_the_base_has_a_document_by_query_parameter(service: str) -> None:
    path = "/data?iri=" + quote(str(IG.ResearchBase), safe="")
    graph = parsed(fetch(service, path, "application/n-triples"))
    assert Literal("Research base", lang="en") in set(graph.objects(IG.ResearchBase, RDFS.label))
    assert (CASES["research base"].iri, RDF.type, IG.ResearchBase) in graph
    assert (URIRef(f"{service}{path}"), FOAF.primaryTopic, IG.ResearchBase) in graph


@pytest.mark.parametrize("path", [
    "/id/project/xn-1900-99999", "/data/project/xn-1900-99999", "/data?iri=https%3A%2F%2Fexample.org%2Fnothing",
    "/id/../CURRENT", "/id/project/../../CURRENT", "/data/%2e%2e/generations", "/id/project/%2E%2E/%2E%2E/x",
    "/data/./project/xn-2025-00001", "/id/project/a%20b", "/def/NoSuchTerm",
])
def test_unknown_resources_and_traversal_are_404_in_the_error_shape(service: str, path: str) -> None:
    reply = fetch(service, path, "text/turtle")
    assert reply.status == 404
    assert reply.headers["content-type"].startswith("application/json")
    assert set(json.loads(reply.body)) == {"error", "status", "message"}


def test_data_without_an_iri_is_a_400(service: str) -> None:
    assert fetch(service, "/data?iri=not-an-iri").status == 400
    assert fetch(service, "/data").status == 400


# --------------------------------------------------------------------------------------------------------------
# The ontology at its namespace
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("media_type", list(SYNTAXES))
def test_ontology_in_each_syntax_is_the_packaged_ontology(service: str, media_type: str) -> None:
    reply = fetch(service, "/ontology", media_type)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(media_type)
    assert "accept" in reply.headers["vary"].lower()
    assert isomorphic(parsed(reply), Graph().parse(ONTOLOGY_FILE, format="turtle"))


def test_ontology_turtle_is_the_file_itself(service: str) -> None:
    assert fetch(service, "/ontology", "text/turtle").body == ONTOLOGY_FILE.read_bytes()


def test_ontology_page_is_pylode_html_that_loads_nothing_from_another_host(service: str) -> None:
    for accept in ("text/html", None, "*/*"):
        reply = fetch(service, "/ontology", accept)
        assert reply.status == 200
        assert reply.headers["content-type"].startswith("text/html")
    page = reply.body.decode("utf-8")
    assert re.search(r"<title>innograph ontology</title>", page)
    assert "pyLODE" in page and 'id="Project"' in page
    loads = re.findall(r"""(?:\bsrc\s*=|<link\b[^>]*\bhref\s*=|url\(|@import)\s*["']?([^"'\s>)]*)""", page, re.I)
    assert loads, "the page's own icons are data: URLs"
    assert all(not re.match(r"(?:[a-z]+:)?//", target, re.I) for target in loads), loads


@pytest.mark.parametrize(("path", "accept", "location"), [
    ("/def/Project", "text/html", "/ontology#Project"),
    ("/def/hasFocusArea", None, "/ontology#hasFocusArea"),
    ("/def/Project", "text/turtle", "/ontology"),
    ("/def/Project?format=jsonld", None, "/ontology?format=jsonld"),
    ("/def/leadRole", "text/html", "/ontology"),
    ("/def/", "application/rdf+xml", "/ontology"),
])
def test_terms_answer_303_to_the_ontology(service: str, path: str, accept: str | None, location: str) -> None:
    reply = fetch(service, path, accept)
    assert (reply.status, reply.headers["location"]) == (303, location)
    assert "accept" in reply.headers["vary"].lower()


def test_every_anchor_of_a_term_is_its_section_of_the_page(service: str) -> None:
    page = fetch(service, "/ontology", "text/html").body.decode("utf-8")
    terms = {s for s in Graph().parse(ONTOLOGY_FILE).subjects() if str(s).startswith(str(IG))}
    anchored = 0
    for term in sorted(terms):
        location = fetch(service, f"/def/{term[len(IG):]}", "text/html").headers["location"]
        if "#" in location:
            anchor = location.split("#", 1)[1]
            start = page.index(f'id="{anchor}"')
            assert str(term) in page[start:start + 800], term
            anchored += 1
    assert anchored >= len(terms) - 3  # the participation-role scheme and its two roles are individuals


# --------------------------------------------------------------------------------------------------------------
# IRIs beyond ASCII, and a base IRI of the agency's own
# --------------------------------------------------------------------------------------------------------------

def test_an_iri_with_chinese_characters_dereferences(writable_service: tuple[str, Store]) -> None:
    base, _ = writable_service
    iri = ID + "organization/湟水-公司"
    body = f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "湟水公司"@zh .'.encode()
    put = fetch(base, "/rdf-graph-store?graph=" + quote(ID + "graph/source/chinese", safe=""), method="PUT",
                body=body, headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {WRITE_TOKEN}"})
    assert put.status == 201
    encoded = "organization/" + quote("湟水-公司")
    reply = fetch(base, f"/id/{encoded}", "text/turtle")
    assert (reply.status, reply.headers["location"]) == (303, f"/data/{encoded}")
    document = fetch(base, reply.headers["location"], "text/turtle")
    assert document.headers["link"] == f'<{ID}{encoded}>; rel="describes"'
    assert (URIRef(iri), RDFS.label, Literal("湟水公司", lang="zh")) in parsed(document)


def test_the_base_iri_is_configurable(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), base_iri="https://data.example.gov.cn/kg/")
    initialise(settings)
    app = create_app(settings)
    try:
        with live_server(app) as base:
            reply = fetch(base, "/id/programme/5568", "application/n-triples")
            assert (reply.status, reply.headers["location"]) == (303, "/data/programme/5568")
            graph = parsed(fetch(base, "/data/programme/5568", "application/n-triples"))
            programme = URIRef("https://data.example.gov.cn/kg/programme/5568")
            assert (programme, RDF.type, IG.Programme) in graph
            assert fetch(base, "/id/" + CASES["programme"].rest.replace("5568", "9999")).status == 404
            void = parsed(fetch(base, "/.well-known/void", "text/turtle"))
            assert Literal("https://data.example.gov.cn/kg/") in set(void.objects(None, VOID_URI_SPACE))
    finally:
        app.extensions["innograph.executor"].close()


def test_a_graph_that_nothing_describes_redirects_to_its_content(service: str, demo_settings: Settings) -> None:
    graph = demo_settings.graphs.entailments
    reply = fetch(service, "/id/" + graph[len(ID):], "text/turtle")
    assert (reply.status, reply.headers["location"]) == (303, "/rdf-graph-store?graph=" + quote(graph, safe=""))
    content = fetch(service, reply.headers["location"], "text/turtle")
    assert content.status == 200 and len(parsed(content)) > 1000
    described = fetch(service, "/id/graph/source/demo", "text/turtle")  # provenance describes a loaded graph
    assert described.headers["location"] == "/data/graph/source/demo"
