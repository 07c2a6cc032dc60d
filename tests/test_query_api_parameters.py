"""/api/queries/NAME parameters: a bad value is a 400 naming the parameter, a hostile value is refused or
matches nothing, and nothing in the store changes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from innograph.config import Settings
from innograph.store import open_store
from innograph.store.rdfio import SYNTAXES

from .demo_truth import PORTFOLIO
from .query_api import (
    IG,
    INSTANCE_NAMESPACE,
    SOME_ORGANISATION,
    TIBETAN_MEDICINE_BASE,
    answer,
    ask,
    assert_parameter_error,
)

pytestmark = pytest.mark.backends


# ------------------------------------------------------------------------------------------------------------------
# Parameters: errors naming the parameter, hostile values, an unchanged store
# ------------------------------------------------------------------------------------------------------------------

BAD_VALUES = [
    pytest.param("newest-projects", [("limit", "ten")], "limit", id="integer-not-a-number"),
    pytest.param("newest-projects", [("limit", "1.5")], "limit", id="integer-a-fraction"),
    pytest.param("newest-projects", [("limit", "0")], "limit", id="integer-below-minimum"),
    pytest.param("newest-projects", [("limit", "10001")], "limit", id="integer-above-maximum"),
    pytest.param("collaboration-hops", [("organisation", SOME_ORGANISATION), ("hops", "5")], "hops",
                 id="integer-above-header-maximum"),
    pytest.param("projects", [("from_year", "22")], "from_year", id="year-two-digits"),
    pytest.param("projects", [("to_year", "twenty")], "to_year", id="year-a-word"),
    pytest.param("funding-by-year", [("year", "2022-01-01")], "year", id="year-a-date"),
    pytest.param("projects", [("component", TIBETAN_MEDICINE_BASE.replace("/base/", "/nothing/"))], "component",
                 id="iri-of-nothing"),
    pytest.param("collaboration-hops", [("organisation", TIBETAN_MEDICINE_BASE)], "organisation",
                 id="iri-of-the-wrong-class"),
    pytest.param("projects", [("focus_area", TIBETAN_MEDICINE_BASE)], "focus_area", id="iri-of-a-base-not-an-area"),
    pytest.param("projects", [("component", "ig:Project")], "component", id="prefixed-name-of-a-class"),
    pytest.param("funding-by-year", [("kind", TIBETAN_MEDICINE_BASE)], "kind", id="iri-not-a-class"),
    pytest.param("organisations-at-base", [("base", "B99")], "base", id="code-of-nothing"),
    pytest.param("organisations-at-base", [("base", "A1")], "base", id="code-of-an-action-not-a-base"),
    pytest.param("leading-organisations", [("order_by", "size")], "order_by", id="string-not-a-choice"),
    pytest.param("projects", [("colour", "red")], "colour", id="unknown-parameter"),
    pytest.param("components", [("limit", "5")], "limit", id="parameter-of-another-query"),
    pytest.param("projects", [("from_year", "2020"), ("from_year", "2021")], "from_year", id="repeated"),
    pytest.param("projects", [("component", "B3"), ("component", "B3")], "component", id="repeated-same-value"),
    pytest.param("organisations-at-base", [], "base", id="missing-required"),
    pytest.param("collaboration-hops", [("hops", "2")], "organisation", id="missing-required-with-others"),
]


@pytest.mark.parametrize(("name", "params", "parameter"), BAD_VALUES)
def test_a_bad_value_is_a_400_naming_the_parameter(demo_service: str, name: str, params: list[tuple[str, str]],
                                                   parameter: str) -> None:
    assert_parameter_error(*ask(demo_service, name, params), parameter)


def test_a_year_below_1000_is_refused_as_the_openapi_description_says(demo_service: str) -> None:
    """The description declares years 1000-9999; `0999` is written with four digits but is the year 999."""
    assert_parameter_error(*ask(demo_service, "projects", {"from_year": "0999"}), "from_year")


HOSTILE = [
    pytest.param('"} ; DROP ALL #', id="close-and-drop"),
    pytest.param('B3" || "1" = "1', id="always-true"),
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<https://w3id.org/innograph/def/Project> } ; DELETE WHERE { ?s ?p ?o } #", id="iri-and-delete"),
    pytest.param(f"{IG}Project> . ?s ?p ?o", id="iri-breaking-out"),
    pytest.param("1 } LIMIT 100000", id="limit-override"),
    pytest.param("2022 || true", id="year-or-true"),
    pytest.param("x\x00y", id="nul"),
    pytest.param("ä" * 5000, id="huge"),
]
TARGETS = [
    pytest.param("projects", "component", {}, id="iri"),
    pytest.param("collaboration-hops", "organisation", {}, id="required-iri"),
    pytest.param("funding-by-year", "kind", {}, id="class-iri"),
    pytest.param("leading-organisations", "order_by", {}, id="string"),
    pytest.param("newest-projects", "limit", {}, id="integer-limit"),
    pytest.param("collaboration-hops", "hops", {"organisation": SOME_ORGANISATION}, id="integer"),
    pytest.param("projects", "from_year", {}, id="year"),
    pytest.param("funding-by-year", "year", {}, id="year-2"),
]


def hostile_requests() -> Iterator[tuple[str, str, dict[str, str]]]:
    for target in TARGETS:
        name, parameter, others = target.values
        for value in HOSTILE:
            yield name, parameter, {**others, parameter: value.values[0]}


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("name", "parameter", "others"), TARGETS)
def test_a_hostile_value_is_refused_or_matches_nothing(demo_service: str, name: str, parameter: str,
                                                      others: dict[str, str], value: str) -> None:
    status, headers, body = ask(demo_service, name, {**others, parameter: value})
    if status == 200:
        # Text that names nothing can only have an empty answer; it never widens one.
        assert json.loads(body)["row_count"] == 0
        return
    error = assert_parameter_error(status, headers, body, parameter)
    assert INSTANCE_NAMESPACE not in error["message"], "an error about a hostile value shows data of the store"


def test_a_hostile_value_in_every_format_is_still_a_json_error(demo_service: str) -> None:
    for alias in ("csv", "tsv", "sparql-json", "xml"):
        status, headers, body = ask(demo_service, "projects", {"component": '"} ; DROP ALL #', "format": alias})
        assert_parameter_error(status, headers, body, "component")


def test_a_hostile_parameter_name_is_named_in_the_400(demo_service: str) -> None:
    name = "x} ; DROP ALL #"
    assert_parameter_error(*ask(demo_service, "projects", {name: "1"}), name)


@pytest.mark.parametrize(("name", "params"), [
    pytest.param("projects", {"from_year": "9999"}, id="year-after-every-project"),
    pytest.param("projects", {"from_year": "2024", "to_year": "2020"}, id="empty-range"),
    pytest.param("funding-by-year", {"kind": "ig:Organization"}, id="a-class-no-component-has"),
    pytest.param("collaboration-network", {"min_shared": "10000"}, id="more-shared-projects-than-any-pair"),
])
def test_a_valid_value_that_matches_nothing_gives_an_empty_answer(demo_service: str, name: str,
                                                                  params: dict[str, str]) -> None:
    document = answer(demo_service, name, params)
    assert document["rows"] == [] and document["row_count"] == 0


def test_an_iri_a_code_and_a_label_give_the_same_filtered_answer(demo_service: str) -> None:
    by_code = answer(demo_service, "projects", {"component": "B3"})
    by_label = answer(demo_service, "projects", {"component": by_code["rows"][0]["component_code"]})
    assert by_label["rows"] == by_code["rows"]
    assert sorted({row["code"] for row in by_code["rows"]}) == sorted(PORTFOLIO.projects_under("B3"))
    component_iri = by_code["parameters"]["component"]
    by_iri = answer(demo_service, "projects", {"component": f"<{component_iri}>"})
    assert by_iri["rows"] == by_code["rows"]


def test_a_class_filter_keeps_only_that_kind(demo_service: str) -> None:
    every = answer(demo_service, "funding-by-year")
    bases = answer(demo_service, "funding-by-year", {"kind": "ig:ResearchBase"})
    assert bases["row_count"] > 0
    assert {row["kind"] for row in bases["rows"]} == {f"{IG}ResearchBase"}
    assert bases["rows"] == [row for row in every["rows"] if row["kind"] == f"{IG}ResearchBase"]


def test_hostile_requests_change_nothing_in_the_store(demo_service: str, demo_settings: Settings) -> None:
    store = open_store(demo_settings.store)
    graphs_before = store.named_graphs()
    before = store.dump(SYNTAXES["nquads"])
    statuses = set()
    for name, _, params in hostile_requests():
        statuses.add(ask(demo_service, name, params)[0])
    for bad in BAD_VALUES:
        name, params, _ = bad.values
        statuses.add(ask(demo_service, name, params)[0])
    assert statuses <= {200, 400}
    after_store = open_store(demo_settings.store)
    assert after_store.named_graphs() == graphs_before
    assert after_store.dump(SYNTAXES["nquads"]) == before


