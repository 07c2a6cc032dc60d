"""`innograph queries` and `innograph run`: the query library on the command line.

Expected names and columns come from the `.rq` files themselves, and counts from the same query run
in another format, never from numbers copied out of a run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx
import pytest
import yaml
from click.testing import CliRunner, Result

import innograph.queries
from innograph.cli import main
from innograph.config import Settings
from innograph.namespaces import PREFIXES
from innograph.store import open_store
from innograph.store.rdfio import syntax_for

pytestmark = pytest.mark.backends

QUERY_FILES = sorted(Path(innograph.queries.__file__).parent.glob("*.rq"))


def header(path: Path) -> dict[str, Any]:
    """The YAML of a query file's `#+` lines, read here without the library's own reader."""
    lines = [line[2:].removeprefix(" ") for line in path.read_text("utf-8").splitlines() if line.startswith("#+")]
    return yaml.safe_load("\n".join(lines))


HEADERS = {path.stem: header(path) for path in QUERY_FILES}
NETWORKS = sorted(name for name, h in HEADERS.items() if "network" in h)
NOT_NETWORKS = sorted(name for name, h in HEADERS.items() if "network" not in h)


@pytest.fixture(scope="module")
def innograph(demo_settings: Settings) -> Callable[..., Result]:
    """The real command line against the demo store; errors are reported, not raised."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, ["--store", demo_settings.store, *args])

    return invoke


