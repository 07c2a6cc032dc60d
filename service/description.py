"""The SPARQL 1.1 Service Description of the endpoint, built from the store's current content."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from innograph.service.negotiation import GRAPHS, RESULTS
from innograph.store import Reader

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/n-quads": FORMATS["N-Quads"],
    "application/trig": FORMATS.TriG,
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/ld+json": FORMATS["JSON-LD"],
}


def service_description(endpoint: str, store: Reader) -> Graph:
    """sd:Service with languages, result formats, features and the default dataset with its graphs."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for offer in (*RESULTS, *GRAPHS):
        graph.add((service, SD.resultFormat, FORMAT_IRIS[offer.media_type]))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(store.triple_count())))
    for name in store.named_graphs():
        named, description = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, description))
        graph.add((description, RDF.type, SD.Graph))
        graph.add((description, VOID.triples, Literal(store.triple_count(name))))
    return graph
