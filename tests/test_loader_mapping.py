"""A workbook in a foreign layout (Chinese sheet and column names) loads through a mapping file.

The rows are those of tests/fixtures/loader/small (the template layout). The test lays them out
as the mapping file describes, reading the mapping with plain YAML: sheets and columns renamed,
columns in another order, an extra column the mapping does not name, and some cell values spelt
the agency's way (the mapping's `values`).
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import Result
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from innograph.config import Settings
from innograph.store import open_store

pytestmark = pytest.mark.backends

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "loader"
SMALL = FIXTURES / "small"
MAPPING = FIXTURES / "mapping-zh.yaml"
TABLES = ("organisations", "projects", "participation", "funding")

Cli = Callable[..., Result]


def template_rows(table: str) -> tuple[list[str], list[list[str]]]:
    with open(SMALL / f"{table}.csv", encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_foreign_workbook(path: Path, mapping: dict[str, Any]) -> None:
    """The small portfolio laid out the way `mapping` describes."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in TABLES:
        spec = mapping["tables"][table]
        columns = spec.get("columns", {})
        spelling = {(field, canonical): theirs for field, words in spec.get("values", {}).items()
                    for theirs, canonical in words.items()}
        header, rows = template_rows(table)
        sheet = workbook.create_sheet(spec.get("source", table))
        sheet.append(["备注", *[columns.get(name, name) for name in reversed(header)]])
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            sheet.append(["仅供测试", *[spelling.get((name, cells[name]), cells[name]) for name in reversed(header)]])
    workbook.save(path)


def source_graph(settings: Settings, graph: str) -> Graph:
    result = Graph()
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    for triple in open_store(settings.store).query(query, {"g": URIRef(graph)}).triples:
        result.add(triple)
    return result


def test_the_mapping_renames_sheets_columns_and_values(tmp_path: Path) -> None:
    """The workbook made here really is foreign: no sheet or column keeps a template name it was given."""
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    write_foreign_workbook(tmp_path / "foreign.xlsx", mapping)
    workbook = openpyxl.load_workbook(tmp_path / "foreign.xlsx", read_only=True)
    assert workbook.sheetnames == ["机构", "项目", "参与单位", "资助"]
    header = next(workbook["机构"].iter_rows(values_only=True))
    assert "单位名称" in header and "name_zh" not in header
    types = [row[header.index("单位类型")] for row in workbook["机构"].iter_rows(min_row=2, values_only=True)]
    assert "民营企业" in types and "enterprise" not in types
    workbook.close()


def test_a_foreign_workbook_with_a_mapping_gives_the_same_triples_as_the_template_layout(
        cli: Cli, settings: Settings, tmp_path: Path) -> None:
    write_foreign_workbook(tmp_path / "foreign.xlsx", yaml.safe_load(MAPPING.read_text(encoding="utf-8")))
    foreign, template = settings.graphs.source("foreign"), settings.graphs.source("template")
    assert cli("init").exit_code == 0
    mapped = cli("load", "--mapping", str(MAPPING), "--graph", foreign, str(tmp_path / "foreign.xlsx"))
    assert mapped.exit_code == 0, mapped.output
    plain = cli("load", "--graph", template, str(SMALL))
    assert plain.exit_code == 0, plain.output

    expected = source_graph(settings, template)
    assert len(expected) > 50
    assert isomorphic(source_graph(settings, foreign), expected)


def test_the_mapping_file_s_dataset_title_describes_the_graph(cli: Cli, settings: Settings, tmp_path: Path) -> None:
    write_foreign_workbook(tmp_path / "foreign.xlsx", yaml.safe_load(MAPPING.read_text(encoding="utf-8")))
    graph = settings.graphs.source("foreign")
    cli("init")
    assert cli("load", "--mapping", str(MAPPING), "--graph", graph, str(tmp_path / "foreign.xlsx")).exit_code == 0
    titles = open_store(settings.store).query(
        "SELECT ?title WHERE { ?g <http://purl.org/dc/terms/title> ?title }", {"g": URIRef(graph)}).column("title")
    assert {str(t) for t in titles} == {"Test portfolio in a Chinese layout", "中文格式测试数据"}


@pytest.mark.parametrize(("mapping", "unknown"), [
    ("tables:\n  projects:\n    columns: {code: 项目编号, budget: 预算}\n", "budget"),
    ("tables:\n  grants:\n    source: 资助\n", "grants"),
], ids=["unknown-field", "unknown-table"])
def test_a_mapping_naming_an_unknown_field_or_table_is_an_error_naming_the_mapping_file(
        cli: Cli, tmp_path: Path, mapping: str, unknown: str) -> None:
    path = tmp_path / "my-mapping.yaml"
    path.write_text(mapping, encoding="utf-8")
    cli("init")
    before = cli("dump", "--format", "nquads").stdout_bytes

    result = cli("load", "--mapping", str(path), str(SMALL))

    assert result.exit_code != 0
    assert str(path) in result.output
    assert unknown in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == before


def test_pyyaml_which_reads_mappings_is_a_declared_dependency() -> None:
    """The loader imports yaml for every load (the default mapping is YAML), so a plain install needs it."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group().lower().replace("_", "-") for d in declared}
    assert "pyyaml" in names, sorted(names)