def run_json(innograph: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = innograph("run", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_one_line_error(result: Result, parameter: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), f"not reported but raised: {result.exception!r}"
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: parameter '{parameter}'"), lines[0]
    assert "Traceback" not in result.output


def test_the_query_files_are_a_library() -> None:
    assert len(QUERY_FILES) >= 10
    assert NETWORKS and NOT_NETWORKS


# --- innograph queries ----------------------------------------------------------------------------------------


def test_queries_lists_every_query_by_name(innograph: Callable[..., Result]) -> None:
    result = innograph("queries")
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")}
    assert listed == set(HEADERS)


def test_queries_lists_the_parameters_of_each_query(innograph: Callable[..., Result]) -> None:
    output = innograph("queries").stdout
    for h in HEADERS.values():
        for p in h.get("params") or []:
            assert f"--param {p['name']}=" in output


def test_queries_as_json_describe_every_query_and_its_parameters(innograph: Callable[..., Result]) -> None:
    result = innograph("queries", "--format", "json")
    assert result.exit_code == 0, result.output
    described = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert set(described) == set(HEADERS)
    for name, h in HEADERS.items():
        entry = described[name]
        assert entry["title"] == {"en": h["title"]["en"].strip(), "zh": h["title"]["zh"].strip()}
        assert entry["columns"] == h["columns"]
        assert entry["network"] == ("network" in h)
        declared = h.get("params") or []
        assert [p["name"] for p in entry["parameters"]] == [p["name"] for p in declared]
        for given, p in zip(entry["parameters"], declared, strict=True):
            assert given["type"] == p["type"]
            assert given["required"] == bool(p.get("required", False))
            assert given["default"] == (None if p.get("default") is None else str(p["default"]))
            assert given["choices"] == (p.get("choices") or None)
            assert given["minimum"] == p.get("minimum") and given["maximum"] == p.get("maximum")
            assert given["description"]["en"] and given["description"]["zh"]
            if p["type"] == "iri":
                prefix, _, local = p["class"].partition(":")
                assert given["class"] == PREFIXES[prefix] + local


# --- innograph run: formats -----------------------------------------------------------------------------------


def test_run_as_csv_is_sparql_csv_with_the_header_row(innograph: Callable[..., Result]) -> None:
    result = innograph("run", "components", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith((",".join(HEADERS["components"]["columns"]) + "\r\n").encode())
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == HEADERS["components"]["columns"]
    assert len(rows) - 1 == run_json(innograph, "components")["row_count"]
    codes = [row[1] for row in rows[1:]]
    assert codes == sorted(codes), "the query orders by code"


def test_run_as_tsv_has_sparql_variables_in_the_header(innograph: Callable[..., Result]) -> None:
    result = innograph("run", "components", "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split("\t") == [f"?{c}" for c in HEADERS["components"]["columns"]]


def test_run_as_json_gives_the_query_its_parameters_columns_rows_and_count(innograph: Callable[..., Result]) -> None:
    document = run_json(innograph, "collaboration-network", "--param", "min_shared=2")
    assert set(document) == {"query", "parameters", "columns", "rows", "row_count"}
    assert document["query"] == "collaboration-network"
    assert document["parameters"] == {"min_shared": "2"}
    assert document["columns"] == HEADERS["collaboration-network"]["columns"]
    assert document["row_count"] == len(document["rows"]) > 0
    assert all(set(row) == set(document["columns"]) for row in document["rows"])
    assert all(isinstance(row["shared_projects"], int) and row["shared_projects"] >= 2 for row in document["rows"])


def test_run_as_json_reports_the_defaults_it_used(innograph: Callable[..., Result]) -> None:
    document = run_json(innograph, "newest-projects")
    default = HEADERS["newest-projects"]["params"][0]["default"]
    assert document["parameters"] == {"limit": str(default)}
    assert document["row_count"] == default


def test_run_as_sparql_json_is_the_standard_results_format(innograph: Callable[..., Result]) -> None:
    result = innograph("run", "components", "--format", "sparql-json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["head"]["vars"] == HEADERS["components"]["columns"]
    assert len(document["results"]["bindings"]) == run_json(innograph, "components")["row_count"]


def test_json_is_the_default_off_a_terminal(innograph: Callable[..., Result]) -> None:
    result = innograph("run", "components")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == run_json(innograph, "components")


# --- innograph run: parameter errors --------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "parameter"), [
    (["organisations-at-base"], "base"),
    (["organisations-at-base", "--param", "base="], "base"),
    (["organisations-at-base", "--param", 'base="} ; DROP ALL #'], "base"),
    (["projects", "--param", "component=> } INSERT DATA { <a> <b> <c> } #"], "component"),
    (["projects", "--param", "from_year=20x4"], "from_year"),
    (["projects", "--param", "to_year=12345"], "to_year"),
    (["projects", "--param", "nope=1"], "nope"),
    (["leading-organisations", "--param", "order_by=funding } ; DROP ALL #"], "order_by"),
    (["leading-organisations", "--param", "limit=1; DROP"], "limit"),
    (["newest-projects", "--param", "limit=0"], "limit"),
    (["collaboration-network", "--param", "min_shared=1e3"], "min_shared"),
    (["coverage-gaps", "--param", "max_projects=-1"], "max_projects"),
    (["collaboration-hops", "--param", "organisation=B3\nDROP ALL"], "organisation"),
    (["funding-by-year", "--param", "kind=ig:Project } #", "--param", "year=2024"], "kind"),
])
def test_a_bad_parameter_exits_with_one_line_naming_it_and_no_traceback(
        innograph: Callable[..., Result], args: list[str], parameter: str) -> None:
    assert_one_line_error(innograph("run", *args, "--format", "json"), parameter)


def test_a_value_above_the_maximum_is_refused_on_the_command_line(innograph: Callable[..., Result]) -> None:
    hops = next(p for p in HEADERS["collaboration-hops"]["params"] if p["name"] == "hops")
    org = run_json(innograph, "leading-organisations", "--param", "limit=1")["rows"][0]["organisation"]
    result = innograph("run", "collaboration-hops", "--param", f"organisation={org}",
                       "--param", f"hops={hops['maximum'] + 1}")
    assert_one_line_error(result, "hops")
    assert str(hops["maximum"]) in result.stderr


def test_an_iri_no_store_can_hold_is_a_one_line_error_naming_the_parameter(innograph: Callable[..., Result]) -> None:
    assert_one_line_error(innograph("run", "projects", "--param", "component=https://example.org/%zz"), "component")


def test_a_hostile_value_in_a_free_filter_gives_a_correct_answer_not_more(innograph: Callable[..., Result]) -> None:
    """A value spelling a number with blanks around it means that number; the answer is the same."""
    plain = run_json(innograph, "collaboration-network", "--param", "min_shared=2")
    padded = run_json(innograph, "collaboration-network", "--param", "min_shared= 2 ")
    assert padded["rows"] == plain["rows"]


def test_an_unknown_query_name_is_a_usage_error(innograph: Callable[..., Result]) -> None:
    for name in ("no-such-query", "components; DROP ALL", "../components"):
        result = innograph("run", name)
        assert result.exit_code == 2, result.output
        assert "no query named" in result.stderr
        assert result.stdout == ""


def test_a_param_without_an_equals_sign_is_a_usage_error(innograph: Callable[..., Result]) -> None:
    result = innograph("run", "projects", "--param", "component")
    assert result.exit_code == 2, result.output
    assert "KEY=VALUE" in result.stderr


def test_the_store_is_unchanged_by_hostile_runs(innograph: Callable[..., Result], demo_settings: Settings) -> None:
    store = open_store(demo_settings.store)
    before = store.dump(syntax_for("nquads"))
    for value in ('"} ; DROP ALL #', "> } INSERT DATA { <a> <b> <c> } #", '\\" UNION { ?s ?p ?o } #'):
        for args in (["projects", "--param", f"component={value}"],
                     ["leading-organisations", "--param", f"order_by={value}"],
                     ["newest-projects", "--param", f"limit={value}"]):
            assert innograph("run", *args).exit_code == 1
    assert open_store(demo_settings.store).dump(syntax_for("nquads")) == before


# --- innograph run: networks ----------------------------------------------------------------------------------


def network_output(innograph: Callable[..., Result], name: str, output: str, *params: str) -> bytes:
    result = innograph("run", name, "--format", output, *params)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def test_graphml_has_one_edge_per_row_weighted_by_shared_projects(innograph: Callable[..., Result]) -> None:
    rows = run_json(innograph, "collaboration-network")["rows"]
    graph = networkx.read_graphml(io.BytesIO(network_output(innograph, "collaboration-network", "graphml")))
    assert graph.number_of_edges() == len(rows) > 0
    weights = {pair(row["organisation_a"], row["organisation_b"]): row["shared_projects"] for row in rows}
    assert {pair(a, b): data["weight"] for a, b, data in graph.edges(data=True)} == weights
    labels = {row["organisation_a"]: row["name_a"] for row in rows} | {row["organisation_b"]: row["name_b"]
                                                                        for row in rows}
    assert {node: data["label"] for node, data in graph.nodes(data=True)} == labels


def test_graphml_follows_the_parameters(innograph: Callable[..., Result]) -> None:
    rows = run_json(innograph, "collaboration-network", "--param", "min_shared=2")["rows"]
    data = network_output(innograph, "collaboration-network", "graphml", "--param", "min_shared=2")
    graph = networkx.read_graphml(io.BytesIO(data))
    assert graph.number_of_edges() == len(rows)
    assert min(weight for _, _, weight in graph.edges(data="weight")) >= 2


def test_gexf_parses_with_one_edge_per_row(innograph: Callable[..., Result]) -> None:
    rows = run_json(innograph, "collaboration-network")["rows"]
    graph = networkx.read_gexf(io.BytesIO(network_output(innograph, "collaboration-network", "gexf")))
    assert graph.number_of_edges() == len(rows)
    weights = {pair(row["organisation_a"], row["organisation_b"]): row["shared_projects"] for row in rows}
    assert {pair(a, b): data["weight"] for a, b, data in graph.edges(data=True)} == weights


def test_edges_are_a_csv_edge_list_with_source_target_weight(innograph: Callable[..., Result]) -> None:
    rows = run_json(innograph, "collaboration-network")["rows"]
    table = list(csv.reader(io.StringIO(network_output(innograph, "collaboration-network", "edges").decode())))
    assert table[0][:3] == ["Source", "Target", "Weight"]
    assert len(table) - 1 == len(rows)
    assert [(line[0], line[1], int(line[2])) for line in table[1:]] == [
        (row["organisation_a"], row["organisation_b"], row["shared_projects"]) for row in rows]


@pytest.mark.parametrize("name", NETWORKS)
def test_every_network_query_exports_as_graphml(innograph: Callable[..., Result], name: str) -> None:
    document = run_json(innograph, name)
    network = HEADERS[name]["network"]
    graph = networkx.read_graphml(io.BytesIO(network_output(innograph, name, "graphml")))
    ends = {pair(row[network["source"]], row[network["target"]]) for row in document["rows"]}
    assert {pair(a, b) for a, b in graph.edges()} == ends


@pytest.mark.parametrize("output", ["graphml", "gexf", "edges"])
@pytest.mark.parametrize("name", NOT_NETWORKS[:3])
def test_a_network_format_on_a_query_that_is_no_network_is_a_usage_error(
        innograph: Callable[..., Result], name: str, output: str) -> None:
    result = innograph("run", name, "--format", output)
    assert result.exit_code == 2, result.output
    assert "not network-shaped" in result.stderr
    assert result.stdout == ""
