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
from innograph.sparql_text import tokens
from innograph.store.rdfio import sparql_term

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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
    seen_where = is_construct = False
    depth = 0
    for token in tokens(sparql):
        if token.kind == "punct" and token.text == "{":
            if depth == 0 and (seen_where or not is_construct):
                return token.start
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
        elif token.kind == "word" and depth == 0:
            seen_where = seen_where or token.text.upper() == "WHERE"
            is_construct = is_construct or token.text.upper() == "CONSTRUCT"
    raise QueryError("cannot bind parameters: the query has no WHERE clause")
