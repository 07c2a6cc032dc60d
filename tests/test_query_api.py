"""The query library over real HTTP: /api/queries, /api/queries/NAME in every format, networks, OpenAPI.

What the API should say about each query is read here from the `#+` headers of queries/*.rq with a YAML
parser of our own, not through innograph's catalogue, so a header the code misreads shows up as a difference.
Expected filtered answers come from tests/demo_truth.py, which reads the demo CSV files without SPARQL.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import hypothesis
import networkx
import pytest
import schemathesis
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from innograph.config import Settings
from innograph.store import open_store
from innograph.store.rdfio import SYNTAXES

from .demo_truth import PORTFOLIO

pytestmark = pytest.mark.backends

QUERY_FOLDER = Path(__file__).resolve().parents[1] / "queries"
IG = "https://w3id.org/innograph/def/"
TIBETAN_MEDICINE_BASE = "https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine"
INSTANCE_NAMESPACE = "https://w3id.org/innograph/id/"


def read_headers() -> dict[str, dict[str, Any]]:
    """Each query's `#+` header as YAML, by file name."""
    headers = {}
    for path in sorted(QUERY_FOLDER.glob("*.rq")):
        lines = [line[2:].removeprefix(" ") for line in path.read_text("utf-8").splitlines() if line.startswith("#+")]
        headers[path.stem] = yaml.safe_load("\n".join(lines))
    return headers


HEADERS = read_headers()
NETWORK_QUERIES = sorted(name for name, header in HEADERS.items() if header.get("network"))

# An organisation with at least one partner, named as a user would: by its English name.
SOME_ORGANISATION = sorted(name for name, partners in PORTFOLIO.partners.items() if partners)[0]
REQUIRED_VALUES = {"organisation": SOME_ORGANISATION, "base": "B2"}
TIBETAN_MEDICINE_BASE = "https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine"  # data/programme/5568.ttl
"""A valid value for each required parameter of the library."""


def params_of(name: str) -> list[dict[str, Any]]:
    return HEADERS[name].get("params") or []


def required_params(name: str) -> dict[str, str]:
    return {p["name"]: REQUIRED_VALUES[p["name"]] for p in params_of(name) if p.get("required")}


# ------------------------------------------------------------------------------------------------------------------
# The live service and plain HTTP
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


