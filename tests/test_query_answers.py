"""Every named query of the library gives the answer its description promises, on the demo portfolio.

Each test states a query's specification (the `description` of its `#+` header) as a rule, computes the answer
that rule gives from data/demo/*.csv in plain Python (tests/demo_truth.py, plus a few hand-written facts of the
programme graph), and compares it with the rows the query returns from the demo store. Rows are compared whole,
on natural keys (project codes, component codes, English names of organisations, counts, Decimal sums) and in the
order the description or the query's ORDER BY promises. No expected number is taken from a query's output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rdflib import Literal, URIRef

from innograph.config import Settings
from innograph.namespaces import IG
from innograph.queries.catalogue import load_library
from innograph.queries.commands import store_engine
from innograph.queries.running import prepare, run

from .demo_truth import (
    BUREAU,
    COMPONENT_CODES,
    FOCUS_AREA_CODES,
    ORGANISATION_CLASSES,
    PORTFOLIO,
    component_kind,
    district_of,
)

pytestmark = pytest.mark.backends

Ask = Callable[..., list[dict[str, Any]]]

TESTED_QUERIES = {
    "collaboration-hops", "collaboration-network", "components", "coverage-gaps", "cross-base-linkages",
    "enterprise-partners", "funding-by-year", "lead-only-projects", "leading-organisations", "newest-projects",
    "organisations-at-base", "organisations-by-district", "organisations-without-location",
    "projects-without-funding", "projects",
}


def _value(term: Any) -> Any:
    """A result term as a plain value: IRIs as text, numbers exact (Decimal stays Decimal), strings as str."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    assert isinstance(term, Literal)
    value = term.toPython()
    return str(term) if isinstance(value, Literal) else value


def _local(iri: str | None) -> str | None:
    """The local name of an ig: class IRI (ig:ResearchBase -> "ResearchBase")."""
    return None if iri is None else iri.removeprefix(str(IG))


@pytest.fixture(scope="module")
def ask(demo_settings: Settings) -> Ask:
    """Run a named query on the demo store with the given parameters; rows as dicts of plain values."""
    library = load_library()
    engine = store_engine(demo_settings)

    def answer(name: str, **params: object) -> list[dict[str, Any]]:
        given = {key: str(value) for key, value in params.items()}
        result = run(prepare(library[name], given, engine), engine)
        return [{variable: _value(term) for variable, term in zip(result.variables, row, strict=True)}
                for row in result.rows]

    return answer


def test_every_query_of_the_library_has_an_answer_test() -> None:
    """A query added to the library without an answer test here fails this test."""
    assert set(load_library()) == TESTED_QUERIES


def test_the_demo_files_use_only_programme_facts_written_in_demo_truth() -> None:
    """The hand-written programme facts cover every code and place the CSV files use, so the expectations below
    are computed from complete facts."""
    assert all(project.components and set(project.components) <= set(COMPONENT_CODES)
               for project in PORTFOLIO.projects.values())
    assert all(set(project.focus_areas) <= set(FOCUS_AREA_CODES) for project in PORTFOLIO.projects.values())
    assert all(o.location is None or district_of(o.location) is not None for o in PORTFOLIO.csv_organisations)
    assert {grant.funder for grant in PORTFOLIO.grants} == {BUREAU}
    assert len({o.name_en for o in PORTFOLIO.organisations}) == len(PORTFOLIO.organisations)


# ---- components ------------------------------------------------------------------------------------------------


def test_components_counts_projects_and_distinct_organisations_of_every_component(ask: Ask) -> None:
    """components: each of the 24 components, in code order, with its kind (from the code's letter), the number of
    projects under it and the number of distinct organisations with a participation row in those projects."""
    expected = []
    for code in sorted(COMPONENT_CODES):
        projects = PORTFOLIO.projects_under(code)
        organisations = set().union(*(PORTFOLIO.participants[p] for p in projects))
        expected.append((code, component_kind(code), len(projects), len(organisations)))
    rows = ask("components")
    assert [(r["code"], _local(r["kind"]), r["projects"], r["organisations"]) for r in rows] == expected


# ---- projects --------------------------------------------------------------------------------------------------

