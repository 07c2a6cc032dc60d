"""What the store says about one resource, for its RDF document and its web page alike.

A description holds the resource's outbound statements, its inbound ones, its types and labels,
and the labels of everything it links to, each statement marked as inferred when only the
entailments graph holds it (no source said it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from innograph.namespaces import PREFIXES, Graphs
from innograph.store import Reader, Triple
from innograph.store.rdfio import sparql_term

RDFS_LABEL = URIRef(PREFIXES["rdfs"] + "label")
SKOS_PREF_LABEL = URIRef(PREFIXES["skos"] + "prefLabel")
LABEL_PROPERTIES = (RDFS_LABEL, SKOS_PREF_LABEL)
MAX_LINKS = 5000
"""Most inbound, and most outbound, statements read for one resource; pages show them in pages."""

# The resource is written into the pattern by the RDF library (sparql_term), not joined from a VALUES
# block: pyoxigraph does not push a VALUES binding into a GRAPH pattern, and scans every quad instead.
OUTBOUND = "SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {resource} ?p ?o }} }} LIMIT " + str(MAX_LINKS * 2)
INBOUND = "SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {resource} }} }} LIMIT " + str(MAX_LINKS * 2)
LABELS = """SELECT ?thing ?label WHERE {
  { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }
  UNION { ?thing <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
  FILTER(isLiteral(?label)) }"""


@dataclass(frozen=True)
class Statement:
    """One statement about the resource: the other end, the property, and whether only inference said it."""

    predicate: URIRef
    other: Node
    inferred: bool


@dataclass
class Description:
    """A resource as the store knows it."""

    iri: URIRef
    outbound: list[Statement] = field(default_factory=list)
    inbound: list[Statement] = field(default_factory=list)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Labels by language (an empty key for none) of the resource and everything it links to."""

    @property
    def types(self) -> list[URIRef]:
        return sorted({s.other for s in self.outbound if s.predicate == RDF.type and isinstance(s.other, URIRef)})

    def label(self, node: Node, language: str = "en") -> str | None:
        """The label of `node` in `language`, else in English, else any; None if it has none."""
        labels = self.names.get(str(node), {})
        return labels.get(language) or labels.get("en") or next(iter(labels.values()), None)

    def triples(self) -> list[Triple]:
        """The resource's RDF document: outbound and inbound triples and the labels of what they link."""
        found: set[Triple] = {(self.iri, s.predicate, s.other) for s in self.outbound}
        found |= {(s.other, s.predicate, self.iri) for s in self.inbound}
        linked = {str(n) for triple in found for n in triple if isinstance(n, URIRef)} - {str(self.iri)}
        for iri in sorted(linked):
            for language, text in self.names.get(iri, {}).items():
                found.add((URIRef(iri), RDFS_LABEL, Literal(text, lang=language or None)))
        return sorted(found)


def describe(reader: Reader, iri: str, graphs: Graphs) -> Description | None:
    """The description of `iri`, or None when the store has no statement with it as subject or object."""
    resource = URIRef(iri)
    term = sparql_term(resource)
    outbound = _statements(reader.query(OUTBOUND.format(resource=term)).rows, graphs.entailments, True)
    inbound = _statements(reader.query(INBOUND.format(resource=term)).rows, graphs.entailments, False)
    if not outbound and not inbound:
        return None
    description = Description(resource, outbound[:MAX_LINKS], inbound[:MAX_LINKS])
    linked = {resource, *(s.predicate for s in outbound + inbound)}
    linked |= {s.other for s in outbound + inbound if isinstance(s.other, URIRef)}
    description.names = labels_of(reader, linked)
    return description


def labels_of(reader: Reader, things: set[Node]) -> dict[str, dict[str, str]]:
    """Labels of each IRI by language tag ("" for a plain literal), one per language."""
    names: dict[str, dict[str, str]] = {}
    iris = sorted(str(t) for t in things if isinstance(t, URIRef))
    for start in range(0, len(iris), 500):
        values = " ".join(sparql_term(URIRef(iri)) for iri in iris[start:start + 500])
        query = LABELS.replace("WHERE {", f"WHERE {{ VALUES ?thing {{ {values} }}", 1)
        for thing, label in reader.query(query).rows:
            names.setdefault(str(thing), {}).setdefault(getattr(label, "language", None) or "", str(label))
    return names


def _statements(rows: list[tuple[Node | None, ...]], entailments: str, predicate_first: bool) -> list[Statement]:
    """Rows of (property, other end, graph) or (other end, property, graph), merged over graphs."""
    graphs_of: dict[tuple[URIRef, Node], set[str]] = {}
    for first, second, graph in rows:
        predicate, other = (first, second) if predicate_first else (second, first)
        graphs_of.setdefault((predicate, other), set()).add(str(graph))  # type: ignore[arg-type]
    return [Statement(p, o, graphs == {entailments}) for (p, o), graphs in sorted(graphs_of.items())]


def page_url(iri: str, base_iri: str) -> str:
    """Where the web page of `iri` is: /page/<rest> for IRIs minted under the base, /resource?iri= otherwise."""
    if iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/page/" + quote(iri[len(base_iri):], safe="/:@!$&'()*+,;=-._~")
    return "/resource?" + urlencode({"iri": iri})


def data_url(iri: str, base_iri: str) -> str:
    """Where the RDF document of `iri` is: /data/<rest> for IRIs minted under the base, /data?iri= otherwise."""
    if iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/data/" + quote(iri[len(base_iri):], safe="/:@!$&'()*+,;=-._~")
    return "/data?" + urlencode({"iri": iri})
