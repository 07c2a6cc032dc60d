"""Declarative mappings (YAML) from an agency's own column names to the canonical tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import yaml

from innograph.errors import InputError, Position
from innograph.loader.tables import TABLES


@dataclass(frozen=True)
class TableMapping:
    """Where one canonical table is found in a source, and under which column names."""

    table: str
    source: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: the four tables, and optionally a description of the dataset."""

    name: str
    tables: dict[str, TableMapping]
    dataset: dict[str, dict[str, str]] = field(default_factory=dict)


def default_mapping_file() -> Path:
    with as_file(files("innograph.data") / "templates" / "mapping.yaml") as path:
        return Path(path)


def load_mapping(path: Path | None = None) -> Mapping:
    """Read and check a mapping file; None gives the templates' own mapping."""
    path = path or default_mapping_file()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise InputError(f"cannot read mapping: {error.strerror}", Position(file=str(path))) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = Position(file=str(path), line=mark.line + 1 if mark else None,
                            column=mark.column + 1 if mark else None)
        raise InputError(f"invalid YAML: {getattr(error, 'problem', error)}", position) from None
    return parse_mapping(document, path.name, str(path))


def parse_mapping(document: Any, name: str, where: str) -> Mapping:
    """Check a mapping document's keys against the canonical tables and fields."""
    if not isinstance(document, dict):
        raise InputError("a mapping is a YAML mapping with a 'tables' key", Position(file=where))
    unknown = set(document) - {"tables", "dataset"}
    if unknown:
        raise InputError(f"unknown keys {sorted(unknown)}; expected 'tables' and 'dataset'", Position(file=where))
    tables: dict[str, TableMapping] = {}
    given = document.get("tables") or {}
    for table in given:
        if table not in TABLES:
            raise InputError(f"unknown table {table!r}; tables are {sorted(TABLES)}", Position(file=where))
    for table, spec in TABLES.items():
        entry = given.get(table) or {}
        columns = {f: f for f in spec.names}
        for canonical, header in (entry.get("columns") or {}).items():
            if canonical not in spec.names:
                raise InputError(f"table {table!r} has no field {canonical!r}; fields are {spec.names}",
                                 Position(file=where, field=f"tables.{table}.columns"))
            columns[canonical] = str(header)
        values = {k: {str(a): str(b) for a, b in v.items()} for k, v in (entry.get("values") or {}).items()}
        tables[table] = TableMapping(table, str(entry.get("source", table)), columns, values)
    dataset = document.get("dataset") or {}
    return Mapping(name, tables, {k: dict(v) for k, v in dataset.items() if isinstance(v, dict)})
