"""Bad input is refused with every problem placed exactly, and the store is left as it was.

Each case starts from a valid copy of data/demo and changes one thing. The case itself says
where the problem is (file, row or line, column) and which rule it breaks, from what it changed.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from innograph.config import Settings
from innograph.store import open_store
from innograph.store.location import is_remote

pytestmark = pytest.mark.backends

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
PROJECT_TTL = Path(__file__).parent / "fixtures" / "loader" / "project.ttl"

Cli = Callable[..., Result]


@dataclass(frozen=True)
class Expected:
    """Where a problem must be reported, and under which rule."""

    file: Path
    row: int
    columns: tuple[str, ...]
    """Acceptable ways of naming the column: a header, or a position in the line."""
    rule: str
    message: str = ""
    """A regular expression the message must match."""
    extra_sources: tuple[Path, ...] = ()


# --- editing the copy -------------------------------------------------------------------------

def read_table(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_table(folder: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Change one cell; `row` counts the header as row 1, as a spreadsheet does."""
    header, rows = read_table(folder, table)
    rows[row - 2][header.index(column)] = value
    write_table(folder, table, header, rows)


# --- the cases --------------------------------------------------------------------------------

def missing_required_column(demo: Path) -> Expected:
    header, rows = read_table(demo, "funding")
    keep = [i for i, name in enumerate(header) if name != "amount"]
    write_table(demo, "funding", [header[i] for i in keep], [[row[i] for i in keep] for row in rows])
    return Expected(demo / "funding.csv", 1, ("amount",), "column.missing")


def empty_required_cell(demo: Path) -> Expected:
    set_cell(demo, "projects", 4, "component", "")
    return Expected(demo / "projects.csv", 4, ("component",), "required")


def non_numeric_amount(demo: Path) -> Expected:
    set_cell(demo, "funding", 3, "amount", "about 5000")
    return Expected(demo / "funding.csv", 3, ("amount",), "type.decimal")


def negative_amount(demo: Path) -> Expected:
    set_cell(demo, "funding", 6, "amount", "-5000")
    return Expected(demo / "funding.csv", 6, ("amount",), "range.negative")


def unknown_component_code(demo: Path) -> Expected:
    set_cell(demo, "projects", 5, "component", "B99")
    return Expected(demo / "projects.csv", 5, ("component",), "reference.unknown", r"did you mean .*'B[1-8]'")


def misspelt_component_label(demo: Path) -> Expected:
    set_cell(demo, "projects", 7, "component", "Tibetan medicin")
    return Expected(demo / "projects.csv", 7, ("component",), "reference.unknown",
                    r"did you mean .*'Tibetan medicine'")


def duplicate_project_code_with_conflicting_data(demo: Path) -> Expected:
    header, rows = read_table(demo, "projects")
    twin = list(rows[4])
    twin[header.index("title_en")] += " (revised)"
    write_table(demo, "projects", header, [*rows, twin])
    return Expected(demo / "projects.csv", len(rows) + 2, ("code", "title_en"), "duplicate.conflict")


def invalid_utf8_bytes(demo: Path) -> Expected:
    """A stray byte 0xff inside the Chinese name of the organisation on row 3."""
    path = demo / "organisations.csv"
    header, rows = read_table(demo, "organisations")
    name = rows[1][header.index("name_zh")].encode("utf-8")
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(name, name[:3] + b"\xff" + name[3:])
    path.write_bytes(b"\n".join(lines))
    at = lines[2].index(b"\xff")
    return Expected(path, 3, ("name_zh", str(at + 1), str(len(lines[2][:at].decode("utf-8")) + 1)), "file.encoding")


def truncated_turtle_source(demo: Path) -> Expected:
    """A Turtle file loaded with the folder, cut off inside the IRI on its last line."""
    text = PROJECT_TTL.read_text(encoding="utf-8")
    cut = text[:text.index("programme/5568")]
    ttl = demo.parent / "project.ttl"
    ttl.write_text(cut, encoding="utf-8")
    last = cut.split("\n")[-1]
    token_start, end = last.rindex("<") + 1, len(last) + 1
    return Expected(ttl, cut.count("\n") + 1, (str(token_start), str(end)), "rdf.syntax", extra_sources=(ttl,))


