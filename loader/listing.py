"""`innograph graphs`: each named graph with its size and where its content came from."""

from __future__ import annotations

from rdflib import Literal, URIRef

from innograph.config import Settings
from innograph.namespaces import sparql_prefixes
from innograph.store import Reader, Result

LOADS = sparql_prefixes() + """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?graph (MAX(?ended) AS ?loaded) (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?files)
WHERE { GRAPH ?p { ?graph prov:wasGeneratedBy ?load . ?load prov:endedAtTime ?ended ;
                           prov:used/dcterms:title ?name } }
GROUP BY ?graph
"""


def graph_listing(store: Reader, settings: Settings) -> Result:
    """Named graphs with triple counts, and for loaded sources the time and files of their load."""
    loads = {str(row[0]): row for row in store.query(LOADS, {"p": URIRef(settings.graphs.provenance)}).rows}
    rows = []
    for graph in store.named_graphs():
        loaded = loads.get(graph, (None, None, None))
        rows.append((URIRef(graph), Literal(store.triple_count(graph)), loaded[1], loaded[2]))
    return Result("select", ["graph", "triples", "loaded", "files"], rows)
