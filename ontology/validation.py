"""SHACL validation of data against the shapes, with the ontology for the class hierarchy."""

from __future__ import annotations

from collections.abc import Iterable

from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from innograph.errors import ValidationError

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


def check_conforms(triples: Iterable[tuple[Node, Node, Node]], shapes: Graph, ontology: Graph) -> None:
    """Raise ValidationError listing every violation, or return quietly."""
    data = Graph()
    for triple in triples:
        data.add(triple)
    found = violations(data, shapes, ontology)
    if found:
        raise ValidationError(found)


def _text(term: Node | None) -> str:
    if term is None:
        return ""
    return str(term) if not isinstance(term, Literal) else term.value if isinstance(term.value, str) else str(term)
