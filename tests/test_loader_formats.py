"""The same portfolio as a CSV folder, an XLSX workbook or a JSON document gives the same source graph.

One store is built for the whole module: `init`, then one `load` of four sources (the demo CSV
folder, a workbook and a JSON document made here from those CSV files, and a copy of the folder
whose files start with a UTF-8 byte-order mark). Each source goes into its own graph, named after
its file or folder. Every expected value is computed here from the CSV files with the csv module.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from innograph.cli import main
from innograph.config import Settings
from innograph.namespaces import IG
from innograph.store import Store, open_store

from .backends import Stores

pytestmark = pytest.mark.backends

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
TABLES = ("organisations", "projects", "participation", "funding")
NUMERIC_COLUMNS = {"amount", "year", "start_year", "end_year", "funding_share"}
SOURCE_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
PREFIXES = "PREFIX ig: <https://w3id.org/innograph/def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def csv_records(table: str) -> list[list[str]]:
    """The header and rows of one demo table, exactly as the csv module reads them."""
    with open(DEMO / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def csv_rows(table: str) -> list[dict[str, str]]:
    """The data rows of one demo table as dictionaries, empty rows left out."""
    with open(DEMO / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if any(v.strip() for v in row.values())]


def as_spreadsheet_value(column: str, text: str) -> str | int | float:
    """What a person typing the table into a spreadsheet would enter: numbers as numbers."""
    if column in NUMERIC_COLUMNS and text:
        return int(text) if text.isdigit() else float(text)
    return text


def write_workbook(path: Path) -> None:
    """One sheet per table, named like the CSV file, header first."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in TABLES:
        sheet = workbook.create_sheet(table)
        header, *rows = csv_records(table)
        sheet.append(header)
        for row in rows:
            sheet.append([as_spreadsheet_value(column, value) for column, value in zip(header, row, strict=True)])
    workbook.save(path)


def write_json_document(path: Path) -> None:
    """{"organisations": [row, ...], "projects": [...], ...} with the CSV column names as keys."""
    document = {table: csv_rows(table) for table in TABLES}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def write_folder_with_byte_order_marks(folder: Path) -> None:
    folder.mkdir()
    for table in TABLES:
        (folder / f"{table}.csv").write_bytes(b"\xef\xbb\xbf" + (DEMO / f"{table}.csv").read_bytes())


