"""Malformed input never crashes the loader and never half-writes: property-based tests (hypothesis).

Every example is written to a file (or a folder of CSV tables) and loaded through the real pipeline,
`innograph.loader.pipeline.load`, into one initialised store that the module shares. Whatever the
bytes, the load either succeeds or is refused with an InnographError (status 400, with a message);
a refused load leaves the store as it was: the same generation published, no generation folder left
behind, and a byte-identical N-Quads dump. One property goes through the command line instead and
checks that it exits with 0 or 1 and never shows a traceback.

The generators: arbitrary bytes under every reader's file extension; CSV text with and without a
header, with a BOM, Chinese, quotes, NULs and every line ending, in UTF-8 or another encoding;
arbitrary JSON, and JSON shaped like a portfolio; XLSX workbooks built with openpyxl (random sheet
names, cells of mixed types), some with one part damaged; Turtle and N-Triples put together from
their tokens. The examples are derandomised, so a run is the same every time.

Inputs that once crashed the loader (found by these properties) are kept at the end of the module
as cases of their own: each must now be loaded or refused cleanly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from innograph.bootstrap import initialise
from innograph.cli import main
from innograph.config import Settings
from innograph.errors import InnographError
from innograph.loader.pipeline import load
from innograph.loader.tables import TABLES
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------------------------
# The store and one load


@dataclass(frozen=True)
class Snapshot:
    generation: str | None
    folders: tuple[str, ...]
    dump: bytes


@dataclass
class Target:
    settings: Settings
    store: Store
    work: Path

    def snapshot(self) -> Snapshot:
        folders = tuple(sorted(p.name for p in (Path(self.settings.store) / "generations").iterdir()))
        return Snapshot(self.store.current_generation(), folders, self.store.dump(syntax_for("nquads")))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Target:
    """One initialised store for the module's examples, and a folder to write them in."""
    root = tmp_path_factory.mktemp("fuzz-loader")
    settings = Settings(store=str(root / "store"))
    initialise(settings)
    (root / "work").mkdir()
    return Target(settings, open_store(settings.store), root / "work")


def outcome(text: str) -> None:
    """Count an outcome in hypothesis' statistics, when a property (not a plain test) is running."""
    if currently_in_test_context():
        event(text)


def load_refused_or_done(target: Target, files: dict[str, bytes], folder: str | None = None) -> None:
    """Write `files` (into `folder`, loaded as one source, if given) and load them: loaded, or refused with
    the store unchanged.

    Any exception other than an InnographError fails the test.
    """
    place = Path(tempfile.mkdtemp(dir=target.work))
    try:
        (place / (folder or "")).mkdir(exist_ok=True)
        for name, data in files.items():
            (place / (folder or "") / name).write_bytes(data)
        source = place / folder if folder else place / next(iter(files))
        before = target.snapshot()
        try:
            result = load(target.settings, [source])
        except InnographError as error:
            assert error.status == 400 and error.message.strip(), error.to_dict()
            assert target.snapshot() == before, "a refused load changed the store"
            outcome("refused")
            return
        assert set(result.triples) <= set(target.store.named_graphs())
        outcome("loaded")
    finally:
        shutil.rmtree(place, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Generators

TABLE_NAMES = list(TABLES)
FIELD_NAMES = sorted({name for spec in TABLES.values() for name in spec.names})
# Values that mean something to the loader (codes, labels, roles, types, years, currencies) or to a parser.
TRICKY = ["", " ", '"', '""', '"a,b"', ",", ";", "；", "\t", "\x00", "\ufeff", "\u2028", "中文", "湟水健康大学",
          "牵头", "参与", "高校", "企业", "lead", "participant", "university", "enterprise", "B1", "B3", "F03",
          "Tibetan medicine", "藏医药", "Ganhe Industrial Park", "2024", "1949", "2101", "0024", "-1", "0.5", "1,000",
          "1e9", "1E+999999", "NaN", "Infinity", "-0", "CNY", "cny", "ＣＮＹ", "91630100EEKFBU1UJ8", "x" * 300,
          "=1+1", "<http://example.org/a>", "\\u0000"]
cells = st.one_of(st.sampled_from(TRICKY), st.text(max_size=16), st.text(alphabet='",;\n\r\x00 中文B1F03', max_size=8))


@st.composite
def csv_tables(draw: st.DrawFn) -> tuple[str, bytes]:
    """One CSV table: a file name and its bytes."""
    table = draw(st.sampled_from(TABLE_NAMES))
    header = draw(st.one_of(st.none(), st.permutations(TABLES[table].names),
                            st.lists(st.one_of(st.sampled_from(FIELD_NAMES), cells), max_size=8)))
    rows = draw(st.lists(st.lists(cells, max_size=8), max_size=5))
    records = ([list(header)] if header is not None else []) + rows
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=ending).writerows(records)
        text = buffer.getvalue()
    else:  # written naively: quotes and separators inside cells are left as they are
        text = ending.join(",".join(record) for record in records)
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "gb18030", "utf-16", "latin-1"]))
    return f"{table}.csv", text.encode(encoding, errors="replace")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=16),
                         st.sampled_from(TRICKY))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def json_rows(table: str) -> st.SearchStrategy[dict]:
    keys = st.one_of(st.sampled_from(TABLES[table].names), st.sampled_from(FIELD_NAMES), st.text(max_size=8))
    return st.dictionaries(keys, st.one_of(json_scalars, json_values), max_size=8)


