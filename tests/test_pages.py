"""The browsing pages over HTTP and in a real browser: home, resources, classes, search, language, escaping.

Expected content comes from the demo CSV files (tests/demo_truth.py) and the programme's Turtle file,
never from the pages' own queries. Every browser test also checks that no request left 127.0.0.1 and
that the console stayed free of errors, under a Content-Security-Policy that allows only our own files.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Response
from playwright.sync_api import Browser, Page, expect
from rdflib import Graph

from innograph.bootstrap import initialise, refresh_entailments
from innograph.config import Settings
from innograph.namespaces import IG
from innograph.service import create_app
from innograph.service.resources import data_url
from innograph.store import open_store
from innograph.store.rdfio import parse_file

from .browser import chromium
from .conftest import live_server
from .demo_truth import BUREAU, DISTRICT_LEVEL_PLACES, PORTFOLIO

BASE = "https://w3id.org/innograph/id/"
PROGRAMME_TTL = Path(__file__).parents[1] / "data" / "programme" / "5568.ttl"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'")
TIBETAN_MEDICINE = "/page/programme/5568/base/tibetan-medicine"
BUSIEST = max(PORTFOLIO.csv_organisations, key=lambda o: sum(
    o.name_en in members for members in PORTFOLIO.participants.values()))


def with_csp(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    return response


@pytest.fixture(scope="module")
def site(demo_settings: Settings) -> Iterator[str]:
    app = create_app(demo_settings)
    app.after_request(with_csp)
    with live_server(app) as base:
        yield base
    app.extensions["innograph.executor"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab (no cookies) that fails the test on a request off 127.0.0.1 or a console error."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert requests, "the test made no request"
    assert [u for u in requests if urlsplit(u).hostname != "127.0.0.1"] == []
    assert errors == []


def fetch(site: str, path: str, method: str = "GET", body: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One request without following redirects: (status, headers, body)."""
    parts = urlsplit(site)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    text = response.read().decode("utf-8")
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def organisation_page(name_en: str) -> str:
    """The page of a demo organisation, by its minted IRI (credit code, else its name)."""
    organisation = PORTFOLIO.by_name(name_en)
    return "/page/organization/" + (organisation.credit_code or "").lower()


def item_texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("els => els.map(e => e.textContent.trim())")


def quotations() -> dict[str, str]:
    """Component and focus-area code -> its source quotation, read from the programme's Turtle."""
    graph = Graph().parse(PROGRAMME_TTL, format="turtle", publicID=BASE)
    return {str(graph.value(s, IG.code)): str(q) for s, q in graph.subject_objects(IG.sourceQuotation)
            if graph.value(s, IG.code) is not None}


def test_home_shows_the_programme_its_5_5_6_8_tree_with_counts_and_the_quotation_of_every_statement(
        site: str, tab: Page) -> None:
    tab.goto(site + "/")
    expect(tab.locator("h1")).to_contain_text('"5568" Science and Technology Innovation Project')
    expect(tab.locator("#programme dl.labels")).to_contain_text('科技创新"5568"工程')
    expect(tab.locator("#structure h2")).to_contain_text("5-5-6-8")
    quoted = quotations()
    rows = tab.locator("li.component")
    assert rows.count() == 24
    for index in range(24):
        row = rows.nth(index)
        code = row.locator("small.code").inner_text()
        projects = PORTFOLIO.projects_under(code)
        organisations = set().union(*(PORTFOLIO.participants[p] for p in projects))
        assert int(row.locator(".projects").inner_text()) == len(projects), code
        assert int(row.locator(".organisations").inner_text()) == len(organisations), code
        anchor = row.locator("a.cite").get_attribute("href")
        assert tab.locator(f"{anchor} q").inner_text() == quoted[code], code
    for area in tab.locator("#focus-areas li").all():
        code = area.locator("small.code").inner_text()
        assert tab.locator(f"{area.locator('a.cite').get_attribute('href')} q").inner_text() == quoted[code]
    expect(tab.locator("#statistics")).to_contain_text("Synthetic demonstration portfolio")
    tab.get_by_role("button", name="Collapse all").click()
    assert tab.locator("#component-tree details[open]").count() == 0


