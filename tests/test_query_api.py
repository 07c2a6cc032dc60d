"""The query library over real HTTP: /api/queries lists the queries, /api/queries/NAME answers in every format.

Expected filtered answers come from tests/demo_truth.py, which reads the demo CSV files without SPARQL. The
parameters, the network formats and the OpenAPI description have test files of their own (test_query_api_*.py).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from .demo_truth import PORTFOLIO
from .query_api import (
    HEADERS,
    QUERY_FOLDER,
    answer,
    ask,
    csv_rows,
    fetch,
    params_of,
    required_params,
)

pytestmark = pytest.mark.backends


# ------------------------------------------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------------------------------------------


def test_the_list_has_every_query_file_with_its_header(demo_service: str) -> None:
    status, headers, body = fetch(f"{demo_service}/api/queries")
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


def test_the_list_gives_each_query_a_url_that_answers_it(demo_service: str) -> None:
    for entry in json.loads(fetch(f"{demo_service}/api/queries")[2]):
        assert entry["url"] == f"{demo_service}/api/queries/{entry['name']}"
        extra = required_params(entry["name"])
        status, _, body = fetch(entry["url"] + (f"?{urllib.parse.urlencode(extra)}" if extra else ""))
        assert status == 200, (entry["name"], body)
        document = json.loads(body)
        assert document["query"] == entry["name"]
        assert document["columns"] == HEADERS[entry["name"]]["columns"]


@pytest.mark.parametrize("name", ["no-such-query", "projects.rq", "PROJECTS", "%2E%2E%2Fcatalogue.py"])
def test_an_unknown_query_is_a_json_404(demo_service: str, name: str) -> None:
    status, headers, body = ask(demo_service, name)
    assert status == 404
    assert headers.get_content_type() == "application/json"
    assert json.loads(body)["status"] == 404


# ------------------------------------------------------------------------------------------------------------------
# Formats and content negotiation
# ------------------------------------------------------------------------------------------------------------------

B3_SINCE_2022 = {"component": "B3", "from_year": "2022"}


def test_plain_json_is_the_default(demo_service: str) -> None:
    for accept in (None, "*/*", "application/json"):
        status, headers, body = ask(demo_service, "projects", B3_SINCE_2022, accept)
        assert status == 200
        assert headers.get_content_type() == "application/json"
        document = json.loads(body)
        assert set(document) == {"query", "parameters", "columns", "rows", "row_count", "page", "page_size", "next"}
        assert document["query"] == "projects"
        assert document["columns"] == HEADERS["projects"]["columns"]
        assert document["row_count"] == len(document["rows"]) > 0
        assert all(set(row) == set(document["columns"]) for row in document["rows"])


def test_json_answers_the_filtered_question_correctly(demo_service: str) -> None:
    """Research base B3's projects starting in 2022 or later, as the demo CSV files list them."""
    expected = sorted(code for code in PORTFOLIO.projects_under("B3")
                      if (PORTFOLIO.projects[code].start_year or 0) >= 2022)
    document = answer(demo_service, "projects", B3_SINCE_2022)
    assert sorted({row["code"] for row in document["rows"]}) == expected
    assert all(row["start_year"] >= 2022 for row in document["rows"])


@pytest.mark.parametrize("how", ["accept", "format"])
def test_csv_has_the_json_columns_and_rows(demo_service: str, how: str) -> None:
    document = answer(demo_service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(demo_service, "projects", B3_SINCE_2022, accept="text/csv")
    else:
        status, headers, body = ask(demo_service, "projects", {**B3_SINCE_2022, "format": "csv"})
    assert status == 200
    assert headers.get_content_type() == "text/csv"
    assert 'filename="projects.csv"' in headers["Content-Disposition"]
    rows = csv_rows(body)
    assert rows[0] == document["columns"]
    assert len(rows) - 1 == document["row_count"]
    code = rows[0].index("code")
    assert [row[code] for row in rows[1:]] == [row["code"] for row in document["rows"]]


@pytest.mark.parametrize("how", ["accept", "format"])
def test_tsv_has_the_json_variables_and_rows(demo_service: str, how: str) -> None:
    document = answer(demo_service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(demo_service, "projects", B3_SINCE_2022, accept="text/tab-separated-values")
    else:
        status, headers, body = ask(demo_service, "projects", {**B3_SINCE_2022, "format": "tsv"})
    assert status == 200
    assert headers.get_content_type() == "text/tab-separated-values"
    lines = body.decode("utf-8").rstrip("\n").split("\n")
    # SPARQL 1.1 TSV results write the variables with their question mark.
    assert lines[0].split("\t") == [f"?{column}" for column in document["columns"]]
    assert len(lines) - 1 == document["row_count"]


@pytest.mark.parametrize("how", ["accept", "format"])
def test_sparql_json_has_the_json_columns_as_variables(demo_service: str, how: str) -> None:
    document = answer(demo_service, "projects", B3_SINCE_2022)
    if how == "accept":
        status, headers, body = ask(demo_service, "projects", B3_SINCE_2022, accept="application/sparql-results+json")
    else:
        status, headers, body = ask(demo_service, "projects", {**B3_SINCE_2022, "format": "sparql-json"})
    assert status == 200
    assert headers.get_content_type() == "application/sparql-results+json"
    results = json.loads(body)
    assert results["head"]["vars"] == document["columns"]
    assert len(results["results"]["bindings"]) == document["row_count"]
    assert [b["code"]["value"] for b in results["results"]["bindings"]] == [r["code"] for r in document["rows"]]


def test_sparql_xml_has_the_json_columns_as_variables(demo_service: str) -> None:
    document = answer(demo_service, "projects", B3_SINCE_2022)
    status, headers, body = ask(demo_service, "projects", {**B3_SINCE_2022, "format": "xml"})
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
def test_q_values_choose_the_format(demo_service: str, accept: str, expected: str) -> None:
    status, headers, _ = ask(demo_service, "components", accept=accept)
    assert status == 200
    assert headers.get_content_type() == expected


def test_format_wins_over_accept(demo_service: str) -> None:
    status, headers, body = ask(demo_service, "components", {"format": "json"}, accept="text/csv")
    assert status == 200
    assert headers.get_content_type() == "application/json"
    assert json.loads(body)["query"] == "components"


@pytest.mark.parametrize(("params", "accept"), [
    (None, "image/png"),
    ({"format": "png"}, None),
    ({"format": "graphml"}, None),
])
def test_nothing_acceptable_is_a_json_406(demo_service: str, params: dict[str, str] | None, accept: str | None) -> None:
    status, headers, body = ask(demo_service, "components", params, accept=accept)
    assert status == 406
    assert headers.get_content_type() == "application/json"
    error = json.loads(body)
    assert error["status"] == 406
    assert "text/csv" in error["message"]  # says what is available
    assert "Accept" in headers.get("Vary", "")


@pytest.mark.parametrize("accept", ["application/json", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+json", "application/sparql-results+xml"])
def test_every_answer_varies_by_accept(demo_service: str, accept: str) -> None:
    status, headers, _ = ask(demo_service, "components", accept=accept)
    assert status == 200
    assert "Accept" in [part.strip() for part in headers.get("Vary", "").split(",")]


def test_tsv_is_offered_as_a_download_too(demo_service: str) -> None:
    _, headers, _ = ask(demo_service, "components", {"format": "tsv"})
    assert 'filename="components.tsv"' in headers["Content-Disposition"]