portfolios = st.fixed_dictionaries(
    {}, optional={**{t: st.one_of(st.lists(json_rows(t), max_size=4), json_values) for t in TABLE_NAMES},
                  "extra": json_values})


@st.composite
def json_documents(draw: st.DrawFn, documents: st.SearchStrategy[object]) -> bytes:
    """A JSON text of a document, sometimes with a BOM, sometimes cut short."""
    text = json.dumps(draw(documents), ensure_ascii=draw(st.booleans()), allow_nan=True)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]
    return (draw(st.sampled_from(["", "\ufeff"])) + text).encode("utf-8")


# A small valid portfolio, which `near_valid_portfolios` breaks in a few places.
VALID_PORTFOLIO = {
    "organisations": [
        {"id": "91630100EEKFBU1UJ8", "name_en": "Fuzz Health University", "name_zh": "模糊健康大学",
         "type": "university", "location": "Ganhe Industrial Park", "parent": ""},
        {"id": "", "name_en": "Fuzz Bureau", "name_zh": "", "type": "政府机构", "location": "", "parent": ""}],
    "projects": [
        {"code": "FZ-1", "title_en": "Fuzzing wolfberry", "title_zh": "枸杞", "component": "B1; A1",
         "focus_areas": "F03", "start_year": "2022", "end_year": "2024"}],
    "participation": [
        {"project": "FZ-1", "organisation": "91630100EEKFBU1UJ8", "role": "lead", "funding_share": "0.5"},
        {"project": "Fuzzing wolfberry", "organisation": "Fuzz Bureau", "role": "参与", "funding_share": ""}],
    "funding": [
        {"grant_id": "FZ-1-G1", "project": "FZ-1", "funder": "Fuzz Bureau", "amount": "1,000", "currency": "CNY",
         "year": "2023"}],
}


