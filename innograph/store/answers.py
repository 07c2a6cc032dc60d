"""pyoxigraph's query answers turned into innograph's: rdflib terms, or bytes in a chosen syntax.

Shared by the embedded store, which gets answers from its engine, and the remote store, which
parses what a SPARQL server sent with the same library, so both hand out the same kinds of values.
"""

from __future__ import annotations

import pyoxigraph as ox

from innograph.store import Result
from innograph.store.rdfio import to_rdflib

Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def as_result(answer: Answer) -> Result:
    """An answer as rdflib terms."""
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = [tuple(to_rdflib(solution[i]) for i in range(len(names))) for solution in answer]
        return Result("select", variables=names, rows=rows)
    triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer]
    return Result("graph", triples=triples)


def serialized(answer: Answer, results_type: str, graph_type: str) -> tuple[str, str, bytes]:
    """(kind, media type, body): solutions and booleans in `results_type`, graphs in `graph_type`."""
    if isinstance(answer, ox.QueryTriples):
        return "graph", graph_type, answer.serialize(format=ox.RdfFormat.from_media_type(graph_type))
    kind = "ask" if isinstance(answer, ox.QueryBoolean) else "select"
    return kind, results_type, answer.serialize(format=ox.QueryResultsFormat.from_media_type(results_type))