CASES = [missing_required_column, empty_required_cell, non_numeric_amount, negative_amount, unknown_component_code,
         misspelt_component_label, duplicate_project_code_with_conflicting_data, invalid_utf8_bytes,
         truncated_turtle_source]


# --- checks -----------------------------------------------------------------------------------

def names_column(named: str | None, acceptable: tuple[str, ...]) -> bool:
    """A header named as such, or a position in the line (a number, possibly as 'column 15')."""
    if named is None:
        return False
    return named in acceptable or re.sub(r"\D", "", named) in acceptable


def places_the_problem(line: str, expected: Expected) -> bool:
    """One line of the printed report names the file, the row or line, the column and the rule."""
    return (str(expected.file) in line and re.search(rf"\b(row|line) {expected.row}\b", line) is not None
            and expected.rule in line
            and any(f"'{c}'" in line or re.search(rf"column '?(column )?{re.escape(c)}\b", line)
                    for c in expected.columns))


def matching_problems(report: dict, expected: Expected) -> list[dict]:
    return [p for p in report["problems"] if p["file"] == str(expected.file)
            and expected.row in (p["row"], p.get("line"))
            and p["rule"] == expected.rule and names_column(p["column"], expected.columns)]


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sources" / "demo"
    shutil.copytree(DEMO, folder)
    return folder


@pytest.fixture
def initialised(cli: Cli) -> bytes:
    """Run `init`; the store's N-Quads dump afterwards."""
    assert cli("init").exit_code == 0
    return cli("dump", "--format", "nquads").stdout_bytes


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.replace("_", "-") for c in CASES])
def test_bad_input_is_refused_with_file_row_column_and_rule_and_the_store_is_unchanged(
        cli: Cli, initialised: bytes, demo_copy: Path, tmp_path: Path, case: Callable[[Path], Expected]) -> None:
    expected = case(demo_copy)
    report_path = tmp_path / "report.json"

    result = cli("load", "--report-json", str(report_path), str(demo_copy), *map(str, expected.extra_sources))

    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert any(places_the_problem(line, expected) for line in lines), [ln for ln in lines if expected.rule in ln]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    found = matching_problems(report, expected)
    assert found, json.dumps([p for p in report["problems"] if p["rule"] == expected.rule], ensure_ascii=False)
    assert all(p["severity"] == "error" for p in found)
    if expected.message:
        assert any(re.search(expected.message, p["message"]) for p in found), found
    assert cli("dump", "--format", "nquads").stdout_bytes == initialised


def test_every_problem_is_reported_not_just_the_first(
        cli: Cli, initialised: bytes, demo_copy: Path, tmp_path: Path) -> None:
    set_cell(demo_copy, "funding", 2, "amount", "n/a")
    set_cell(demo_copy, "funding", 5, "amount", "lots")
    report_path = tmp_path / "report.json"

    result = cli("load", "--report-json", str(report_path), str(demo_copy))

    assert result.exit_code != 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["errors"] == 2
    assert sorted((p["row"], p["column"], p["rule"]) for p in report["problems"]) == [
        (2, "amount", "type.decimal"), (5, "amount", "type.decimal")]
    assert cli("dump", "--format", "nquads").stdout_bytes == initialised


def test_validate_accepts_good_data_and_writes_nothing(cli: Cli, settings: Settings, initialised: bytes) -> None:
    version = open_store(settings.store).data_version()

    result = cli("validate", str(DEMO))

    assert result.exit_code == 0, result.output
    assert "error" not in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == initialised
    if not is_remote(settings.store):  # a server store's dry run writes and undoes, and says so by a new version
        assert open_store(settings.store).data_version() == version


def test_validate_refuses_bad_data_and_writes_nothing(cli: Cli, initialised: bytes, demo_copy: Path) -> None:
    set_cell(demo_copy, "funding", 3, "amount", "-1")

    result = cli("validate", str(demo_copy))

    assert result.exit_code != 0
    assert "range.negative" in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == initialised