PROJECT_FILTERS = [
    pytest.param({}, id="no-filter"),
    pytest.param({"component": "B3"}, id="component-B3"),
    pytest.param({"component": "A5"}, id="component-A5"),
    pytest.param({"focus_area": "F04"}, id="focus-area-F04"),
    pytest.param({"from_year": 2022, "to_year": 2023}, id="years-2022-2023"),
    pytest.param({"to_year": 2019}, id="until-2019"),
    pytest.param({"component": "B3", "focus_area": "F02", "from_year": 2022}, id="B3-F02-since-2022"),
    pytest.param({"component": "P3", "focus_area": "F01"}, id="P3-F01"),
]


@pytest.mark.parametrize("filters", PROJECT_FILTERS)
def test_projects_are_those_matching_every_given_filter(ask: Ask, filters: dict[str, Any]) -> None:
    """projects: the projects under the component, having the focus area, and starting from from_year to to_year
    (inclusive); every filter is optional and they combine; in code order."""
    expected = [
        (p.code, component, p.start_year, p.end_year, p.title_en)
        for p in sorted(PORTFOLIO.projects.values(), key=lambda p: p.code)
        for component in p.components
        if filters.get("component", component) == component
        and ("focus_area" not in filters or filters["focus_area"] in p.focus_areas)
        and ("from_year" not in filters or (p.start_year is not None and p.start_year >= filters["from_year"]))
        and ("to_year" not in filters or (p.start_year is not None and p.start_year <= filters["to_year"]))
    ]
    assert expected, "the example should not be vacuous"
    rows = ask("projects", **filters)
    assert [(r["code"], r["component_code"], r["start_year"], r["end_year"], r["title_en"]) for r in rows] == expected


def test_projects_component_may_be_given_by_its_label(ask: Ask) -> None:
    """projects: the component may be named by its English label; "Tibetan medicine" is research base B2."""
    expected = sorted(PORTFOLIO.projects_under("B2"))
    assert [r["code"] for r in ask("projects", component="Tibetan medicine")] == expected


# ---- coverage-gaps ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_projects", [None, 0, 5, 8, 100])
def test_coverage_gaps_lists_focus_areas_with_at_most_max_projects_fewest_first(
        ask: Ask, max_projects: int | None) -> None:
    """coverage-gaps: the focus areas F01-F10 with at most max_projects projects (default 2), counting areas with
    no project as 0, fewest first and then by code."""
    limit = 2 if max_projects is None else max_projects
    counts = {code: sum(code in p.focus_areas for p in PORTFOLIO.projects.values()) for code in FOCUS_AREA_CODES}
    expected = sorted(((code, n) for code, n in counts.items() if n <= limit), key=lambda item: (item[1], item[0]))
    rows = ask("coverage-gaps") if max_projects is None else ask("coverage-gaps", max_projects=max_projects)
    assert [(r["code"], r["projects"]) for r in rows] == expected


# ---- cross-base-linkages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("min_bases", [None, 1, 3, 4])
def test_cross_base_linkages_gives_per_base_projects_of_organisations_at_several_bases(
        ask: Ask, min_bases: int | None) -> None:
    """cross-base-linkages: one row per organisation and research base (B1-B8) it takes part in, for organisations
    active at at least min_bases bases (default 2): the number of bases it links and its projects at that base;
    most bases first, then by name and base code."""
    threshold = 2 if min_bases is None else min_bases
    at_base: Counter[tuple[str, str]] = Counter()
    for code, project in PORTFOLIO.projects.items():
        for base in (c for c in project.components if component_kind(c) == "ResearchBase"):
            for organisation in PORTFOLIO.participants[code]:
                at_base[organisation, base] += 1
    bases = Counter(organisation for organisation, _ in at_base)
    expected = sorted(((organisation, bases[organisation], base, n) for (organisation, base), n in at_base.items()
                       if bases[organisation] >= threshold), key=lambda row: (-row[1], row[0], row[2]))
    assert expected
    rows = ask("cross-base-linkages") if min_bases is None else ask("cross-base-linkages", min_bases=min_bases)
    assert [(r["name_en"], r["bases_linked"], r["base_code"], r["projects_at_base"]) for r in rows] == expected


# ---- enterprise-partners ---------------------------------------------------------------------------------------


