"""Small RDF documents for the linked-data surface: the syntaxes offered, prefixes, and one response builder.

Resource documents, the ontology, VoID and DCAT are small graphs, written by rdflib with readable prefixes;
the dumps of the whole store are written by the store itself (service/dumps.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Request, Response
from rdflib import Graph, Namespace
from rdflib.term import Node

from innograph.namespaces import PREFIXES
from innograph.service.negotiation import Offer

DOCUMENTS = (Offer("text/turtle", "turtle", ("ttl", "n3")), Offer("application/n-triples", "ntriples", ("nt",)),
             Offer("application/rdf+xml", "rdfxml", ("xml", "rdf")),
             Offer("application/ld+json", "jsonld", ("json-ld", "json")))
"""The syntaxes of one-graph documents, Turtle first: what an empty Accept gets."""
HTML = Offer("text/html", "html")
XHTML = Offer("application/xhtml+xml", "xhtml")
WITH_HTML = (HTML, *DOCUMENTS, XHTML)
"""HTML first, so that browsers, a missing Accept and */* get the page; XHTML last, so application/* gets RDF."""

RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                  "application/ld+json": "json-ld"}

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VANN = Namespace("http://purl.org/vocab/vann/")
DESCRIPTION_PREFIXES = {"void": str(VOID), "dcat": str(DCAT), "spdx": str(SPDX), "sd": str(SD), "vann": str(VANN)}


def new_graph(triples: Iterable[tuple[Node, Node, Node]] = ()) -> Graph:
    """An rdflib graph with innograph's prefixes and those of dataset descriptions bound."""
    graph = Graph(bind_namespaces="core")
    for name, namespace in {**PREFIXES, **DESCRIPTION_PREFIXES}.items():
        graph.bind(name, namespace, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph


def serialise(graph: Graph, media_type: str) -> bytes:
    """The graph in one of DOCUMENTS' syntaxes, as UTF-8; JSON-LD compacted with an inline context."""
    rdflib_format = RDFLIB_FORMATS[media_type]
    if rdflib_format == "json-ld":
        used = {prefix: str(namespace) for prefix, namespace in graph.namespaces()
                if prefix in PREFIXES or prefix in DESCRIPTION_PREFIXES}
        return graph.serialize(format="json-ld", context=used, auto_compact=True, encoding="utf-8")
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def document_response(body: bytes, media_type: str, request: Request, version: str | None) -> Response:
    """A negotiated RDF (or HTML) answer: Vary: Accept, and a weak ETag per data version and syntax."""
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    if version:
        response.set_etag(f"{version}-{media_type}", weak=True)
        response.make_conditional(request)
    return response
