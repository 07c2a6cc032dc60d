"""The named queries: `.rq` files whose `#+` comment lines describe them, read into records.

As in grlc, the header is YAML written in `#+` comment lines, so each file stays a valid SPARQL
query that an analyst can paste into any editor, and is also the description of an API call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from innograph.errors import InnographError
from innograph.namespaces import PREFIXES

PARAMETER_TYPES = ("iri", "string", "integer", "year", "decimal")
RESERVED_NAMES = ("format", "page", "page_size")  # the API's own arguments
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LibraryError(InnographError):
    """A query file whose header is missing or wrong: a bug in the library, found when it is read."""

    status = 500


Text = dict[str, str]
"""A text in English and Chinese: {"en": ..., "zh": ...}."""


@dataclass(frozen=True)
class Parameter:
    """One value an analyst may give: its SPARQL variable, type and constraints."""

    name: str
    type: str
    description: Text
    required: bool = False
    default: str | None = None
    class_iri: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    is_limit: bool = False


@dataclass(frozen=True)
class Network:
    """How a result is read as a network: which columns are the two ends, their labels and the weight."""

    source: str
    target: str
    source_label: str
    target_label: str
    weight: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its text and what the header says about it."""

    name: str
    title: Text
    description: Text
    question: Text
    sparql: str
    parameters: tuple[Parameter, ...] = ()
    network: Network | None = None
    columns: tuple[str, ...] = field(default=())

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def load_library(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every query of the library by name, from `folder` or the installed package."""
    if folder is not None:
        return _read_folder(str(folder))
    return _packaged_library()


@cache
def _packaged_library() -> dict[str, NamedQuery]:
    root = resources.files("innograph.queries")
    files = sorted((item for item in root.iterdir() if item.name.endswith(".rq")), key=lambda item: item.name)
    return {query.name: query for query in (parse_query(item.name[:-3], item.read_text("utf-8")) for item in files)}


def _read_folder(folder: str) -> dict[str, NamedQuery]:
    files = sorted(Path(folder).glob("*.rq"))
    return {query.name: query for query in (parse_query(path.stem, path.read_text("utf-8")) for path in files)}


def parse_query(name: str, text: str) -> NamedQuery:
    """The named query in `text`; a LibraryError names the file and what is wrong with its header."""
    where = f"queries/{name}.rq"
    if not NAME.match(name):
        raise LibraryError(f"{where}: a query name is lower-case words joined by hyphens")
    header_lines = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as error:
        raise LibraryError(f"{where}: the #+ header is not YAML: {error}") from None
    if not isinstance(header, dict):
        raise LibraryError(f"{where}: the #+ header must be a mapping of keys")
    parameters = tuple(_parameter(where, entry) for entry in header.get("params") or [])
    limits = [p for p in parameters if p.is_limit]
    if len(limits) > 1:
        raise LibraryError(f"{where}: at most one parameter sets the LIMIT")
    return NamedQuery(
        name=name,
        title=_text(where, header, "title"),
        description=_text(where, header, "description"),
        question=_text(where, header, "question"),
        sparql=text,
        parameters=parameters,
        network=_network(where, header.get("network")),
        columns=tuple(header.get("columns") or ()),
    )


def _text(where: str, header: dict[str, Any], key: str) -> Text:
    value = header.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in ("en", "zh")):
        raise LibraryError(f"{where}: '{key}' needs an English (en) and a Chinese (zh) text")
    return {"en": value["en"].strip(), "zh": value["zh"].strip()}


def _parameter(where: str, entry: Any) -> Parameter:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise LibraryError(f"{where}: each entry of 'params' is a mapping with a 'name'")
    name = entry["name"]
    if not VARIABLE.match(name):
        raise LibraryError(f"{where}: parameter {name!r} is not a SPARQL variable name")
    if name in RESERVED_NAMES:
        raise LibraryError(f"{where}: parameter {name!r} is a name the API keeps for itself")
    kind = entry.get("type")
    if kind not in PARAMETER_TYPES:
        raise LibraryError(f"{where}: parameter {name!r} has type {kind!r}; use one of {', '.join(PARAMETER_TYPES)}")
    class_iri = _expand(entry["class"]) if "class" in entry else None
    if (kind == "iri") != (class_iri is not None):
        raise LibraryError(f"{where}: parameter {name!r}: an 'iri' parameter, and only one, names its 'class'")
    default = entry.get("default")
    is_limit = bool(entry.get("limit", False))
    if is_limit and kind != "integer":
        raise LibraryError(f"{where}: parameter {name!r} sets the LIMIT, so it is an integer")
    return Parameter(
        name=name, type=kind, description=_text(where, entry, "description"),
        required=bool(entry.get("required", False)), default=None if default is None else str(default),
        class_iri=class_iri, choices=tuple(str(c) for c in entry.get("choices") or ()),
        minimum=entry.get("minimum"), maximum=entry.get("maximum"), is_limit=is_limit,
    )


def _network(where: str, entry: Any) -> Network | None:
    if entry is None:
        return None
    try:
        return Network(source=entry["source"], target=entry["target"], source_label=entry["source_label"],
                       target_label=entry["target_label"], weight=entry.get("weight"))
    except (KeyError, TypeError):
        raise LibraryError(f"{where}: 'network' names source, target, source_label, target_label "
                           "and optionally weight") from None


def _expand(name: str) -> str:
    """A class written as a prefixed name (ig:ResearchBase) or a full IRI."""
    prefix, _, local = name.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def metadata(query: NamedQuery) -> dict[str, Any]:
    """What the library says about a query, as JSON for `innograph queries` and /api/queries."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "question": query.question,
        "columns": list(query.columns),
        "network": query.network is not None,
        "parameters": [
            {
                "name": p.name, "type": p.type, "class": p.class_iri, "required": p.required,
                "default": p.default, "choices": list(p.choices) or None,
                "minimum": p.minimum, "maximum": p.maximum, "description": p.description,
            }
            for p in query.parameters
        ],
    }
