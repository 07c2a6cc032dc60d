"""Readers for tabular sources: a folder of CSV files, an XLSX workbook, or a JSON document.

Each reader returns the rows of the four canonical tables, renamed by the mapping, with their
row numbers as a person sees them (the header is row 1 of a CSV file or sheet; JSON items count
from 1), and reports every structural problem (unreadable file, missing column) it meets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from innograph.loader.mapping import Mapping, TableMapping
from innograph.loader.report import Report
from innograph.loader.tables import TABLES, Portfolio, Row

TABULAR_SUFFIXES = {".csv", ".xlsx", ".json"}


def read_tabular(path: Path, mapping: Mapping, report: Report) -> Portfolio:
    """Read a folder of CSV files, one CSV file, an XLSX workbook or a JSON document."""
    if path.is_dir():
        return read_csv_folder(path, mapping, report)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_files([path], mapping, report)
    if suffix == ".xlsx":
        return read_xlsx(path, mapping, report)
    return read_json(path, mapping, report)


def read_csv_folder(folder: Path, mapping: Mapping, report: Report) -> Portfolio:
    files = [folder / f"{m.source}.csv" for m in mapping.tables.values() if (folder / f"{m.source}.csv").exists()]
    if not files:
        expected = ", ".join(f"{m.source}.csv" for m in mapping.tables.values())
        report.error(str(folder), "source.empty", f"no table found; expected one of {expected}")
    return read_csv_files(files, mapping, report)


def read_csv_files(files: Iterable[Path], mapping: Mapping, report: Report) -> Portfolio:
    """Check each file's encoding and header now; its rows are read when the converter passes over them."""
    portfolio = Portfolio()
    by_source = {m.source: m for m in mapping.tables.values()}
    for path in files:
        table = by_source.get(path.stem)
        if table is None:
            known = ", ".join(sorted(by_source))
            report.error(str(path), "source.unknown-table", f"file name names no table; expected one of {known}")
            continue
        text = _decode(path, report)
        if text is None:
            continue
        lines = text.count("\n") + 1
        try:
            header = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error as error:  # a field over the csv module's limit, a NUL byte, and the like
            report.error(str(path), "file.syntax", f"not a readable CSV file: {error}")
            continue
        del text  # the rows are read again from the file, one at a time
        if not header:
            report.error(str(path), "table.empty", "the table has no header row")
            continue
        index = _header_index(str(path), header, table, report, first_row=1)
        if index is not None:
            portfolio.rows[table.table].add(_csv_rows(path, index, table, report), lines - 1)
    return portfolio


def _csv_rows(path: Path, index: dict[str, int], table: TableMapping,
              report: Report) -> Callable[[], Iterator[Row]]:
    """The rows of a CSV file, read from the file on each call; a syntax error is reported once."""
    reported = False

    def rows() -> Iterator[Row]:
        nonlocal reported
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = csv.reader(handle)
            try:
                next(records, None)
                yield from _records_to_rows(str(path), records, index, table, first_row=1)
            except csv.Error as error:  # a field over the csv module's limit, a NUL byte, and the like
                if not reported:
                    report.error(str(path), "file.syntax", f"not a readable CSV file: {error}")
                    reported = True

    return rows


def read_xlsx(path: Path, mapping: Mapping, report: Report) -> Portfolio:
    import openpyxl

    portfolio = Portfolio()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zipfile, KeyError, XML errors) for a bad file
        report.error(str(path), "file.unreadable", f"not a readable XLSX workbook: {error}")
        return portfolio
    try:
        for table in mapping.tables.values():
            if table.source not in workbook.sheetnames:
                continue
            sheet = workbook[table.source]
            try:  # read-only workbooks parse each sheet's XML only now, row by row
                records = [["" if v is None else _cell_text(v) for v in row]
                           for row in sheet.iter_rows(values_only=True)]
            except Exception as error:  # as above: a damaged sheet raises XML, zip or key errors
                report.error(f"{path}[{table.source}]", "file.unreadable", f"the sheet cannot be read: {error}")
                continue
            portfolio.rows[table.table].add(_rows(f"{path}[{table.source}]", records, table, report, first_row=1))
    finally:
        workbook.close()
    if not len(portfolio) and not report.errors:
        expected = ", ".join(m.source for m in mapping.tables.values())
        report.error(str(path), "source.empty", f"no sheet with rows found; expected sheets {expected}")
    return portfolio