def test_walk_from_the_programme_to_a_base_a_project_an_organisation_and_back_by_an_inbound_link(
        site: str, tab: Page) -> None:
    tab.goto(site + "/")
    tab.locator("#component-tree").get_by_role("link", name="Tibetan medicine", exact=True).click()
    expect(tab.locator("h1")).to_have_text("Tibetan medicine B2")
    expect(tab.locator("dl.labels")).to_contain_text("藏医药")
    projects = PORTFOLIO.projects_under("B2")
    assert set(item_texts(tab, "#in-ig-partOf li small.code")) == projects
    code = sorted(projects)[0]
    project = PORTFOLIO.projects[code]
    tab.locator("#in-ig-partOf").get_by_role("link", name=project.title_en).click()
    expect(tab.locator("h1")).to_have_text(f"{project.title_en} {code}")
    expect(tab.locator("dl.labels")).to_contain_text(project.title_zh)
    participants = item_texts(tab, "#out-ig-participant li a")
    assert sorted(participants) == sorted(PORTFOLIO.participants[code])
    for name in participants:
        mark = tab.locator("#out-ig-participant li").filter(has=tab.get_by_role("link", name=name, exact=True))
        expect(mark.locator(".inferred")).to_have_attribute("title", "".join([
            "Not stated by any source; inferred from the ontology: ",
            "ig:participant owl:propertyChainAxiom (ig:hasParticipation ig:involvesOrganization); ",
            "ig:leadOrganization rdfs:subPropertyOf ig:participant; " if name == PORTFOLIO.lead.get(code) else "",
            "ig:participant owl:inverseOf ig:participatesIn"]))
    lead = PORTFOLIO.lead[code]
    tab.locator("#out-ig-leadOrganization").get_by_role("link", name=lead).click()
    expect(tab.locator("h1")).to_contain_text(lead)
    inbound = tab.locator("#in-ig-participant")
    expect(inbound.locator(".inferred").first).to_contain_text("inferred · owl:propertyChainAxiom")
    inbound.get_by_role("link", name=project.title_en).click()
    expect(tab.locator("h1")).to_have_text(f"{project.title_en} {code}")


def test_the_language_switch_changes_labels_and_headings_and_is_remembered(site: str, tab: Page) -> None:
    tab.goto(site + TIBETAN_MEDICINE)
    expect(tab.locator("#types h2")).to_have_text("Types")
    tab.get_by_role("button", name="中文").click()
    expect(tab.locator("html")).to_have_attribute("lang", "zh")
    expect(tab.locator("h1")).to_have_text("藏医药 B2")
    expect(tab.locator("#types h2")).to_have_text("类型")
    expect(tab.locator("dl.labels")).to_contain_text("Tibetan medicine")
    assert tab.url == site + TIBETAN_MEDICINE
    tab.goto(site + "/")
    expect(tab.locator("#structure h2")).to_contain_text("结构")
    assert tab.evaluate("localStorage.getItem('innograph.lang')") == "zh"
    tab.context.clear_cookies()
    tab.goto(site + "/")  # the cookie is gone; the browser's own memory puts it back
    expect(tab.locator("#structure h2")).to_contain_text("结构")
    tab.get_by_role("button", name="English").click()
    expect(tab.locator("#structure h2")).to_contain_text("Structure")


def test_searching_in_chinese_finds_labels_and_groups_them_by_class(site: str, tab: Page) -> None:
    tab.goto(site + "/")
    box = tab.locator("header form.search input[name=q]")
    box.fill("南山")
    box.press("Enter")
    expect(tab.locator("#search-q")).to_have_value("南山")
    classes = {"university": "University", "research_institute": "Research institute", "enterprise": "Enterprise"}
    expected: dict[str, set[str]] = {}
    for organisation in PORTFOLIO.csv_organisations:
        if "南山" in organisation.name_zh:
            expected.setdefault(classes[organisation.type], set()).add(organisation.name_en)
    found = {}
    for group in tab.locator("section.search-group").all():
        heading = group.locator("h2 a").inner_text()
        found[heading] = set(item_texts(group, "li > a"))
        assert all("南山" in text for text in item_texts(group, "li .other-label"))
    assert {k: v for k, v in found.items() if k in expected} == expected