def _enterprise_partners(enterprise: str | None = None) -> list[tuple[str, str, str, int]]:
    """(enterprise, university or institute partner, partner class, shared projects), as the query orders them."""
    kinds = {o.name_en: o.type for o in PORTFOLIO.organisations}
    shared: Counter[tuple[str, str]] = Counter()
    for members in PORTFOLIO.participants.values():
        for a in members:
            for b in members:
                if kinds[a] == "enterprise" and kinds[b] in ("university", "research_institute"):
                    shared[a, b] += 1
    rows = [(a, b, ORGANISATION_CLASSES[kinds[b]], n) for (a, b), n in shared.items()
            if enterprise is None or a == enterprise]
    return sorted(rows, key=lambda row: (row[0], -row[3], row[1]))


def test_enterprise_partners_pairs_every_enterprise_with_its_academic_partners(ask: Ask) -> None:
    """enterprise-partners: for each enterprise, each university or research institute sharing a project with it and
    the number of projects they share; by enterprise, most shared first, then by partner."""
    rows = ask("enterprise-partners")
    actual = [(r["enterprise_name_en"], r["partner_name_en"], _local(r["partner_type"]), r["shared_projects"])
              for r in rows]
    assert actual == _enterprise_partners()


@pytest.mark.parametrize("enterprise", [
    "Kunlun Salt Lake Chemistry Industry Co., Ltd.",
    "Huangshui Information Engineering Co., Ltd.",  # has no credit code; named in participation.csv by its name
])
def test_enterprise_partners_of_one_enterprise_given_by_name_or_credit_code(ask: Ask, enterprise: str) -> None:
    """enterprise-partners with `enterprise`: only that enterprise's rows, whether it is named or given by its code."""
    expected = _enterprise_partners(enterprise)
    assert expected
    code = PORTFOLIO.by_name(enterprise).credit_code
    for given in (enterprise, code) if code else (enterprise,):
        rows = ask("enterprise-partners", enterprise=given)
        actual = [(r["enterprise_name_en"], r["partner_name_en"], _local(r["partner_type"]), r["shared_projects"])
                  for r in rows]
        assert actual == expected, given


# ---- funding-by-year -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filters", [
    pytest.param({}, id="all"),
    pytest.param({"kind": "ig:ResearchBase", "year": 2022}, id="research-bases-2022"),
    pytest.param({"kind": "ig:ResearchBase"}, id="research-bases"),
    pytest.param({"kind": "ig:Action", "year": 2019}, id="actions-2019"),
    pytest.param({"year": 2026}, id="year-2026"),
])
def test_funding_by_year_sums_grants_per_component_year_and_currency(ask: Ask, filters: dict[str, Any]) -> None:
    """funding-by-year: per component, grant year and currency, the number of grants of the component's projects and
    the sum of their amounts; optionally only components of one kind and grants of one year; by code, year,
    currency."""
    kind = filters.get("kind", "").removeprefix("ig:")
    grants: dict[tuple[str, int, str], list[Decimal]] = {}
    for grant in PORTFOLIO.grants:
        for component in PORTFOLIO.projects[grant.project].components:
            if (kind and component_kind(component) != kind) or filters.get("year", grant.year) != grant.year:
                continue
            grants.setdefault((component, grant.year, grant.currency), []).append(grant.amount)
    expected = [(component, component_kind(component), year, currency, len(amounts), sum(amounts))
                for (component, year, currency), amounts in sorted(grants.items())]
    assert expected
    rows = ask("funding-by-year", **filters)
    assert [(r["code"], _local(r["kind"]), r["year"], r["currency"], r["grants"], r["total"]) for r in rows] == expected


# ---- lead-only-projects ----------------------------------------------------------------------------------------


def test_lead_only_projects_are_those_whose_only_participant_is_the_lead(ask: Ask) -> None:
    """lead-only-projects: the projects with a lead and no participation row of any other organisation; in code
    order, with the lead."""
    expected = [(code, lead) for code, lead in sorted(PORTFOLIO.lead.items())
                if PORTFOLIO.participants[code] == {lead}]
    assert expected
    assert [(r["code"], r["lead_name_en"]) for r in ask("lead-only-projects")] == expected


# ---- leading-organisations -------------------------------------------------------------------------------------