def read_json(path: Path, mapping: Mapping, report: Report) -> Portfolio:
    portfolio = Portfolio()
    text = _decode(path, report)
    if text is None:
        return portfolio
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        report.error(str(path), "file.syntax", f"invalid JSON at line {error.lineno}, column {error.colno}: "
                                               f"{error.msg}", row=error.lineno)
        return portfolio
    except (RecursionError, ValueError) as error:  # nesting too deep; an integer of over 4,300 digits
        report.error(str(path), "file.syntax", f"JSON the loader cannot read: {error or 'nested too deeply'}")
        return portfolio
    if not isinstance(document, dict):
        report.error(str(path), "file.structure", "a JSON portfolio is an object whose keys name the tables")
        return portfolio
    for table in mapping.tables.values():
        items = document.get(table.source, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            report.error(str(path), "file.structure", f"{table.source!r} must be a list of objects")
            continue
        headers = sorted({key for item in items for key in item}, key=str)
        records = [headers, *[[_cell_text(item.get(h)) for h in headers] for item in items]]
        portfolio.rows[table.table].add(_rows(f"{path}[{table.source}]", records, table, report, first_row=0))
    return portfolio


def _decode(path: Path, report: Report) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        report.error(str(path), "file.unreadable", f"cannot read file: {error.strerror}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        report.error(str(path), "file.encoding", f"not UTF-8: byte {data[error.start]:#04x} at line {line}, "
                                                 f"byte offset {error.start}", row=line,
                     column=_column_at(data, error.start))
        return None


def _column_at(data: bytes, offset: int) -> str | None:
    """The header of the CSV column that byte `offset` falls in, for pointing at a bad byte."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    header = data[:data.find(b"\n")].decode("utf-8-sig", errors="replace") if b"\n" in data else ""
    try:
        fields = next(csv.reader([prefix + "x"]), [])
        names = next(csv.reader([header]), [])
    except csv.Error:  # lines that end in a lone carriage return, for one: no column can be named
        return None
    return names[len(fields) - 1] if 0 < len(fields) <= len(names) else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def _rows(where: str, records: Sequence[Sequence[str]], table: TableMapping, report: Report,
          first_row: int) -> list[Row]:
    """Turn a header and records into Rows; `first_row` is the number the header row has."""
    if not records:
        report.error(where, "table.empty", "the table has no header row")
        return []
    index = _header_index(where, records[0], table, report, first_row)
    return [] if index is None else list(_records_to_rows(where, records[1:], index, table, first_row))


def _header_index(where: str, header_row: Sequence[str], table: TableMapping, report: Report,
                  first_row: int) -> dict[str, int] | None:
    """The position of each mapped column in the header; None, with every missing column reported, if a
    required one is missing."""
    header = [_normalise(h) for h in header_row]
    index: dict[str, int] = {}
    spec = TABLES[table.table]
    for canonical, source_header in table.columns.items():
        wanted = _normalise(source_header)
        if wanted in header:
            index[canonical] = header.index(wanted)
        elif spec.field(canonical).required:
            report.error(where, "column.missing", f"required column {source_header!r} is missing",
                         row=first_row, column=source_header)
    if any(spec.field(f).required and f not in index for f in spec.names):
        return None
    return index


def _records_to_rows(where: str, records: Iterable[Sequence[str]], index: dict[str, int], table: TableMapping,
                     first_row: int) -> Iterator[Row]:
    """Rows of the records after the header, numbered as a person sees them; blank records are skipped."""
    columns = {c: table.columns[c] for c in index}
    for offset, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record):
            continue
        values = {}
        for canonical, position in index.items():
            value = record[position].strip() if position < len(record) else ""
            values[canonical] = table.values.get(canonical, {}).get(value, value)
        yield Row(where, first_row + offset, values, columns)