def test_an_organisation_page_marks_what_was_inferred_and_by_which_rule(site: str, tab: Page) -> None:
    tab.goto(site + organisation_page(BUSIEST.name_en))
    located = tab.locator("#out-ig-locatedIn li")

    def place(name: str) -> object:
        return located.filter(has=tab.get_by_role("link", name=name, exact=True)).locator(".inferred")

    expect(place(BUSIEST.location)).to_have_count(0)
    for name in ("Xining", "Qinghai Province", "China"):
        expect(place(name)).to_have_text("inferred · owl:TransitiveProperty ig:locatedIn")
    items = tab.locator("#out-ig-participatesIn li")
    expect(items).to_have_count(min(20, sum(BUSIEST.name_en in m for m in PORTFOLIO.participants.values())))
    led = {PORTFOLIO.projects[code].title_en for code, lead in PORTFOLIO.lead.items() if lead == BUSIEST.name_en}
    for item in items.all():
        mark = item.locator(".inferred")
        expect(mark).to_have_attribute("title", re.compile("ig:participatesIn owl:inverseOf ig:participant"))
        if item.locator("a").inner_text() in led:
            expect(mark).to_have_text("inferred · rdfs:subPropertyOf ig:leads +1")
        else:
            expect(mark).to_have_text("inferred · owl:inverseOf ig:participant")
    organization = tab.locator("#types li").filter(has=tab.get_by_role("link", name="Organization", exact=True))
    expect(organization.locator(".inferred")).to_contain_text("rdfs:subClassOf ig:")


def test_long_lists_are_paged_and_a_focus_area_lists_its_projects(site: str, tab: Page) -> None:
    expected = {code for code, p in PORTFOLIO.projects.items() if "F02" in p.focus_areas}
    assert len(expected) > 20
    tab.goto(site + "/page/programme/5568/focus-area/biological-resources-deep-processing")
    group = tab.locator("#in-ig-hasFocusArea")
    expect(group.locator(".badge")).to_have_text(str(len(expected)))
    seen: list[str] = []
    while True:
        seen += item_texts(group, "li small.code")
        following = group.get_by_role("link", name="next ›")
        if following.count() == 0:
            break
        following.click()
        group = tab.locator("#in-ig-hasFocusArea")
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_a_place_page_lists_the_organisations_located_there(site: str, tab: Page) -> None:
    tab.goto(site + "/page/place/xining/chengzhong")
    expected = {o.name_en for o in PORTFOLIO.csv_organisations if o.location == "Chengzhong District"}
    assert set(item_texts(tab, "#in-ig-locatedIn li > a")) == expected
    tab.goto(site + "/page/place/xining")
    stated = DISTRICT_LEVEL_PLACES | {BUREAU} | {o.name_en for o in PORTFOLIO.csv_organisations
                                                if o.location == "Xining"}
    rows = tab.locator("#in-ig-locatedIn li").all()
    assert len(rows) == 20
    for row in rows:
        name = row.locator("a").inner_text()
        if name in stated:
            expect(row.locator(".inferred")).to_have_count(0)
        else:
            expect(row.locator(".inferred")).to_have_text("inferred · owl:TransitiveProperty ig:locatedIn")


def test_a_class_page_lists_its_instances_sorted_and_paged(site: str, tab: Page) -> None:
    tab.goto(site + "/class?" + urlencode({"iri": str(IG.Project)}))
    expect(tab.locator("#instances .badge")).to_have_text(str(len(PORTFOLIO.projects)))
    codes = item_texts(tab, "table.instances tbody td:nth-child(3)")
    assert codes == sorted(PORTFOLIO.projects)[:50]
    tab.get_by_role("link", name="Code ▲").click()
    assert item_texts(tab, "table.instances tbody td:nth-child(3)") == sorted(PORTFOLIO.projects, reverse=True)[:50]
    seen = []
    tab.get_by_role("link", name="Name", exact=True).click()
    while True:
        seen += item_texts(tab, "table.instances tbody td:nth-child(1) a")
        following = tab.get_by_role("link", name="next ›")
        if following.count() == 0:
            break
        following.click()
    titles = [p.title_en for p in PORTFOLIO.projects.values()]
    assert seen == sorted(titles, key=natural_order)


