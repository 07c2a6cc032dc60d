"""The pages built on bundled npm packages: the YASGUI editor at /query and the Cytoscape network view at /network.

The network's JSON is compared with the demo portfolio read from its CSV files (tests/demo_truth.py); the pages are
driven in Chromium, which must never reach a host other than 127.0.0.1 nor log an error.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from rdflib import Graph, Literal, URIRef

from innograph.config import Settings
from innograph.namespaces import IG, PREFIXES
from innograph.queries.catalogue import load_library
from innograph.service import create_app, frontend
from innograph.service.frontend import RELATIONS, editor_examples
from innograph.service.resources import page_url
from innograph.store import open_store

from .browser import chromium
from .conftest import live_server
from .demo_truth import PORTFOLIO

ROOT = Path(__file__).parents[1]
VENDOR = ROOT / "service" / "static" / "vendor"
BUILD_HINT = "the front-end packages are not built: run `make service/static/vendor/.built` (npm ci and a copy)"


# ---- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(demo_settings: Settings) -> Iterator[Flask]:
    app = create_app(demo_settings)
    yield app
    app.extensions["innograph.executor"].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def iri_of(demo_settings: Settings) -> Callable[[str], str]:
    """The IRI of the resource with this English label or code (a lookup, not an answer under test)."""
    store = open_store(demo_settings.store)

    def find(name: str) -> str:
        query = "SELECT DISTINCT ?thing WHERE { { ?thing ?labelling ?name } UNION { ?thing ?coding ?code } }"
        query = query.replace("?labelling", f"<{PREFIXES['rdfs']}label>").replace("?coding", f"<{IG}code>")
        rows = store.query(query, {"name": Literal(name, lang="en"), "code": Literal(name)}).rows
        assert len(rows) == 1, f"{name!r} names {len(rows)} resources"
        return str(rows[0][0])

    return find


@pytest.fixture(scope="module")
def site(app: Flask) -> Iterator[str]:
    assert all((VENDOR / name).is_file() for name in ("yasgui.min.js", "cytoscape.min.js")), BUILD_HINT
    with live_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@dataclass
class Watched:
    """A page, with every URL it requested and every error it logged."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_stayed_local_and_quiet(self) -> None:
        hosts = {urlsplit(url).hostname for url in self.requests if urlsplit(url).scheme in ("http", "https", "ws")}
        assert hosts == {"127.0.0.1"}, [url for url in self.requests if urlsplit(url).hostname != "127.0.0.1"]
        assert self.errors == []


@contextmanager
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watched(page)
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("pageerror", lambda error: watch.errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    try:
        yield watch
    finally:
        context.close()


def network(client: FlaskClient, **params: object) -> dict:
    response = client.get("/api/network?" + urlencode(params, doseq=True))
    assert response.status_code == 200, response.json
    return response.json


def labels(answer: dict, hop: int | None = None) -> set[str]:
    return {n["data"]["label_en"] for n in answer["elements"]["nodes"] if hop is None or n["data"]["hop"] == hop}


# ---- the build -----------------------------------------------------------------------------------------------


def test_the_build_copied_the_locked_versions_of_the_packages() -> None:
    assert (VENDOR / ".built").is_file(), BUILD_HINT
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())["packages"]
    built = json.loads((VENDOR / "versions.json").read_text())
    assert {name: entry["version"] for name, entry in built.items()} == {
        name: lock[f"node_modules/{name}"]["version"] for name in ("@zazuko/yasgui", "cytoscape")}
    for name in ("yasgui.min.js", "yasgui.min.css", "cytoscape.min.js"):
        assert "sourceMappingURL" not in (VENDOR / name).read_text(encoding="utf-8")[-300:]


# ---- the network's JSON ----------------------------------------------------------------------------------------