def fetch(url: str, accept: str | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept is not None else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def ask(base: str, name: str, params: dict[str, str] | list[tuple[str, str]] | None = None,
        accept: str | None = None) -> tuple[int, Message, bytes]:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return fetch(f"{base}/api/queries/{name}{query}", accept)


def answer(base: str, name: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain JSON answer, which must be a 200."""
    status, headers, body = ask(base, name, params)
    assert status == 200, body
    assert headers.get_content_type() == "application/json"
    return json.loads(body)


def assert_parameter_error(status: int, headers: Message, body: bytes, parameter: str) -> dict[str, Any]:
    """A 400 whose JSON error names `parameter`."""
    assert status == 400, body
    assert headers.get_content_type() == "application/json"
    error = json.loads(body)
    assert set(error) == {"error", "status", "message"}
    assert error["status"] == 400
    assert f"'{parameter}'" in error["message"], error["message"]
    return error


def csv_rows(body: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))


# ------------------------------------------------------------------------------------------------------------------
# 1. The list
# ------------------------------------------------------------------------------------------------------------------


def test_the_list_has_every_query_file_with_its_header(service: str) -> None:
    status, headers, body = fetch(f"{service}/api/queries")
    assert status == 200
    assert headers.get_content_type() == "application/json"
    listed = {entry["name"]: entry for entry in json.loads(body)}
    assert sorted(listed) == sorted(path.stem for path in QUERY_FOLDER.glob("*.rq"))
    assert len(listed) == 15
    for name, header in HEADERS.items():
        entry = listed[name]
        assert entry["title"] == {lang: header["title"][lang].strip() for lang in ("en", "zh")}
        assert entry["columns"] == header["columns"]
        assert entry["network"] is bool(header.get("network"))
        assert [p["name"] for p in entry["parameters"]] == [p["name"] for p in params_of(name)]
        for listed_parameter, declared in zip(entry["parameters"], params_of(name), strict=True):
            assert listed_parameter["type"] == declared["type"]
            assert listed_parameter["required"] is bool(declared.get("required", False))
            assert listed_parameter["description"]["en"] == declared["description"]["en"]
            if "choices" in declared:
                assert listed_parameter["choices"] == declared["choices"]
            if "default" in declared:
                assert str(listed_parameter["default"]) == str(declared["default"])


def test_the_list_gives_each_query_a_url_that_answers_it(service: str) -> None:
    for entry in json.loads(fetch(f"{service}/api/queries")[2]):
        assert entry["url"] == f"{service}/api/queries/{entry['name']}"
        extra = required_params(entry["name"])
        status, _, body = fetch(entry["url"] + (f"?{urllib.parse.urlencode(extra)}" if extra else ""))
        assert status == 200, (entry["name"], body)
        document = json.loads(body)
        assert document["query"] == entry["name"]
        assert document["columns"] == HEADERS[entry["name"]]["columns"]


@pytest.mark.parametrize("name", ["no-such-query", "projects.rq", "PROJECTS", "%2E%2E%2Fcatalogue.py"])
def test_an_unknown_query_is_a_json_404(service: str, name: str) -> None:
    status, headers, body = ask(service, name)
    assert status == 404
    assert headers.get_content_type() == "application/json"
    assert json.loads(body)["status"] == 404


# ------------------------------------------------------------------------------------------------------------------
# 2. Formats and content negotiation
# ------------------------------------------------------------------------------------------------------------------

B3_SINCE_2022 = {"component": "B3", "from_year": "2022"}


def test_plain_json_is_the_default(service: str) -> None:
    for accept in (None, "*/*", "application/json"):
        status, headers, body = ask(service, "projects", B3_SINCE_2022, accept)
        assert status == 200
        assert headers.get_content_type() == "application/json"
        document = json.loads(body)
        assert set(document) == {"query", "parameters", "columns", "rows", "row_count", "page", "page_size", "next"}
        assert document["query"] == "projects"
        assert document["columns"] == HEADERS["projects"]["columns"]
        assert document["row_count"] == len(document["rows"]) > 0
        assert all(set(row) == set(document["columns"]) for row in document["rows"])


def test_json_answers_the_filtered_question_correctly(service: str) -> None:
    """Research base B3's projects starting in 2022 or later, as the demo CSV files list them."""
    expected = sorted(code for code in PORTFOLIO.projects_under("B3")
                      if (PORTFOLIO.projects[code].start_year or 0) >= 2022)
    document = answer(service, "projects", B3_SINCE_2022)
    assert sorted({row["code"] for row in document["rows"]}) == expected
    assert all(row["start_year"] >= 2022 for row in document["rows"])


@pytest.mark.parametrize("how", ["accept", "format"])
def test_csv_has_the_json_columns_and_rows(service: str, how: str) -> None:
    document = answer(service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(service, "projects", B3_SINCE_2022, accept="text/csv")
    else:
        status, headers, body = ask(service, "projects", {**B3_SINCE_2022, "format": "csv"})
    assert status == 200
    assert headers.get_content_type() == "text/csv"
    assert 'filename="projects.csv"' in headers["Content-Disposition"]
    rows = csv_rows(body)
    assert rows[0] == document["columns"]
    assert len(rows) - 1 == document["row_count"]
    code = rows[0].index("code")
    assert [row[code] for row in rows[1:]] == [row["code"] for row in document["rows"]]


@pytest.mark.parametrize("how", ["accept", "format"])
def test_tsv_has_the_json_variables_and_rows(service: str, how: str) -> None:
    document = answer(service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(service, "projects", B3_SINCE_2022, accept="text/tab-separated-values")
    else:
        status, headers, body = ask(service, "projects", {**B3_SINCE_2022, "format": "tsv"})
    assert status == 200
    assert headers.get_content_type() == "text/tab-separated-values"
    lines = body.decode("utf-8").rstrip("\n").split("\n")
    # SPARQL 1.1 TSV results write the variables with their question mark.
    assert lines[0].split("\t") == [f"?{column}" for column in document["columns"]]
    assert len(lines) - 1 == document["row_count"]


@pytest.mark.parametrize("how", ["accept", "format"])
def test_sparql_json_has_the_json_columns_as_variables(service: str, how: str) -> None:
    document = answer(service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(service, "projects", B3_SINCE_2022, accept="application/sparql-results+json")
    else:
        status, headers, body = ask(service, "projects", {**B3_SINCE_2022, "format": "sparql-json"})
    assert status == 200
    assert headers.get_content_type() == "application/sparql-results+json"
    results = json.loads(body)
    assert results["head"]["vars"] == document["columns"]
    assert len(results["results"]["bindings"]) == document["row_count"]
    assert [b["code"]["value"] for b in results["results"]["bindings"]] == [r["code"] for r in document["rows"]]


def test_sparql_xml_has_the_json_columns_as_variables(service: str) -> None:
    document = answer(service, "projects", B3_SINCE_2022)
    status, headers, body = ask(service, "projects", {**B3_SINCE_2022, "format": "xml"})
    assert status == 200
    assert headers.get_content_type() == "application/sparql-results+xml"
    namespace = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", namespace)] == document["columns"]
    assert len(root.findall("r:results/r:result", namespace)) == document["row_count"]


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/tab-separated-values;q=0.2, text/csv", "text/csv"),
    ("application/json;q=0.1, application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml;q=0.9, image/png", "application/sparql-results+xml"),
    ("image/png, */*;q=0.1", "application/json"),
])
def test_q_values_choose_the_format(service: str, accept: str, expected: str) -> None:
    status, headers, _ = ask(service, "components", accept=accept)
    assert status == 200
    assert headers.get_content_type() == expected


def test_format_wins_over_accept(service: str) -> None:
    status, headers, body = ask(service, "components", {"format": "json"}, accept="text/csv")
    assert status == 200
    assert headers.get_content_type() == "application/json"
    assert json.loads(body)["query"] == "components"


@pytest.mark.parametrize(("params", "accept"), [
    (None, "image/png"),
    ({"format": "png"}, None),
    ({"format": "graphml"}, None),
])
def test_nothing_acceptable_is_a_json_406(service: str, params: dict[str, str] | None, accept: str | None) -> None:
    status, headers, body = ask(service, "components", params, accept=accept)
    assert status == 406
    assert headers.get_content_type() == "application/json"
    error = json.loads(body)
    assert error["status"] == 406
    assert "text/csv" in error["message"]  # says what is available
    assert "Accept" in headers.get("Vary", "")


@pytest.mark.parametrize("accept", ["application/json", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+json", "application/sparql-results+xml"])
def test_every_answer_varies_by_accept(service: str, accept: str) -> None:
    status, headers, _ = ask(service, "components", accept=accept)
    assert status == 200
    assert "Accept" in [part.strip() for part in headers.get("Vary", "").split(",")]


def test_tsv_is_offered_as_a_download_too(service: str) -> None:
    _, headers, _ = ask(service, "components", {"format": "tsv"})
    assert 'filename="components.tsv"' in headers["Content-Disposition"]


# ------------------------------------------------------------------------------------------------------------------
# 3. Parameters: errors naming the parameter, hostile values, an unchanged store
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
def test_a_bad_value_is_a_400_naming_the_parameter(service: str, name: str, params: list[tuple[str, str]],
                                                   parameter: str) -> None:
    assert_parameter_error(*ask(service, name, params), parameter)


def test_a_year_below_1000_is_refused_as_the_openapi_description_says(service: str) -> None:
    """The description declares years 1000-9999; `0999` is written with four digits but is the year 999."""
    assert_parameter_error(*ask(service, "projects", {"from_year": "0999"}), "from_year")


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
def test_a_hostile_value_is_refused_or_matches_nothing(service: str, name: str, parameter: str,
                                                      others: dict[str, str], value: str) -> None:
    status, headers, body = ask(service, name, {**others, parameter: value})
    if status == 200:
        # Text that names nothing can only have an empty answer; it never widens one.
        assert json.loads(body)["row_count"] == 0
        return
    error = assert_parameter_error(status, headers, body, parameter)
    assert INSTANCE_NAMESPACE not in error["message"], "an error about a hostile value shows data of the store"


def test_a_hostile_value_in_every_format_is_still_a_json_error(service: str) -> None:
    for alias in ("csv", "tsv", "sparql-json", "xml"):
        status, headers, body = ask(service, "projects", {"component": '"} ; DROP ALL #', "format": alias})
        assert_parameter_error(status, headers, body, "component")


def test_a_hostile_parameter_name_is_named_in_the_400(service: str) -> None:
    name = "x} ; DROP ALL #"
    assert_parameter_error(*ask(service, "projects", {name: "1"}), name)


@pytest.mark.parametrize(("name", "params"), [
    pytest.param("projects", {"from_year": "9999"}, id="year-after-every-project"),
    pytest.param("projects", {"from_year": "2024", "to_year": "2020"}, id="empty-range"),
    pytest.param("funding-by-year", {"kind": "ig:Organization"}, id="a-class-no-component-has"),
    pytest.param("collaboration-network", {"min_shared": "10000"}, id="more-shared-projects-than-any-pair"),
])
def test_a_valid_value_that_matches_nothing_gives_an_empty_answer(service: str, name: str,
                                                                  params: dict[str, str]) -> None:
    document = answer(service, name, params)
    assert document["rows"] == [] and document["row_count"] == 0


def test_an_iri_a_code_and_a_label_give_the_same_filtered_answer(service: str) -> None:
    by_code = answer(service, "projects", {"component": "B3"})
    by_label = answer(service, "projects", {"component": by_code["rows"][0]["component_code"]})
    assert by_label["rows"] == by_code["rows"]
    assert sorted({row["code"] for row in by_code["rows"]}) == sorted(PORTFOLIO.projects_under("B3"))
    component_iri = by_code["parameters"]["component"]
    by_iri = answer(service, "projects", {"component": f"<{component_iri}>"})
    assert by_iri["rows"] == by_code["rows"]


def test_a_class_filter_keeps_only_that_kind(service: str) -> None:
    every = answer(service, "funding-by-year")
    bases = answer(service, "funding-by-year", {"kind": "ig:ResearchBase"})
    assert bases["row_count"] > 0
    assert {row["kind"] for row in bases["rows"]} == {f"{IG}ResearchBase"}
    assert bases["rows"] == [row for row in every["rows"] if row["kind"] == f"{IG}ResearchBase"]


def test_hostile_requests_change_nothing_in_the_store(service: str, demo_settings: Settings) -> None:
    store = open_store(demo_settings.store)
    graphs_before = store.named_graphs()
    before = store.dump(SYNTAXES["nquads"])
    statuses = set()
    for name, _, params in hostile_requests():
        statuses.add(ask(service, name, params)[0])
    for bad in BAD_VALUES:
        name, params, _ = bad.values
        statuses.add(ask(service, name, params)[0])
    assert statuses <= {200, 400}
    after_store = open_store(demo_settings.store)
    assert after_store.named_graphs() == graphs_before
    assert after_store.dump(SYNTAXES["nquads"]) == before


# ------------------------------------------------------------------------------------------------------------------
# 4. Networks: GraphML, GEXF and CSV edge lists
# ------------------------------------------------------------------------------------------------------------------

NETWORK_PARAMS = {"collaboration-network": {"min_shared": "2"}, "cross-base-linkages": {"min_bases": "3"},
                  "enterprise-partners": {}}


def test_the_network_queries_are_the_three_the_headers_say() -> None:
    assert sorted(NETWORK_PARAMS) == NETWORK_QUERIES


@pytest.mark.parametrize("name", NETWORK_QUERIES)
@pytest.mark.parametrize("how", ["format", "accept"])
def test_graphml_has_an_edge_per_row_with_its_weight(service: str, name: str, how: str) -> None:
    network = HEADERS[name]["network"]
    params = NETWORK_PARAMS[name]
    document = answer(service, name, params)
    assert document["row_count"] > 0
    if how == "format":
        status, headers, body = ask(service, name, {**params, "format": "graphml"})
    else:
        status, headers, body = ask(service, name, params, accept="application/graphml+xml")
    assert status == 200, body
    assert headers.get_content_type() == "application/graphml+xml"
    assert f'filename="{name}.graphml"' in headers["Content-Disposition"]
    graph = networkx.read_graphml(io.BytesIO(body))
    assert graph.number_of_edges() == document["row_count"]
    ends = {row[network["source"]] for row in document["rows"]} | {row[network["target"]] for row in document["rows"]}
    assert set(graph.nodes) == ends
    for row in document["rows"]:
        source, target = row[network["source"]], row[network["target"]]
        assert graph.edges[source, target]["weight"] == row[network["weight"]]
        if row[network["source_label"]] is not None:
            assert graph.nodes[source]["label"] == row[network["source_label"]]


@pytest.mark.parametrize("name", NETWORK_QUERIES)
@pytest.mark.parametrize("how", ["format", "accept"])
def test_gexf_reads_back_as_the_same_network(service: str, name: str, how: str) -> None:
    params = NETWORK_PARAMS[name]
    document = answer(service, name, params)
    if how == "format":
        status, headers, body = ask(service, name, {**params, "format": "gexf"})
    else:
        status, headers, body = ask(service, name, params, accept="application/gexf+xml")
    assert status == 200, body
    assert headers.get_content_type() == "application/gexf+xml"
    graph = networkx.read_gexf(io.BytesIO(body))
    assert graph.number_of_edges() == document["row_count"]
    network = HEADERS[name]["network"]
    assert set(graph.nodes) == ({row[network["source"]] for row in document["rows"]}
                                | {row[network["target"]] for row in document["rows"]})


@pytest.mark.parametrize("name", NETWORK_QUERIES)
def test_an_edge_list_is_csv_with_source_target_weight_first(service: str, name: str) -> None:
    network = HEADERS[name]["network"]
    params = NETWORK_PARAMS[name]
    document = answer(service, name, params)
    status, headers, body = ask(service, name, {**params, "format": "edges"})
    assert status == 200
    assert headers.get_content_type() == "text/csv"
    assert headers["Content-Disposition"].rstrip('"').endswith(".csv")
    rows = csv_rows(body)
    assert rows[0][:3] == ["Source", "Target", "Weight"]
    assert len(rows) - 1 == document["row_count"]
    assert [row[:3] for row in rows[1:]] == [
        [r[network["source"]], r[network["target"]], str(r[network["weight"]])] for r in document["rows"]]


def test_text_csv_on_a_network_query_is_the_table_not_the_edge_list(service: str) -> None:
    status, _, body = ask(service, "collaboration-network", accept="text/csv")
    assert status == 200
    assert csv_rows(body)[0] == HEADERS["collaboration-network"]["columns"]


@pytest.mark.parametrize(("params", "accept"), [
    ({"format": "graphml"}, None), ({"format": "gexf"}, None), ({"format": "edges"}, None),
    (None, "application/graphml+xml"), (None, "application/gexf+xml"),
])
def test_a_network_format_of_a_table_query_is_406(service: str, params: dict[str, str] | None,
                                                  accept: str | None) -> None:
    for name in ("projects", "components"):
        status, _, body = ask(service, name, params, accept=accept)
        assert status == 406, (name, params, accept)
        assert json.loads(body)["status"] == 406


# ------------------------------------------------------------------------------------------------------------------
# 5. The OpenAPI description
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(service: str) -> dict[str, Any]:
    status, headers, body = fetch(f"{service}/api/openapi.json")
    assert status == 200
    assert headers.get_content_type() == "application/json"
    return json.loads(body)


def test_the_openapi_description_validates(openapi: dict[str, Any], service: str) -> None:
    validate(openapi)
    assert openapi["openapi"].startswith("3.1.")
    assert openapi["servers"] == [{"url": service}]


def test_openapi_has_a_path_per_query_with_every_header_parameter(openapi: dict[str, Any]) -> None:
    assert set(openapi["paths"]) == {"/api/queries", "/api/network"} | {f"/api/queries/{name}" for name in HEADERS}
    for name, header in HEADERS.items():
        operation = openapi["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == header["title"]["en"].strip()
        described = {p["name"]: p for p in operation["parameters"]}
        assert set(described) == {p["name"] for p in params_of(name)} | {"format", "page", "page_size"}
        assert all(p["in"] == "query" for p in operation["parameters"])
        for declared in params_of(name):
            parameter = described[declared["name"]]
            schema = parameter["schema"]
            assert parameter["required"] is bool(declared.get("required", False)), (name, declared["name"])
            expected_type = {"iri": "string", "string": "string", "integer": "integer", "year": "integer",
                             "decimal": "number"}[declared["type"]]
            assert schema["type"] == expected_type, (name, declared["name"])
            if declared["type"] == "year":
                assert (schema["minimum"], schema["maximum"]) == (1000, 9999)
            else:
                for bound in ("minimum", "maximum"):
                    if bound in declared:
                        assert schema.get(bound) == declared[bound], (name, declared["name"], bound)
            assert schema.get("enum") == declared.get("choices"), (name, declared["name"])
            assert schema.get("default") == declared.get("default"), (name, declared["name"])
            if declared["type"] == "iri":
                local_name = declared["class"].partition(":")[2]
                assert local_name in parameter["description"]


def test_openapi_describes_the_network_api_with_every_relation(openapi: dict[str, Any], service: str) -> None:
    operation = openapi["paths"]["/api/network"]["get"]
    described = {p["name"]: p for p in operation["parameters"]}
    assert described["iri"]["required"] is True
    assert described["hops"]["schema"]["enum"] == [1, 2]
    relations = described["relation"]["schema"]["items"]["enum"]
    assert set(relations) == {"participant", "leadOrganization", "collaboratesWith", "partOf", "hasFocusArea",
                              "locatedIn"}  # the ontology's relations the network view draws
    query = urllib.parse.urlencode({"iri": TIBETAN_MEDICINE_BASE, "hops": 1, "relation": "partOf"})
    status, _, body = fetch(f"{service}/api/network?{query}")
    assert status == 200
    answer = json.loads(body)
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Network")
    assert set(openapi["components"]["schemas"]["Network"]["required"]) <= set(answer)
    assert answer["relations"] == ["partOf"] and answer["node_count"] > 1  # the base and its projects


def test_openapi_offers_the_network_formats_only_for_networks(openapi: dict[str, Any]) -> None:
    for name, header in HEADERS.items():
        operation = openapi["paths"][f"/api/queries/{name}"]["get"]
        formats = next(p for p in operation["parameters"] if p["name"] == "format")["schema"]["enum"]
        media_types = set(operation["responses"]["200"]["content"])
        assert {"json", "csv", "tsv", "sparql-json", "xml"} <= set(formats)
        assert {"application/json", "text/csv", "text/tab-separated-values", "application/sparql-results+json",
                "application/sparql-results+xml"} <= media_types
        if header.get("network"):
            assert {"graphml", "gexf", "edges"} <= set(formats)
            assert {"application/graphml+xml", "application/gexf+xml"} <= media_types
        else:
            assert not {"graphml", "gexf", "edges"} & set(formats)
            assert not {"application/graphml+xml", "application/gexf+xml"} & media_types
        assert {"200", "400", "406"} <= set(operation["responses"])


def described(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a reference to #/components/schemas/… replaced by what it refers to."""
    if "$ref" in schema:
        return openapi["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def parameter_described(openapi: dict[str, Any], name: str, parameter: str) -> dict[str, Any]:
    operation = openapi["paths"][f"/api/queries/{name}"]["get"]
    return next(p for p in operation["parameters"] if p["name"] == parameter)


def test_every_format_the_description_offers_is_answered_as_described(service: str,
                                                                      openapi: dict[str, Any]) -> None:
    """Each format= value of each query is a 200 of a media type the description lists, and a JSON body
    (plain or SPARQL JSON) fits the schema the description gives for that media type."""
    departures = []
    for name in HEADERS:
        content = openapi["paths"][f"/api/queries/{name}"]["get"]["responses"]["200"]["content"]
        for alias in parameter_described(openapi, name, "format")["schema"]["enum"]:
            status, headers, body = ask(service, name, {**required_params(name), "format": alias})
            assert status == 200, (name, alias, body)
            media_type = headers.get_content_type()
            assert media_type in content, (name, alias, media_type)
            if media_type == "application/json" or media_type.endswith("+json"):
                validator = Draft202012Validator(described(openapi, content[media_type]["schema"]))
                if not validator.is_valid(json.loads(body)):
                    departures.append(f"{name} format={alias} ({media_type})")
    assert not departures, "bodies that do not fit the schema the description gives them:\n" + "\n".join(departures)


def test_a_required_parameter_is_not_described_as_admitting_an_empty_value(service: str,
                                                                          openapi: dict[str, Any]) -> None:
    """An empty value for a required parameter is refused as missing, so the description must not admit it."""
    for name in HEADERS:
        for declared in (p for p in params_of(name) if p.get("required")):
            others = {k: v for k, v in required_params(name).items() if k != declared["name"]}
            assert_parameter_error(*ask(service, name, {**others, declared["name"]: ""}), declared["name"])
            schema = parameter_described(openapi, name, declared["name"])["schema"]
            assert not Draft202012Validator(schema).is_valid(""), (
                f"{name}: the description admits an empty {declared['name']!r} (no minLength), "
                "which the API refuses as missing")


def test_an_empty_value_is_refused_or_described_as_allowed(service: str, openapi: dict[str, Any]) -> None:
    """`key=` (as an HTML form sends an empty field) is either a 400 naming the parameter, or the description
    says an empty value is allowed (allowEmptyValue, or a schema the empty string fits)."""
    undescribed = []
    for name in HEADERS:
        for parameter in [*(p["name"] for p in params_of(name) if not p.get("required")), "format"]:
            status, headers, body = ask(service, name, {**required_params(name), parameter: ""})
            if status != 200:
                assert_parameter_error(status, headers, body, parameter)
                continue
            entry = parameter_described(openapi, name, parameter)
            if not (entry.get("allowEmptyValue") or Draft202012Validator(entry["schema"]).is_valid("")):
                undescribed.append(f"{name}?{parameter}=")
    assert not undescribed, ("empty values answered with 200 although the description does not allow them:\n"
                             + "\n".join(undescribed))


def test_every_integer_the_description_admits_is_accepted(service: str, openapi: dict[str, Any]) -> None:
    """The smallest and the largest integer the description admits for each integer parameter (10^19 where it
    sets no maximum) are answered, not refused as `not an integer`."""
    refused = []
    for name in HEADERS:
        for declared in (p for p in params_of(name) if p["type"] == "integer"):
            schema = parameter_described(openapi, name, declared["name"])["schema"]
            for value in (schema.get("minimum", -(10 ** 19)), schema.get("maximum", 10 ** 19)):
                status, _, body = ask(service, name, {**required_params(name), declared["name"]: str(value)})
                if status != 200:
                    refused.append(f"{name}?{declared['name']}={value}: {json.loads(body)['message']}")
    assert not refused, "integers the description admits but the API refuses:\n" + "\n".join(refused)


# ------------------------------------------------------------------------------------------------------------------
# 6. Property-based: schemathesis runs every operation of the description
# ------------------------------------------------------------------------------------------------------------------


OPERATIONS = ["/api/queries", "/api/network", *(f"/api/queries/{name}" for name in HEADERS)]
WITH_PARAMETERS = ["/api/network", *(f"/api/queries/{name}" for name in HEADERS)]  # every query has `format`
FUZZ = hypothesis.settings(max_examples=25, deadline=None, database=None, derandomize=True,
                           suppress_health_check=list(hypothesis.HealthCheck))

SOME_ENTERPRISE = sorted(o.name_en for o in PORTFOLIO.csv_organisations if o.type == "enterprise")[0]
KNOWN_INSTANCES = {"component": "B3", "focus_area": "F04", "kind": "ig:ResearchBase", "base": "B2",
                   "organisation": SOME_ORGANISATION, "enterprise": SOME_ENTERPRISE, "iri": TIBETAN_MEDICINE_BASE}
"""A value naming an instance of the right class for each IRI parameter. The description can only say that an
IRI parameter is a string, and text that names nothing is a documented 400, so when schemathesis checks that
valid requests are accepted these parameters get a real instance and the rest is generated."""


@pytest.fixture(scope="module")
def api_schema(service: str) -> Any:
    """The description as schemathesis reads it from the live server, whose URL it gives as the server."""
    return schemathesis.openapi.from_url(f"{service}/api/openapi.json")


# schemathesis.pytest.from_fixture() fails under pytest 9 (it sets Function._nodeid, which pytest 9 no longer
# has), so each operation has tests of its own in which hypothesis draws from schemathesis' strategies.
RUNS = [pytest.param(path, GenerationMode.POSITIVE, id=f"{path}-valid") for path in OPERATIONS] + [
    pytest.param(path, GenerationMode.NEGATIVE, id=f"{path}-invalid") for path in WITH_PARAMETERS]


@pytest.mark.parametrize(("path", "mode"), RUNS)
def test_schemathesis_finds_no_server_error(api_schema: Any, path: str, mode: GenerationMode) -> None:
    """Any request, valid or not and with any text for an IRI, is answered without a 5xx."""
    operation = api_schema[path]["GET"]

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    call()


@pytest.mark.parametrize(("path", "mode"), RUNS)
def test_schemathesis_finds_the_api_as_described(api_schema: Any, path: str, mode: GenerationMode) -> None:
    """Every default check of schemathesis: status codes, content types and bodies as described, valid requests
    accepted and invalid ones refused."""
    operation = api_schema[path]["GET"]
    pinned = {}
    if mode is GenerationMode.POSITIVE:
        pinned = {p.name: KNOWN_INSTANCES[p.name] for p in operation.query if p.name in KNOWN_INSTANCES}

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, query=pinned or None))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate()

    call()