def natural_order(text: str) -> list[tuple[int, int, str]]:
    """Names as people sort them: case ignored, numbers by value ("(2)" before "(10)")."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text.casefold())]


def test_a_class_page_marks_members_that_only_inference_put_there(site: str, tab: Page) -> None:
    tab.goto(site + "/class?" + urlencode({"iri": str(IG.Organization), "sort": "label"}))
    row = tab.locator("table.instances tbody tr").filter(has_text=BUSIEST.name_en)
    kind = {"university": "University", "research_institute": "ResearchInstitute",
            "enterprise": "Enterprise"}[BUSIEST.type]
    expect(row.locator(".inferred")).to_have_text(f"inferred · rdfs:subClassOf ig:{kind}")


@pytest.mark.parametrize(("path", "network"), [
    (organisation_page(BUSIEST.name_en), True),
    (TIBETAN_MEDICINE, True),
    ("/page/project/xn-2025-00001", True),
    ("/page/programme/5568/focus-area/ecology-environment", True),
    ("/page/place/xining", False),
])
def test_a_resource_page_links_its_rdf_document_and_the_network_view(site: str, path: str, network: bool) -> None:
    status, _, html = fetch(site, path)
    iri = BASE + path.removeprefix("/page/")
    assert status == 200
    assert f'<link rel="alternate" type="text/turtle" href="{data_url(iri, BASE)}">' in html
    assert (f'href="/network?{urlencode({"iri": iri})}"' in html) is network


def test_the_page_of_any_iri_is_at_resource_and_iris_under_the_base_redirect_to_their_page(site: str) -> None:
    status, _, html = fetch(site, "/resource?" + urlencode({"iri": str(IG.Project)}))
    assert status == 200 and "Project" in html and 'href="/class?iri=' in html
    status, headers, _ = fetch(site, "/resource?" + urlencode({"iri": BASE + "place/xining"}))
    assert (status, headers["location"]) == (301, "/page/place/xining")


@pytest.mark.parametrize(("path", "status"), [
    ("/page/organization/no-such-thing", 404),
    ("/resource?iri=" + quote("not an iri"), 400),
    ("/class?iri=" + quote("https://w3id.org/innograph/def/NoSuchClass"), 404),
])
def test_unknown_or_malformed_resources_get_an_html_error_page(site: str, path: str, status: int) -> None:
    answer, headers, html = fetch(site, path)
    assert answer == status and headers["content-type"].startswith("text/html") and 'role="alert"' in html


def test_the_language_cookie_is_read_by_the_server_and_the_switch_never_redirects_off_site(site: str) -> None:
    _, _, html = fetch(site, TIBETAN_MEDICINE, headers={"Cookie": "lang=zh"})
    assert '<html lang="zh">' in html and "<h1>藏医药" in html
    status, headers, _ = fetch(site, "/language", "POST", urlencode({"lang": "zh", "next": "//evil.example/"}),
                               {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, headers["location"]) == (303, "/")
    assert headers["set-cookie"].startswith("lang=zh;")


HOSTILE = """
@prefix ig: <https://w3id.org/innograph/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<organization/hostile> a ig:University ;
    rdfs:label "<script>window.hacked = 1</script>"@en , "<img src=x onerror=\\"window.hacked = 2\\">"@zh ;
    ig:locatedIn <place/xining/chengxi> .
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store of its own with one organisation whose labels are markup."""
    folder = tmp_path_factory.mktemp("hostile")
    settings = Settings(store=str(folder / "store"))
    initialise(settings)
    (folder / "hostile.ttl").write_text(HOSTILE, encoding="utf-8")
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(settings.graphs.source("hostile"), parse_file(folder / "hostile.ttl",
                                                                          base_iri=settings.base_iri))
        refresh_entailments(writer, settings.graphs)
    app = create_app(settings)
    app.after_request(with_csp)
    with live_server(app) as base:
        yield base
    app.extensions["innograph.executor"].close()


@pytest.mark.parametrize("path", ["/page/organization/hostile", "/page/place/xining/chengxi",
                                  "/search?q=hacked", "/class?" + urlencode({"iri": str(IG.University)})])
def test_a_stored_label_with_markup_is_shown_as_text(hostile_site: str, tab: Page, path: str) -> None:
    tab.goto(hostile_site + path)
    expect(tab.locator("main")).to_contain_text("<script>window.hacked = 1</script>")
    assert tab.evaluate("window.hacked") is None
    assert tab.locator("main script, main img").count() == 0
    if path == "/page/organization/hostile":
        expect(tab.locator("dl.labels")).to_contain_text('<img src=x onerror="window.hacked = 2">')