def test_collaborators_one_and_two_hops_out_are_those_of_the_participation_table(
        client: FlaskClient, iri_of: Callable[[str], str]) -> None:
    name = "Huangshui Health University"
    one = network(client, iri=iri_of(name), hops=1, relation="collaboratesWith")
    assert labels(one, 1) == PORTFOLIO.partners[name]
    two = network(client, iri=iri_of(name), hops=2, relation="collaboratesWith")
    reached = PORTFOLIO.hops_from(name, 2)
    assert {n["data"]["label_en"]: n["data"]["hop"] for n in two["elements"]["nodes"] if n["data"]["hop"]} == reached
    assert {e["data"]["relation"] for e in two["elements"]["edges"]} == {"collaboratesWith"}
    pairs = {frozenset((e["data"]["source"], e["data"]["target"])) for e in two["elements"]["edges"]}
    assert len(pairs) == two["edge_count"], "a symmetric link is drawn once"


def test_an_organisation_leads_some_projects_and_takes_part_in_the_others(
        client: FlaskClient, iri_of: Callable[[str], str], demo_settings: Settings) -> None:
    name = "Huangshui Health University"
    answer = network(client, iri=iri_of(name), relation=["participant", "leadOrganization"])
    projects = {p.project for p in PORTFOLIO.participations if p.organisation == name}
    assert labels(answer, 1) == {PORTFOLIO.projects[code].title_en for code in projects}
    by_id = {n["data"]["id"]: n["data"] for n in answer["elements"]["nodes"]}
    relation_of = {by_id[e["data"]["source"]]["label_en"]: e["data"]["relation"] for e in answer["elements"]["edges"]}
    assert relation_of == {PORTFOLIO.projects[code].title_en:
                           "leadOrganization" if PORTFOLIO.lead.get(code) == name else "participant"
                           for code in projects}
    for node in by_id.values():
        assert node["url"] == page_url(node["id"], demo_settings.base_iri)
        assert node["class"] == ("organisation" if node["hop"] == 0 else "project")
        assert node["label_zh"]


def test_a_research_base_is_linked_to_its_projects_and_through_them_to_their_focus_areas(
        client: FlaskClient, iri_of: Callable[[str], str]) -> None:
    codes = PORTFOLIO.projects_under("B3")
    answer = network(client, iri=iri_of("B3"), hops=2, relation=["partOf", "hasFocusArea"])
    assert labels(answer, 1) == {PORTFOLIO.projects[code].title_en for code in codes}
    focus_areas = {area for code in codes for area in PORTFOLIO.projects[code].focus_areas}
    classes = [n["data"]["class"] for n in answer["elements"]["nodes"]]
    assert classes == ["research-base"] + ["project"] * len(codes) + ["focus-area"] * len(focus_areas)
    assert answer["edge_count"] == len(codes) + sum(len(PORTFOLIO.projects[c].focus_areas) for c in codes)


def test_the_node_count_is_capped_nearest_first_and_the_answer_says_so(
        demo_settings: Settings, iri_of: Callable[[str], str]) -> None:
    app = create_app(demo_settings, {"NETWORK_NODE_CAP": 5})
    try:
        answer = network(app.test_client(), iri=iri_of("Datong Biology University"), hops=2)
    finally:
        app.extensions["innograph.executor"].close()
    assert answer["cut"] is True and answer["node_count"] == 5 and answer["node_cap"] == 5
    nodes = [n["data"] for n in answer["elements"]["nodes"]]
    assert nodes[0]["hop"] == 0 and all(n["hop"] == 1 for n in nodes[1:])
    kept = {n["id"] for n in nodes}
    assert all(e["data"]["source"] in kept and e["data"]["target"] in kept for e in answer["elements"]["edges"])