def _leading(order_by: str) -> list[tuple[str, int, Decimal]]:
    """Every organisation (the bureau too) with the projects it leads and the CNY funding it receives (its funding
    share of each CNY grant of its projects), ranked by `order_by`, then projects led, funding, name."""
    led = Counter(PORTFOLIO.lead.values())
    received = {o.name_en: Decimal(0) for o in PORTFOLIO.organisations}
    for participation in PORTFOLIO.participations:
        if participation.share is not None:
            received[participation.organisation] += participation.share * PORTFOLIO.cny_funding[participation.project]
    rows = [(name, led[name], funding) for name, funding in received.items()]

    def rank(row: tuple[str, int, Decimal]) -> tuple[Any, ...]:
        key = row[2] if order_by == "funding" else row[1]
        return (-key, -row[1], -row[2], row[0])

    return sorted(rows, key=rank)


@pytest.mark.parametrize("order_by", [None, "projects", "funding"])
@pytest.mark.parametrize("limit", [None, 3, 10000])
def test_leading_organisations_ranks_by_projects_led_or_by_funding_received(
        ask: Ask, order_by: str | None, limit: int | None) -> None:
    """leading-organisations: organisations ranked by the projects they lead (default) or by the funding they receive
    (amount of each CNY grant times their funding share), the first `limit` (default 10)."""
    expected = _leading(order_by or "projects")[: 10 if limit is None else limit]
    params = {key: value for key, value in (("order_by", order_by), ("limit", limit)) if value is not None}
    rows = ask("leading-organisations", **params)
    assert [(r["name_en"], r["projects_led"], r["funding_received"]) for r in rows] == expected


def test_leading_organisations_orders_differ_between_projects_and_funding() -> None:
    """The two rankings of the demo data are not the same list, so the order_by tests can tell them apart."""
    assert _leading("projects")[:10] != _leading("funding")[:10]


# ---- newest-projects -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [None, 1, 40])
def test_newest_projects_are_the_latest_started_newest_first_then_by_code(ask: Ask, limit: int | None) -> None:
    """newest-projects: projects with a start year, newest first and by code within a year; the first `limit`
    (default 10)."""
    ordered = sorted((p for p in PORTFOLIO.projects.values() if p.start_year is not None),
                     key=lambda p: (-(p.start_year or 0), p.code))
    expected = [(p.code, p.start_year, component) for p in ordered for component in p.components]
    expected = expected[: 10 if limit is None else limit]
    rows = ask("newest-projects") if limit is None else ask("newest-projects", limit=limit)
    assert [(r["code"], r["start_year"], r["component_code"]) for r in rows] == expected


# ---- organisations-at-base -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "code"), [("B2", "B2"), ("B7", "B7"), ("Tibetan carpet", "B5")])
def test_organisations_at_base_counts_projects_taken_part_in_and_led(ask: Ask, base: str, code: str) -> None:
    """organisations-at-base: the organisations with a participation row in projects of the research base, with the
    number of its projects each takes part in (any role) and leads; most projects first, then most led, then by
    name. The base may be given by code or label ("Tibetan carpet" is B5)."""
    projects = PORTFOLIO.projects_under(code)
    kinds = {o.name_en: ORGANISATION_CLASSES[o.type] for o in PORTFOLIO.organisations}
    taking_part = Counter(o for p in projects for o in PORTFOLIO.participants[p])
    leading = Counter(PORTFOLIO.lead[p] for p in projects if p in PORTFOLIO.lead)
    expected = sorted(((name, kinds[name], n, leading[name]) for name, n in taking_part.items()),
                      key=lambda row: (-row[2], -row[3], row[0]))
    assert expected
    rows = ask("organisations-at-base", base=base)
    assert [(r["name_en"], _local(r["type"]), r["projects"], r["led"]) for r in rows] == expected


# ---- organisations-by-district ---------------------------------------------------------------------------------


def test_organisations_by_district_counts_parks_for_the_zone_and_the_rest_without_district(ask: Ask) -> None:
    """organisations-by-district: every organisation (the bureau too) counted once, for its district, county or
    development zone; organisations in an industrial park count for the Xining Economic and Technological
    Development Zone; those with no location or located only in the city count in the row with no district.
    Most organisations first, then by label (the row with no label before labelled rows of the same count)."""
    counts = Counter(district_of(o.location) for o in PORTFOLIO.organisations)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0] is not None, item[0] or ""))
    rows = ask("organisations-by-district")
    assert [(r["label_en"], r["organisations"]) for r in rows] == expected
    assert sum(r["organisations"] for r in rows) == len(PORTFOLIO.organisations)