@st.composite
def near_valid_portfolios(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    """The valid portfolio with up to three cells replaced by tricky or random text, and maybe a row dropped."""
    portfolio = {table: [dict(row) for row in rows] for table, rows in VALID_PORTFOLIO.items()}
    places = [(t, i, f) for t, rows in portfolio.items() for i, row in enumerate(rows) for f in row]
    for table, index, name in draw(st.lists(st.sampled_from(places), max_size=3)):
        portfolio[table][index][name] = draw(cells)
    if draw(st.booleans()):
        table = draw(st.sampled_from(TABLE_NAMES))
        portfolio[table] = portfolio[table][1:]
    return portfolio


def as_csv(rows: list[dict[str, str]], table: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TABLES[table].names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(portfolio: dict[str, list[dict[str, str]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table, rows in portfolio.items():
        sheet = workbook.create_sheet(table)
        sheet.append(TABLES[table].names)
        for row in rows:
            sheet.append([_clean(row[name]) for name in TABLES[table].names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


sheet_titles = st.one_of(st.sampled_from(TABLE_NAMES), st.sampled_from(["Sheet", "项目", "organisations ", "PROJECTS"]),
                         st.text(min_size=1, max_size=31).map(_clean).filter(
                             lambda t: t.strip() and not INVALID_TITLE_REGEX.search(t) and not t.startswith("'")))
sheet_cells = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=16).map(_clean), st.sampled_from([_clean(t) for t in TRICKY]),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)))


@st.composite
def workbooks(draw: st.DrawFn, tables_only: bool = False) -> bytes:
    """An XLSX workbook of one to three sheets, each with an optional header of real column names; with
    `tables_only`, every sheet is named as a table, so that the loader reads it."""
    workbook = openpyxl.Workbook()
    titles = st.sampled_from(TABLE_NAMES) if tables_only else sheet_titles
    for index, title in enumerate(draw(st.lists(titles, min_size=1, max_size=3))):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title  # openpyxl renames a repeated title itself
        table = title.strip().lower() if title.strip().lower() in TABLES else draw(st.sampled_from(TABLE_NAMES))
        header = draw(st.one_of(st.none(), st.permutations(TABLES[table].names)))
        for row in ([list(header)] if header else []) + draw(st.lists(st.lists(sheet_cells, max_size=7), max_size=5)):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def damaged(draw: st.DrawFn, archive: bytes) -> bytes:
    """The workbook with one part cut short, replaced by random bytes, or left out."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    names = source.namelist()
    sheets = [n for n in names if n.startswith("xl/worksheets/")]
    victim = draw(st.one_of(st.sampled_from(sheets), st.sampled_from(names)))
    how = draw(st.sampled_from(["cut", "replace", "drop"]))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as copy:
        for name in names:
            data = source.read(name)
            if name == victim:
                if how == "drop":
                    continue
                eighths = draw(st.integers(0, 8))
                data = data[:len(data) * eighths // 8] if how == "cut" else draw(st.binary(max_size=200))
            copy.writestr(name, data)  # a new entry: writing the source's ZipInfo would change it
    return output.getvalue()


PREAMBLE = ("@prefix ig: <https://w3id.org/innograph/def/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <http://example.org/> .\n")
TURTLE_TOKENS = [
    "@prefix", "@base", "PREFIX", "BASE", "ex:", "ig:", ":", "<http://example.org/a>", "<http://example.org/b>",
    "<https://w3id.org/innograph/id/place/x>", "<>", "<#x>", "<relative>", "<http://ex ample.org/>", "ex:a", "ex:b",
    "ig:Project", "ig:Place", "ig:Organization", "ig:code", "ig:startYear", "ig:partOf", "rdfs:label", "a", "_:b",
    "_:", "[", "]", "(", ")", ".", ";", ",", '"text"', '"中文"@zh', '"x"@en--ltr', '"12"^^xsd:integer',
    '"abc"^^xsd:integer', '"""long\nstring"""', "'single'", "@en", "^^", "true", "12", "-1.5", "1e10", "<<", ">>",
    "<<(", ")>>", "{|", "|}", "~", "#comment\n", "\n", "\\u00E9", "\\", '"', "GRAPH", "{", "}", "\x00", "\ufeff",
]
NT_SUBJECTS = ["<http://example.org/s>", "_:b1", "<https://w3id.org/innograph/id/project/p>", "<rel>", '"lit"',
               "<http://ex ample.org/>", "",
               "<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> )>>"]
NT_PREDICATES = ["<http://example.org/p>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                 "<http://www.w3.org/2000/01/rdf-schema#label>", "<https://w3id.org/innograph/def/startYear>", "_:p",
                 "a", ""]
NT_OBJECTS = ['"x"', '"中文"@zh', '"2024"^^<http://www.w3.org/2001/XMLSchema#integer>', '"20x4"^^<http://www.w3.org/2001/XMLSchema#integer>',
              "<https://w3id.org/innograph/def/Project>", "<https://w3id.org/innograph/def/Place>", "_:o", '"\\u0000"',
              '"unterminated', '"x"@', '"x"^^', "<http://example.org/o>", "",
              "<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> )>>"]


@st.composite
def rdf_texts(draw: st.DrawFn) -> tuple[str, bytes]:
    """Turtle from its tokens in any order, or N-Triples lines of right and wrong terms; a file name and bytes."""
    suffix = draw(st.sampled_from([".ttl", ".nt", ".nq", ".trig"]))
    if draw(st.booleans()):
        tokens = draw(st.lists(st.one_of(st.sampled_from(TURTLE_TOKENS), st.text(max_size=6)), max_size=30))
        text = (PREAMBLE if draw(st.booleans()) else "") + " ".join(tokens)
    else:
        lines = draw(st.lists(st.tuples(st.sampled_from(NT_SUBJECTS), st.sampled_from(NT_PREDICATES),
                                        st.sampled_from(NT_OBJECTS), st.sampled_from([" .", ".", "", " . # c", " ;"])),
                              min_size=1, max_size=6))
        text = "\n".join(" ".join(parts[:3]) + parts[3] for parts in lines)
    return f"fuzz{suffix}", text.encode("utf-8", errors="surrogatepass")


VALID_TURTLE = b'<http://example.org/a> <http://example.org/b> "x" .\n'
# File names as the file system gives them: any bytes but '/' and NUL, mostly UTF-8 text; Python decodes the
# others to lone surrogates (os.fsdecode), as it does for a name in GBK.
file_stems = st.one_of(st.text(min_size=1, max_size=20).map(lambda t: t.encode("utf-8")),
                       st.sampled_from(["台账", "项目 (2024)", "a#b%20c", "x\ny", "-v", " "]).map(str.encode),
                       st.binary(min_size=1, max_size=20)).filter(
    lambda b: b"/" not in b and b"\0" not in b and len(b) < 200).map(os.fsdecode)

SUFFIXES = [".csv", ".json", ".xlsx", ".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"]
file_names = st.tuples(st.sampled_from([*TABLE_NAMES, "portfolio"]), st.sampled_from(SUFFIXES)).map("".join)


# ---------------------------------------------------------------------------------------------
# The properties


@FUZZ
@given(name=file_names, data=st.binary(max_size=1500))
def test_arbitrary_bytes_under_any_extension_are_loaded_or_refused(target: Target, name: str, data: bytes) -> None:
    load_refused_or_done(target, {name: data})


@settings(FUZZ, max_examples=60)
@given(tables=st.lists(csv_tables(), min_size=1, max_size=4, unique_by=lambda t: t[0]), as_folder=st.booleans())
def test_arbitrary_csv_tables_are_loaded_or_refused(target: Target, tables: list[tuple[str, bytes]],
                                                    as_folder: bool) -> None:
    if as_folder:
        load_refused_or_done(target, dict(tables), folder="fuzz-portfolio")
    else:
        load_refused_or_done(target, dict(tables[:1]))


@FUZZ
@given(data=json_documents(json_values))
def test_arbitrary_json_is_loaded_or_refused(target: Target, data: bytes) -> None:
    load_refused_or_done(target, {"fuzz.json": data})


@FUZZ
@given(data=json_documents(portfolios))
def test_json_shaped_like_a_portfolio_is_loaded_or_refused(target: Target, data: bytes) -> None:
    load_refused_or_done(target, {"fuzz-portfolio.json": data})


@settings(FUZZ, max_examples=10)
@given(stem=file_stems, in_folder=st.booleans())
def test_a_source_of_any_file_name_is_loaded_or_refused(target: Target, stem: str, in_folder: bool) -> None:
    if in_folder:  # a valid table, and beside it a stray CSV file of that name
        organisations = as_csv(VALID_PORTFOLIO["organisations"], "organisations")
        load_refused_or_done(target, {"organisations.csv": organisations, f"{stem}.csv": b"a,b\n"},
                             folder="fuzz-names")
    else:
        load_refused_or_done(target, {f"{stem}.ttl": VALID_TURTLE})


@settings(FUZZ, max_examples=30)
@given(portfolio=near_valid_portfolios(), reader=st.sampled_from(["csv", "json", "xlsx"]))
def test_a_portfolio_broken_in_a_few_cells_is_loaded_or_refused(
        target: Target, portfolio: dict[str, list[dict[str, str]]], reader: str) -> None:
    if reader == "csv":
        load_refused_or_done(target, {f"{t}.csv": as_csv(rows, t) for t, rows in portfolio.items()},
                             folder="fuzz-near-valid")
    elif reader == "json":
        load_refused_or_done(target, {"fuzz-near-valid.json": json.dumps(portfolio, ensure_ascii=False).encode()})
    else:
        load_refused_or_done(target, {"fuzz-near-valid.xlsx": as_xlsx(portfolio)})


@settings(FUZZ, max_examples=30)
@given(data=workbooks())
def test_random_xlsx_workbooks_are_loaded_or_refused(target: Target, data: bytes) -> None:
    load_refused_or_done(target, {"fuzz.xlsx": data})


@settings(FUZZ, max_examples=30)
@given(data=workbooks(tables_only=True).flatmap(damaged))
def test_damaged_xlsx_workbooks_are_refused(target: Target, data: bytes) -> None:
    load_refused_or_done(target, {"fuzz-damaged.xlsx": data})


@settings(FUZZ, max_examples=60)
@given(document=rdf_texts())
def test_turtle_and_ntriples_like_text_is_loaded_or_refused(target: Target, document: tuple[str, bytes]) -> None:
    load_refused_or_done(target, {document[0]: document[1]})


@settings(FUZZ, max_examples=20)
@given(name=file_names, data=st.one_of(st.binary(max_size=600), csv_tables().map(lambda t: t[1]),
                                       json_documents(portfolios), rdf_texts().map(lambda t: t[1])))
def test_the_command_line_exits_0_or_1_and_never_shows_a_traceback(target: Target, name: str, data: bytes) -> None:
    place = Path(tempfile.mkdtemp(dir=target.work))
    try:
        (place / name).write_bytes(data)
        before = target.snapshot()
        result = CliRunner().invoke(main, ["--store", target.settings.store, "load", "--quiet", str(place / name)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        event("refused" if result.exit_code else "loaded")
        if result.exit_code == 1:
            assert result.output.startswith("error: ") and str(place / name) in result.output, result.output
            assert target.snapshot() == before, "a refused load changed the store"
    finally:
        shutil.rmtree(place, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Each known crash, reproduced: each must be refused with an InnographError, and the store unchanged


def _xlsx_with_half_a_sheet() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "projects"
    for row in (TABLES["projects"].names, ["P1", "Title", "", "B1", "", "2024", "2025"]):
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _cut_member(buffer.getvalue(), "xl/worksheets/sheet1.xml")


def _cut_member(archive: bytes, member: str) -> bytes:
    source, output = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(output, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            copy.writestr(name, data[: len(data) // 2] if name == member else data)
    return output.getvalue()


CRASH_INPUTS: dict[str, dict[str, bytes]] = {
    "deeply-nested-json": {"nested.json": b"[" * 100_000},
    "json-integer-over-4300-digits": {"big.json": b'{"projects": [{"code": ' + b"1" * 5000 + b"}]}"},
    "csv-field-over-131072-characters": {"projects.csv": b"code,title_en,component\nP1," + b"x" * 140_000 + b",B1\n"},
    "carriage-return-before-a-bad-utf8-byte": {"organisations.csv": b"id,name_en,type\rx,\xff,university\r"},
    "damaged-xlsx-sheet": {"half.xlsx": _xlsx_with_half_a_sheet()},
    "source-file-name-not-utf8": {os.fsdecode("台账".encode("gbk")) + ".ttl": VALID_TURTLE},
    "rdf-1.2-triple-term-checked-by-a-shape": {"triple-term.ttl": (
        PREAMBLE + "<https://w3id.org/innograph/id/place/x> a ig:Place ;\n"
        "    rdfs:label <<( ex:s ex:p ex:o )>> .\n").encode()},
}


@pytest.mark.parametrize("name", sorted(CRASH_INPUTS))
def test_an_input_that_once_crashed_the_loader_is_loaded_or_refused_cleanly(target: Target, name: str) -> None:
    load_refused_or_done(target, CRASH_INPUTS[name])


def test_a_file_name_that_is_not_utf8_is_recorded_with_replacement_characters(target: Target) -> None:
    """The provenance graph names the file; bytes that were not UTF-8 become U+FFFD rather than a crash."""
    place = Path(tempfile.mkdtemp(dir=target.work))
    try:
        name = os.fsdecode("台账".encode("gbk")) + ".ttl"
        (place / name).write_bytes(VALID_TURTLE)
        load(target.settings, [place / name])
        titles = target.store.query("PREFIX dcterms: <http://purl.org/dc/terms/> "
                                    "SELECT ?t WHERE { ?f dcterms:title ?t FILTER(STRENDS(?t, '.ttl')) }").rows
        assert any(str(t).endswith("\ufffd.ttl") or "\ufffd" in str(t) for (t,) in titles), titles
    finally:
        shutil.rmtree(place, ignore_errors=True)
