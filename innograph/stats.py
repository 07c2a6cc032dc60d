"""Dataset statistics: triples per named graph and instances per class of our vocabulary."""

from __future__ import annotations

from rdflib import Literal, URIRef

from innograph.namespaces import IG
from innograph.store import Reader, Result

INSTANCES_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances)
WHERE { ?instance a ?class FILTER(STRSTARTS(STR(?class), ?namespace)) }
GROUP BY ?class ORDER BY ?class
"""


def statistics(store: Reader) -> tuple[Result, Result]:
    """(triples per graph, instances per ig: class) as two results ready to print or serve."""
    graphs = store.named_graphs()
    per_graph = Result("select", ["graph", "triples"],
                       [(URIRef(g), Literal(store.triple_count(g))) for g in graphs])
    per_graph.rows.append((Literal("all graphs"), Literal(store.triple_count())))
    per_class = store.query(INSTANCES_PER_CLASS, {"namespace": Literal(str(IG))})
    return per_graph, per_class
