"""Query results for people and programs: an aligned text table, or a standard SPARQL syntax."""

from __future__ import annotations

import unicodedata

from rdflib import Literal, URIRef
from rdflib.term import Node

from innograph.namespaces import PREFIXES
from innograph.store import Result

RESULT_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA_TYPES = {
    "json": "application/ld+json",
    "xml": "application/rdf+xml",
    "csv": "application/n-triples",
    "tsv": "application/n-triples",
    "turtle": "text/turtle",
}


def short(term: Node | None) -> str:
    """A term as a reader would like to see it: prefixed IRIs, bare literal values."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for name, iri in PREFIXES.items():
            if term.startswith(iri) and len(term) > len(iri):
                return f"{name}:{term[len(iri):]}"
        return f"<{term}>"
    if isinstance(term, Literal):
        return f"{term}@{term.language}" if term.language else str(term)
    return f"_:{term}"


def table(result: Result) -> str:
    """An aligned plain-text table of a result, with a row count."""
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    if result.kind == "graph":
        header, rows = ["subject", "predicate", "object"], [tuple(map(short, t)) for t in result.triples]
    else:
        header, rows = result.variables, [tuple(map(short, row)) for row in result.rows]
    widths = [max([_width(h), *(_width(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Terminal columns a string takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
