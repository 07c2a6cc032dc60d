"""The IRIs innograph mints and the prefixes it writes, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace

IG = Namespace("https://w3id.org/innograph/def/")
IGSH = Namespace("https://w3id.org/innograph/shapes/")
ONTOLOGY_IRI = "https://w3id.org/innograph/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/innograph/id/"

PREFIXES: dict[str, str] = {
    "ig": str(IG),
    "igsh": str(IGSH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "frapo": "http://purl.org/cerif/frapo/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prefixes() -> str:
    """PREFIX lines for every prefix above, for queries written by hand in this code base."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


@dataclass(frozen=True)
class Graphs:
    """The named graphs of a dataset whose instance IRIs start with `base`."""

    base: str

    @property
    def ontology(self) -> str:
        return f"{self.base}graph/ontology"

    @property
    def shapes(self) -> str:
        return f"{self.base}graph/shapes"

    @property
    def programme(self) -> str:
        return f"{self.base}graph/programme/5568"

    @property
    def entailments(self) -> str:
        return f"{self.base}graph/entailments"

    @property
    def provenance(self) -> str:
        return f"{self.base}graph/provenance"

    def source(self, slug: str) -> str:
        """The graph that holds what one loaded source said."""
        return f"{self.base}graph/source/{slug}"

    @property
    def system(self) -> frozenset[str]:
        """Graphs that hold vocabulary or derived data rather than statements about the world."""
        return frozenset({self.ontology, self.shapes, self.entailments, self.provenance})

    def is_managed(self, graph: str) -> bool:
        """Whether innograph itself writes `graph` (init, inference, provenance), so no load or client may."""
        return graph in self.system or graph == self.programme
