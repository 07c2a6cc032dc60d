"""`innograph init` and `innograph infer`: the ontology, shapes and programme graph in the store."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from rdflib import Graph

from innograph.config import Settings
from innograph.errors import ValidationError
from innograph.namespaces import Graphs
from innograph.ontology import ontology_file, shapes_file
from innograph.ontology.rules import materialise
from innograph.ontology.shacl_sparql import compile_shapes, sparql_violations
from innograph.store import Store, Writer, open_store
from innograph.store.rdfio import ParsedRdf, parse_file


def programme_file() -> Path:
    """The packaged 5568 programme graph (relative IRIs, resolved against the base IRI)."""
    with as_file(files("innograph.data") / "programme" / "5568.ttl") as path:
        return Path(path)


@dataclass(frozen=True)
class InitSources:
    """The three files `init` loads; the packaged ones unless an operator names others."""

    ontology: Path
    shapes: Path
    programme: Path

    @classmethod
    def packaged(cls, ontology: Path | None = None, shapes: Path | None = None,
                 programme: Path | None = None) -> InitSources:
        return cls(ontology or ontology_file(), shapes or shapes_file(), programme or programme_file())


@dataclass(frozen=True)
class InitReport:
    """What `init` wrote."""

    triples_per_graph: dict[str, int]


def as_graph(parsed: ParsedRdf) -> Graph:
    graph = Graph()
    for triple in parsed.triples():
        graph.add(triple)
    return graph


def initialise(settings: Settings, sources: InitSources | None = None) -> InitReport:
    """Create or refresh the store: every file is parsed and checked before anything is written."""
    sources = sources or InitSources.packaged()
    graphs = settings.graphs
    ontology = parse_file(sources.ontology)
    shapes = parse_file(sources.shapes)
    programme = parse_file(sources.programme, base_iri=settings.base_iri)
    ontology_graph, shapes_graph = as_graph(ontology), as_graph(shapes)
    compile_shapes(shapes_graph)  # refuses shapes it cannot check before anything is written
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(graphs.ontology, ontology)
        writer.replace_graph(graphs.shapes, shapes)
        writer.replace_graph(graphs.programme, programme)
        materialise(writer, ontology_graph, graphs.entailments)
        found = sparql_violations(writer, compile_shapes(shapes_graph, [graphs.programme]))
        if found:
            raise ValidationError(found)
        counts = {g: writer.triple_count(g) for g in writer.named_graphs()}
    return InitReport(counts)


def stored_graph(writer: Writer, graph: str) -> Graph:
    """A small graph of the store (ontology or shapes) as rdflib, for code that reads axioms."""
    result = Graph()
    for triple in writer.graph_triples([graph]):
        result.add(triple)
    return result


def refresh_entailments(writer: Writer, graphs: Graphs) -> int:
    """Recompute the entailments graph from the ontology held in the store."""
    return materialise(writer, stored_graph(writer, graphs.ontology), graphs.entailments)


def infer(settings: Settings) -> int:
    """Recompute the materialised entailments on demand; returns their number."""
    store = open_store(settings.store)
    with store.transaction(in_memory=works_in_memory(store, settings)) as writer:
        return refresh_entailments(writer, settings.graphs)


def works_in_memory(store: Store, settings: Settings, incoming: int = 0) -> bool:
    """Whether a write that recomputes the entailments, after loading `incoming` triples, may work through an
    in-memory copy of the store: whether the store after it stays within `load_in_memory_quads`.

    The entailments about double what is loaded; beyond the limit the writer works on disk alone.
    """
    size = store.triple_count() if store.exists() else 0
    return size + 2 * incoming <= settings.load_in_memory_quads
