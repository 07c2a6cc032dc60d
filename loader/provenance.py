"""The provenance graph: for every loaded graph, the load that wrote it and the files it read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from innograph.config import Settings
from innograph.loader.iris import slug
from innograph.loader.mapping import Mapping
from innograph.namespaces import IG
from innograph.store import Writer
from innograph.store.rdfio import sparql_term

PROV = Namespace("http://www.w3.org/ns/prov#")


@dataclass(frozen=True)
class SourceFile:
    """A file as read: its name, size and SHA-256 digest."""

    name: str
    size: int
    sha256: str

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(path.name, path.stat().st_size, digest.hexdigest())


def load_iri(settings: Settings, graph: str) -> URIRef:
    """One load record per graph: reloading a source replaces its record."""
    return URIRef(f"{settings.base_iri}load/{slug(graph.removeprefix(settings.base_iri))}")


def record_provenance(writer: Writer, settings: Settings, graph: str, files: list[SourceFile], mapping: Mapping,
                      started: datetime, ended: datetime, rows: int, triples: int, version: str) -> None:
    """Replace the provenance of `graph` with a record of this load."""
    forget_provenance(writer, settings, graph)
    activity, target = load_iri(settings, graph), URIRef(graph)
    record = Graph()
    record.add((activity, RDF.type, IG.Load))
    record.add((activity, RDF.type, PROV.Activity))
    record.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    record.add((activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    record.add((activity, IG.rowsRead, Literal(rows)))
    record.add((activity, IG.triplesWritten, Literal(triples)))
    record.add((activity, IG.loaderVersion, Literal(version)))
    record.add((activity, IG.mappingUsed, Literal(mapping.name)))
    record.add((target, PROV.wasGeneratedBy, activity))
    for language, text in mapping.dataset.get("description", {}).items():
        record.add((target, DCTERMS.description, Literal(text, lang=language)))
    for language, text in mapping.dataset.get("title", {}).items():
        record.add((target, DCTERMS.title, Literal(text, lang=language)))
    for file in files:
        entity = URIRef(f"{activity}/file/{file.sha256}")
        record.add((activity, PROV.used, entity))
        record.add((target, PROV.wasDerivedFrom, entity))
        record.add((entity, RDF.type, IG.SourceFile))
        record.add((entity, RDF.type, PROV.Entity))
        record.add((entity, DCTERMS.title, Literal(printable_name(file.name))))
        record.add((entity, IG.sha256, Literal(file.sha256)))
        record.add((entity, IG.byteSize, Literal(file.size)))
    existing = list(writer.graph_triples([settings.graphs.provenance]))
    writer.replace_graph(settings.graphs.provenance, [*existing, *record])


def forget_provenance(writer: Writer, settings: Settings, graph: str) -> None:
    """Remove the record of the load that wrote `graph`, and what it says about `graph`."""
    activity = sparql_term(load_iri(settings, graph))
    target = sparql_term(URIRef(graph))
    prov_graph = sparql_term(URIRef(settings.graphs.provenance))
    writer.update(f"""
        DELETE {{ GRAPH {prov_graph} {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH {prov_graph} {{ ?s ?p ?o
                 FILTER(?s = {activity} || ?s = {target} || STRSTARTS(STR(?s), CONCAT(STR({activity}), "/"))) }} }}""")


def printable_name(name: str) -> str:
    """A file name as text: bytes that were not UTF-8 (held as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