@pytest.mark.parametrize(("params", "status", "says"), [
    ({}, 400, "give the IRI"),
    ({"iri": "not an iri"}, 400, "not an IRI"),
    ({"iri": "https://w3id.org/innograph/id/place/xining", "hops": "3"}, 400, "hops is 1 or 2"),
    ({"iri": "https://w3id.org/innograph/id/place/xining", "relation": "knows"}, 400, "no relation 'knows'"),
    ({"iri": "https://w3id.org/innograph/id/nowhere"}, 404, "no statement about"),
])
def test_a_bad_network_request_is_refused_with_the_one_error_shape(
        client: FlaskClient, params: dict[str, str], status: int, says: str) -> None:
    response = client.get("/api/network?" + urlencode(params))
    assert response.status_code == status
    assert set(response.json) == {"error", "status", "message"} and response.json["status"] == status
    assert says in response.json["message"]


def test_the_relations_have_the_ontology_s_labels() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "innograph.ttl")
    rdfs_label = URIRef(PREFIXES["rdfs"] + "label")
    for relation in RELATIONS.values():
        found = {label.language: str(label) for label in ontology.objects(relation.iri, rdfs_label)}
        assert found == {"en": relation.en, "zh": relation.zh}


def test_the_network_page_works_as_a_form_without_script(client: FlaskClient, iri_of: Callable[[str], str]) -> None:
    start = client.get("/network").get_data(as_text=True)
    assert start.count('href="/network?iri=') == 8 + 10  # the research bases and the focus areas
    page = client.get("/network?" + urlencode({"iri": iri_of("B3"), "hops": 2, "relation": "partOf"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="partOf" checked' in html and 'value="participant" checked' not in html
    assert 'value="2" checked' in html
    assert client.get("/network?iri=https://w3id.org/innograph/id/nowhere").status_code == 404


def test_without_the_build_the_pages_say_how_to_make_it(client: FlaskClient, iri_of: Callable[[str], str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frontend, "VENDOR_FILES", ("not-built.js",))
    for path in ("/query", "/network?" + urlencode({"iri": iri_of("B3")})):
        html = client.get(path).get_data(as_text=True)
        assert "make service/static/vendor/.built" in html and '"/static/vendor/' not in html


# ---- the editor's examples -------------------------------------------------------------------------------------


def test_every_library_query_is_an_example_that_runs_as_it_stands(client: FlaskClient) -> None:
    examples = {e.name: e for e in editor_examples()}
    assert set(examples) == set(load_library())
    html = client.get("/query").get_data(as_text=True)
    for name, example in examples.items():
        assert f'data-name="{name}"' in html
        assert "#+" not in example.sparql and example.sparql.startswith(f"# {example.title['en']}")
        response = client.post("/sparql", data={"query": example.sparql},
                               headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, (name, response.get_data(as_text=True))
    assert 'VALUES (?min_shared) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }' in \
        examples["collaboration-network"].sparql
    assert examples["newest-projects"].sparql.rstrip().endswith("LIMIT 10")


# ---- in the browser -------------------------------------------------------------------------------------------

B3_PROJECTS = """PREFIX ig: <https://w3id.org/innograph/def/>
SELECT ?code WHERE {
  ?base ig:code "B3" .
  ?project ig:partOf ?base ; ig:code ?code .
}
ORDER BY ?code
"""


def run_in_editor(page: Page) -> None:
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    expect(page.locator(".tabPanel.active .yasr tbody tr").first).to_be_visible()


def column(page: Page, variable: str) -> list[str]:
    """The values of one column of the results table; YASR shows a typed literal as "7"^^<datatype>."""
    headers = page.locator(".tabPanel.active .yasr thead th").all_inner_texts()
    index = [h.strip() for h in headers].index(variable) + 1
    cells = page.locator(f".tabPanel.active .yasr tbody tr td:nth-child({index})").all_inner_texts()
    return [re.sub(r'^"(.*)"\^\^<[^>]*>$', r"\1", cell.strip()) for cell in cells]


def test_a_query_typed_in_the_editor_runs_on_the_local_endpoint(site: str, browser: Browser) -> None:
    with watched(browser) as watch:
        page = watch.page
        page.goto(f"{site}/query")
        page.locator(".tabPanel.active .CodeMirror").click()
        page.keyboard.press("Control+A")
        # Asking for completions of a property would make YASGUI's default completers ask a vocabulary service.
        page.keyboard.type("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE { ?s foaf:na")
        page.keyboard.press("Control+Space")
        page.wait_for_timeout(300)
        page.keyboard.press("Escape")  # closes the hints and leaves the editor
        page.locator(".tabPanel.active .CodeMirror").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(B3_PROJECTS)
        run_in_editor(page)
        assert column(page, "code") == sorted(PORTFOLIO.projects_under("B3"))
        assert f"{site}/sparql" in watch.requests
        watch.assert_stayed_local_and_quiet()


def test_a_library_example_opens_in_a_new_tab_and_runs(site: str, browser: Browser) -> None:
    with watched(browser) as watch:
        page = watch.page
        page.goto(f"{site}/query")
        page.locator("#examples summary").click()
        page.locator("#examples button[data-name=components]").click()
        expect(page.get_by_role("tab", name="The programme's components", selected=True)).to_be_visible()
        run_in_editor(page)
        shown = dict(zip(column(page, "code"), column(page, "projects"), strict=True))
        assert shown == {code: str(len(PORTFOLIO.projects_under(code))) for code in shown}
        assert sorted(shown) == sorted(f"{letter}{n}" for letter, count in (("A", 5), ("P", 5), ("S", 6), ("B", 8))
                                       for n in range(1, count + 1))
        watch.assert_stayed_local_and_quiet()


def node_on_screen(page: Page, selector: str) -> dict:
    """Where a node of the drawing is on the page, with its data."""
    return page.evaluate("""(selector) => {
        const node = window.innographNetwork.nodes(selector)[0];
        const box = document.getElementById("network").getBoundingClientRect();
        const at = node.renderedPosition();
        return { x: box.left + at.x, y: box.top + at.y, id: node.id() };
    }""", selector)


def test_clicking_a_node_of_the_network_opens_its_page(
        site: str, browser: Browser, iri_of: Callable[[str], str], demo_settings: Settings) -> None:
    with watched(browser) as watch:
        page = watch.page
        page.goto(f"{site}/network?" + urlencode({"iri": iri_of("B3"), "relation": "partOf"}))
        expect(page.locator("#network-status[data-state=ready]")).to_be_visible()
        expect(page.locator("#network-list li")).to_have_count(1 + len(PORTFOLIO.projects_under("B3")))
        node = node_on_screen(page, "[hop = 1]")
        page.mouse.click(node["x"], node["y"])
        page.wait_for_url(site + page_url(node["id"], demo_settings.base_iri))
        watch.assert_stayed_local_and_quiet()


def test_the_filters_redraw_the_network_and_keep_the_address(
        site: str, browser: Browser, iri_of: Callable[[str], str]) -> None:
    iri = iri_of("Huangshui Health University")
    with watched(browser) as watch:
        page = watch.page
        asked = {"iri": iri, "relation": ["participant", "collaboratesWith"]}
        page.goto(f"{site}/network?" + urlencode(asked, doseq=True))
        expect(page.locator("#network-status[data-state=ready]")).to_be_visible()
        page.get_by_label("collaborates with").uncheck()
        page.locator("#network-filter input[name=hops][value='2']").check()
        expect(page.locator("#network-status[data-state=ready]")).to_be_visible()
        assert "hops=2" in page.url and "collaboratesWith" not in page.url
        with urllib.request.urlopen(f"{site}/api/network?" + urlencode({"iri": iri, "hops": 2,
                                                                        "relation": "participant"})) as response:
            expected = json.load(response)
        drawn = page.evaluate("() => window.innographNetwork.nodes().map((n) => n.id()).sort()")
        assert drawn == sorted(n["data"]["id"] for n in expected["elements"]["nodes"])
        watch.assert_stayed_local_and_quiet()
