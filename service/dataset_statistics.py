"""What VoID and DCAT say about the data, counted by SPARQL in the store, once per store generation.

The dataset is the whole store as the dumps hold it: every named graph (ontology, shapes, programme, loaded
sources, entailments, provenance). Counts are over the union of the graphs as a set of triples, which is the
default graph that /sparql queries and the Turtle dump hold; a triple stated in two graphs counts once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from innograph.namespaces import PREFIXES, Graphs
from innograph.store import Reader

UNION = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
TOTALS = f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
  (COUNT(DISTINCT ?p) AS ?properties) WHERE {UNION}"""
ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
CLASSES = """SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) WHERE {
  ?s a ?class FILTER(isIRI(?class)) BIND(IF(isIRI(?s), ?s, ?none) AS ?entity) } GROUP BY ?class ORDER BY ?class"""
PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {UNION} GROUP BY ?p ORDER BY ?p"
SOURCES = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?graph ?predicate ?text ?ended WHERE { GRAPH ?provenance {
  ?graph prov:wasGeneratedBy ?load . ?load prov:endedAtTime ?ended .
  OPTIONAL { ?graph ?predicate ?text VALUES ?predicate { dcterms:title dcterms:description } } } }"""
EXAMPLE = "SELECT ?s WHERE { ?s a ?class FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 1"
EXAMPLE_CLASSES = ("Programme", "ResearchBase", "Project", "Organization")
OUTSIDE_LINKS = """SELECT ?o ?p WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o) && ?p != <%s>) }"""
VOCABULARY_PREFIXES = ("ig", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "org", "foaf", "schema",
                       "frapo", "sh")


@dataclass
class SourceGraph:
    """A graph written by a load, with the title and description its mapping gave it."""

    graph: str
    loaded: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass
class Linkset:
    """Links from the data to IRIs of another namespace: the target's URI space, the property and how many."""

    target: str
    predicate: str
    triples: int


@dataclass
class Statistics:
    """The counts and facts of one store generation that the dataset descriptions publish."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]
    """Entities (distinct IRI subjects) per class, entailed types included; 0 for a class of blank nodes only."""
    properties: dict[str, int]
    """Triples per property."""
    graphs: dict[str, int]
    """Triples per named graph."""
    vocabularies: list[str]
    examples: list[str]
    sources: list[SourceGraph]
    linksets: list[Linkset]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statistics:
        values = dict(data)
        values["sources"] = [SourceGraph(**s) for s in data["sources"]]
        values["linksets"] = [Linkset(**link) for link in data["linksets"]]
        return cls(**values)

    @property
    def modified(self) -> str | None:
        """When the last load ended, if any load did."""
        return max((s.loaded for s in self.sources), default=None)


def count_statistics(reader: Reader, graphs: Graphs) -> Statistics:
    """Everything the descriptions need, by SPARQL over the store."""
    totals = reader.query(TOTALS).records()[0]
    classes = {str(c): _int(n) for c, n in reader.query(CLASSES).rows}
    properties = {str(p): _int(n) for p, n in reader.query(PROPERTIES).rows}
    namespaces = _used_vocabularies([*classes, *properties])
    return Statistics(
        triples=_int(totals["triples"]), entities=_int(reader.query(ENTITIES).rows[0][0]),
        distinct_subjects=_int(totals["subjects"]), distinct_objects=_int(totals["objects"]),
        classes=classes, properties=properties,
        graphs={g: reader.triple_count(g) for g in reader.named_graphs()}, vocabularies=namespaces,
        examples=_examples(reader), sources=_sources(reader, graphs), linksets=_linksets(reader, graphs))


def _int(term: object) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


def _used_vocabularies(terms: list[str]) -> list[str]:
    """The namespaces of known vocabularies whose classes or properties the data uses."""
    used = {PREFIXES[p] for p in VOCABULARY_PREFIXES for term in terms
            if term.startswith(PREFIXES[p]) and len(term) > len(PREFIXES[p])}
    return sorted(used)


def _examples(reader: Reader) -> list[str]:
    found = []
    for name in EXAMPLE_CLASSES:
        rows = reader.query(EXAMPLE, {"class": URIRef(PREFIXES["ig"] + name)}).rows
        found += [str(row[0]) for row in rows]
    return found


def _sources(reader: Reader, graphs: Graphs) -> list[SourceGraph]:
    by_graph: dict[str, SourceGraph] = {}
    for graph, predicate, text, ended in reader.query(SOURCES, {"provenance": URIRef(graphs.provenance)}).rows:
        source = by_graph.setdefault(str(graph), SourceGraph(str(graph), str(ended)))
        if isinstance(text, Literal):
            target = source.titles if str(predicate).endswith("title") else source.descriptions
            target[text.language or ""] = str(text)
    return sorted(by_graph.values(), key=lambda s: s.graph)


def _linksets(reader: Reader, graphs: Graphs) -> list[Linkset]:
    """Links from the data graphs (not ontology, shapes, entailments or provenance) to IRIs that are neither
    minted under the base nor terms of a known vocabulary, grouped by the target's scheme and host."""
    known = (graphs.base, *(PREFIXES[p] for p in VOCABULARY_PREFIXES))
    counts: dict[tuple[str, str], int] = {}
    for graph in sorted(set(reader.named_graphs()) - graphs.system):
        query = OUTSIDE_LINKS % (PREFIXES["rdf"] + "type")
        for obj, predicate in reader.query(query, {"g": URIRef(graph)}).rows:
            target = str(obj)
            if target.startswith(known) or "://" not in target:
                continue
            scheme, rest = target.split("://", 1)
            space = f"{scheme}://{rest.split('/', 1)[0]}/"
            counts[(space, str(predicate))] = counts.get((space, str(predicate)), 0) + 1
    return [Linkset(space, predicate, n) for (space, predicate), n in sorted(counts.items())]
