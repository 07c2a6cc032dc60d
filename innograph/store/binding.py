"""Bind values to a query's variables with a VALUES block, never by pasting text.

pyoxigraph's own substitution only accepts variables that the SELECT clause projects, so a
parameter used in a FILTER could not be bound with it. Instead the values, each written by the
RDF library (which escapes and validates them), go into a `VALUES` block placed first in the
query's WHERE group, where they constrain every pattern and filter of the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.term import Node

from innograph.errors import QueryError
from innograph.store.rdfio import sparql_term

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def with_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """The query with `bindings` joined at the start of its WHERE clause."""
    if not bindings:
        return sparql
    for name in bindings:
        if not VARIABLE_NAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    names = list(bindings)
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(sparql_term(bindings[n]) for n in names) + ") } ")
    position = where_group_start(sparql)
    return sparql[:position + 1] + block + sparql[position + 1:]


def where_group_start(sparql: str) -> int:
    """Index of the `{` that opens the query's WHERE group."""
    seen_where = False
    is_construct = False
    depth = 0
    i = 0
    while i < len(sparql):
        ch = sparql[i]
        if ch == "#":
            i = _line_end(sparql, i)
        elif ch in "\"'":
            i = _string_end(sparql, i)
        elif ch == "<" and _iri_end(sparql, i) is not None:
            i = _iri_end(sparql, i)  # type: ignore[assignment]
        elif ch in "?$:" or ch.isdigit():
            i = _skip_name(sparql, i + 1)
        elif ch == "{":
            if depth == 0 and (seen_where or not is_construct):
                return i
            depth += 1
            i += 1
        elif ch == "}":
            depth -= 1
            i += 1
        elif match := WORD.match(sparql, i):
            word = match.group().upper()
            if depth == 0 and not sparql.startswith(":", match.end()):
                seen_where = seen_where or word == "WHERE"
                is_construct = is_construct or word == "CONSTRUCT"
            i = match.end()
        else:
            i += 1
    raise QueryError("cannot bind parameters: the query has no WHERE clause")


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _string_end(text: str, i: int) -> int:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return len(text)


def _iri_end(text: str, i: int) -> int | None:
    match = re.compile(r"<[^<>\"{}|^`\\\s]*>").match(text, i)
    return match.end() if match else None


def _skip_name(text: str, i: int) -> int:
    match = re.compile(r"[^\s{}()<>,;.\"'#]*").match(text, i)
    return match.end() if match else i