# ---- organisations-without-location ----------------------------------------------------------------------------


def test_organisations_without_location_are_those_with_an_empty_location(ask: Ask) -> None:
    """organisations-without-location: the organisations with no location at all (the bureau is located in
    Xining, so it is not one), by name."""
    expected = sorted(o.name_en for o in PORTFOLIO.organisations if o.location is None)
    assert expected
    assert [r["name_en"] for r in ask("organisations-without-location")] == expected


# ---- projects-without-funding ----------------------------------------------------------------------------------


def test_projects_without_funding_are_those_no_grant_row_names(ask: Ask) -> None:
    """projects-without-funding: the projects whose code no row of funding.csv names, in code order."""
    funded = {grant.project for grant in PORTFOLIO.grants}
    expected = [(code, p.start_year) for code, p in sorted(PORTFOLIO.projects.items()) if code not in funded]
    assert expected
    assert [(r["code"], r["start_year"]) for r in ask("projects-without-funding")] == expected


# ---- collaboration-network -------------------------------------------------------------------------------------


@pytest.mark.parametrize("min_shared", [None, 2, 3])
def test_collaboration_network_gives_each_pair_once_with_shared_projects_and_their_cny_funding(
        ask: Ask, min_shared: int | None) -> None:
    """collaboration-network: each unordered pair of different organisations sharing at least min_shared projects
    (default 1) appears once, with the number of projects they share and the sum of those projects' CNY grants;
    most shared projects first, then most funding, then by the two names."""
    threshold = 1 if min_shared is None else min_shared
    expected = {(pair, len(codes), sum((PORTFOLIO.cny_funding[c] for c in codes), Decimal(0)))
                for pair, codes in PORTFOLIO.shared_projects.items() if len(codes) >= threshold}
    assert expected
    rows = ask("collaboration-network") if min_shared is None else ask("collaboration-network", min_shared=min_shared)
    pairs = [frozenset((r["name_a"], r["name_b"])) for r in rows]
    assert all(len(pair) == 2 for pair in pairs), "an organisation paired with itself"
    assert [pair for pair, n in Counter(pairs).items() if n > 1] == [], "a pair listed twice"
    assert {(frozenset((r["name_a"], r["name_b"])), r["shared_projects"], r["total_funding"]) for r in rows} == expected
    assert rows == sorted(rows, key=lambda r: (-r["shared_projects"], -r["total_funding"], r["name_a"], r["name_b"]))


# ---- collaboration-hops ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("organisation", "hops"), [
    ("Qinghe Materials Development Co., Ltd.", 1),
    ("Qinghe Materials Development Co., Ltd.", 2),
    ("Qinghe Materials Development Co., Ltd.", 3),
    ("Nanshan Tibetan Medicine University", None),  # no credit code; default hops 2
    ("Nanshan Tibetan Medicine University", 4),
])
def test_collaboration_hops_reaches_organisations_within_n_links_at_their_fewest_hops(
        ask: Ask, organisation: str, hops: int | None) -> None:
    """collaboration-hops: the organisations other than the start reachable through at most `hops` (default 2)
    links of shared projects, each with the fewest links that reach it (1 = shares a project with the start);
    nearest first, then by name. The start may be given by name or credit code."""
    expected = sorted(PORTFOLIO.hops_from(organisation, 2 if hops is None else hops).items(),
                      key=lambda item: (item[1], item[0]))
    assert expected
    code = PORTFOLIO.by_name(organisation).credit_code
    for given in (organisation, code) if code else (organisation,):
        params: dict[str, Any] = {"organisation": given} | ({} if hops is None else {"hops": hops})
        rows = ask("collaboration-hops", **params)
        assert [(r["name_en"], r["distance"]) for r in rows] == expected, given


def test_collaboration_hops_grow_with_n_for_the_chosen_start() -> None:
    """The start organisation of the hop tests reaches new organisations at 2 and at 3 hops, so hops matters."""
    distances = [set(PORTFOLIO.hops_from("Qinghe Materials Development Co., Ltd.", n)) for n in (1, 2, 3)]
    assert distances[0] < distances[1] < distances[2]
