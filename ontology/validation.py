"""SHACL validation with pyshacl: the reference the SPARQL-compiled shapes are tested against."""

from __future__ import annotations

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")


def violations(data: Graph, shapes: Graph, ontology: Graph,
               focus_nodes: list[URIRef] | None = None) -> list[dict[str, str]]:
    """Every violation of `shapes` by `data` (at `focus_nodes` only, if given), sorted for stable reports."""
    _, report, _ = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                            advanced=False, allow_warnings=True, focus_nodes=focus_nodes)
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        found.append({
            "focus": _text(report.value(result, SH.focusNode)),
            "path": _text(report.value(result, SH.resultPath)),
            "value": _text(report.value(result, SH.value)),
            "message": _text(report.value(result, SH.resultMessage)),
            "shape": _text(report.value(result, SH.sourceShape)),
            "constraint": _text(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
        })
    return sorted(found, key=lambda v: (v["focus"], v["path"], v["message"]))


def _text(term: Node | None) -> str:
    """A report term as text: a literal's lexical form, an IRI as itself, nothing as ''."""
    return "" if term is None else str(term)
