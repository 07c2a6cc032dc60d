"""Checks on a query before the engine sees it: size, nesting, and no SERVICE outside the allowlist.

pyoxigraph follows SERVICE to any URL and crashes on queries nested thousands of levels deep, so
the text is measured first, then parsed (rdflib's SPARQL parser) and the parse tree walked for
SERVICE clauses, which also catches `SERVICE ?endpoint`. A query rdflib cannot parse is let
through to the engine only if it has no SERVICE keyword at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from pyparsing import ParseException
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from innograph.config import Settings
from innograph.errors import QueryError
from innograph.sparql_text import has_keyword, keyword_count, nesting_depth

FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}


def inspect_query(text: str, settings: Settings) -> str | None:
    """The kind of result the query gives (select, ask or graph; None if unknown), or QueryError."""
    tree = _checked(text, settings, _parse, ("SERVICE",))
    if tree is None:
        return None
    return next((FORMS[n.name] for n in tree if isinstance(n, CompValue) and n.name in FORMS), None)


def inspect_update(text: str, settings: Settings) -> None:
    """QueryError unless the update is small, shallow, and neither LOADs nor calls SERVICE outside the allowlist."""
    tree = _checked(text, settings, _parse_update, ("SERVICE", "LOAD"))
    for node in _nodes(tree) if tree is not None else ():
        if node.name == "Load" and str(node.get("iri")) not in settings.service_allowlist:
            raise QueryError(f"LOAD <{node.get('iri')}> is refused: the address is not on the allowlist")


def _checked(text: str, settings: Settings, parse: Callable[[str], tuple[object, ...] | None],
             unverifiable: tuple[str, ...]) -> tuple[object, ...] | None:
    """Measure, parse and walk the request for SERVICE; the parse tree, or None if it does not parse."""
    if len(text) > settings.query_max_length:
        raise QueryError(f"the request is {len(text)} characters long; the limit is {settings.query_max_length}")
    depth = nesting_depth(text)
    if depth > settings.query_max_depth:
        raise QueryError(f"the query is nested {depth} levels deep; the limit is {settings.query_max_depth}")
    tree = parse(text)
    if tree is None:
        for keyword in unverifiable:
            if has_keyword(text, keyword):
                raise QueryError(f"{keyword} is refused in a request that cannot be checked")
        return None
    services = 0
    for pattern in _nodes(tree):
        if pattern.name == "ServiceGraphPattern":
            services += 1
            endpoint = pattern.get("term")
            if isinstance(endpoint, Variable):
                raise QueryError("SERVICE with a variable endpoint is refused")
            if not isinstance(endpoint, URIRef) or str(endpoint) not in settings.service_allowlist:
                raise QueryError(f"SERVICE <{endpoint}> is refused: the endpoint is not on the allowlist")
    # rdflib decodes \u escapes in the whole text before parsing, pyoxigraph only inside strings and
    # IRIs: an escaped quote can make rdflib read as a string what pyoxigraph runs. So every SERVICE
    # and LOAD that the engine's own reading (our lexer) finds must also be one the parse tree has.
    loads = sum(1 for node in _nodes(tree) if node.name == "Load")
    for keyword, checked in (("SERVICE", services), ("LOAD", loads)):
        if keyword in unverifiable and keyword_count(text, keyword) > checked:
            raise QueryError(f"{keyword} is refused where the request's escapes hide it from the check")
    return tree


@lru_cache(maxsize=256)
def _parse(text: str) -> tuple[object, ...] | None:
    try:
        return tuple(parseQuery(text))
    except (ParseException, RecursionError, ValueError, TypeError):
        return None


def _parse_update(text: str) -> tuple[object, ...] | None:
    try:
        return (parseUpdate(text),)
    except (ParseException, RecursionError, ValueError, TypeError):
        return None


def _nodes(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:  # type: ignore[attr-defined]
            yield from _nodes(value)