@pytest.fixture(scope="module")
def loaded(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store holding the demo portfolio four times over, once per format, each in its own graph."""
    work = tmp_path_factory.mktemp("formats")
    write_workbook(work / "workbook.xlsx")
    write_json_document(work / "portfolio.json")
    write_folder_with_byte_order_marks(work / "demo-bom")
    settings = Settings(store=stores.shared("formats"))
    runner = CliRunner()
    for args in (["init"], ["load", str(DEMO), str(work / "workbook.xlsx"), str(work / "portfolio.json"),
                            str(work / "demo-bom")]):
        result = runner.invoke(main, ["--store", settings.store, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return settings


def graph_name(settings: Settings, name: str) -> str:
    """The graph a source goes to: named after its file or folder."""
    return settings.graphs.source(name)


def source_graph(store: Store, graph: str) -> Graph:
    result = Graph()
    for triple in store.query(SOURCE_GRAPH, {"g": URIRef(graph)}).triples:
        result.add(triple)
    return result


@pytest.fixture(scope="module")
def csv_graph(loaded: Settings) -> Graph:
    graph = source_graph(open_store(loaded.store), graph_name(loaded, "demo"))
    assert len(graph) > 1000
    return graph


@pytest.mark.parametrize("other", ["workbook-xlsx", "portfolio-json"])
def test_a_workbook_and_a_json_document_give_the_same_graph_as_the_csv_folder(
        loaded: Settings, csv_graph: Graph, other: str) -> None:
    """Isomorphic source graphs, whichever format the tables came in."""
    graph = source_graph(open_store(loaded.store), graph_name(loaded, other))
    assert len(graph) == len(csv_graph)
    assert isomorphic(graph, csv_graph)


def test_a_csv_with_a_byte_order_mark_loads_the_same_as_without(loaded: Settings, csv_graph: Graph) -> None:
    graph = source_graph(open_store(loaded.store), graph_name(loaded, "demo-bom"))
    assert isomorphic(graph, csv_graph)


def test_every_chinese_name_and_title_round_trips_exactly(loaded: Settings) -> None:
    """The @zh labels of the source graph are exactly the name_zh and title_zh cells of the CSV files."""
    expected = {row["name_zh"] for row in csv_rows("organisations") if row["name_zh"]}
    expected |= {row["title_zh"] for row in csv_rows("projects") if row["title_zh"]}
    store = open_store(loaded.store)
    labels = store.query(PREFIXES + "SELECT ?label WHERE { GRAPH ?g { ?s rdfs:label ?label } "
                         "FILTER(LANG(?label) = 'zh') }", {"g": URIRef(graph_name(loaded, "demo"))}).column("label")
    assert {str(label) for label in labels} == expected
    first = csv_rows("organisations")[0]["name_zh"]
    assert store.query(PREFIXES + "ASK { GRAPH ?g { ?s rdfs:label ?label } }",
                       {"g": URIRef(graph_name(loaded, "demo")), "label": Literal(first, lang="zh")}).boolean


@pytest.mark.parametrize(("cls", "table"), [(IG.Project, "projects"), (IG.Organization, "organisations"),
                                            (IG.Participation, "participation"), (IG.Funding, "funding")],
                         ids=["projects", "organisations", "participation", "funding"])
def test_the_source_graph_describes_one_thing_per_csv_row(loaded: Settings, cls: URIRef, table: str) -> None:
    """Things described in the source graph that are of the class (asserted there, or entailed for
    organisations, which the loader types as university, enterprise...), one per row."""
    count = open_store(loaded.store).query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?type } ?s a ?class }",
        {"g": URIRef(graph_name(loaded, "demo")), "class": cls}).rows[0][0]
    assert int(count) == len(csv_rows(table))


def test_the_total_funding_equals_the_sum_of_the_amounts_in_funding_csv(loaded: Settings) -> None:
    expected = sum((Decimal(row["amount"].replace(",", "")) for row in csv_rows("funding")), Decimal(0))
    total = open_store(loaded.store).query(
        PREFIXES + "SELECT (SUM(?amount) AS ?total) WHERE { GRAPH ?g { ?grant ig:amount ?amount } }",
        {"g": URIRef(graph_name(loaded, "demo"))}).rows[0][0]
    assert Decimal(str(total)) == expected


def test_problems_are_placed_by_spreadsheet_row_in_a_workbook_and_by_position_in_a_json_list(
        cli: Callable[..., Result], tmp_path: Path) -> None:
    """A workbook counts its header as row 1, as a CSV file does; a JSON list counts its objects from 1."""
    rows = {table: csv_rows(table) for table in TABLES}
    rows["funding"][4]["amount"] = "lots"
    (tmp_path / "bad.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in TABLES:
        sheet = workbook.create_sheet(table)
        sheet.append(list(rows[table][0]))
        for row in rows[table]:
            sheet.append(list(row.values()))
    workbook.save(tmp_path / "bad.xlsx")
    cli("init")

    result = cli("load", "--report-json", str(tmp_path / "report.json"), str(tmp_path / "bad.json"),
                 str(tmp_path / "bad.xlsx"))

    assert result.exit_code != 0
    problems = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["problems"]
    assert sorted((p["file"], p["row"], p["column"], p["rule"]) for p in problems) == [
        (f"{tmp_path / 'bad.json'}[funding]", 5, "amount", "type.decimal"),
        (f"{tmp_path / 'bad.xlsx'}[funding]", 6, "amount", "type.decimal"),
    ]


def test_openpyxl_which_reads_workbooks_is_a_declared_dependency() -> None:
    """`innograph load book.xlsx` must work from a plain install of the package, not only in this checkout."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group().lower().replace("_", "-") for d in declared}
    assert "openpyxl" in names, sorted(names)
