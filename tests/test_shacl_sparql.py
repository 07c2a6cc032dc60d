"""The shapes compiled to SPARQL find exactly what pyshacl finds, and refuse what they cannot compile."""

from __future__ import annotations

import pytest
from rdflib import Graph

from innograph.bootstrap import initialise, refresh_entailments
from innograph.config import Settings
from innograph.ontology import load_graph, ontology_file, shapes_file
from innograph.ontology.shacl_sparql import compile_shapes, sparql_violations
from innograph.ontology.validation import violations
from innograph.store import Store, open_store
from innograph.store.rdfio import parse_file

from .conftest import FIXTURES

SOURCE = "https://w3id.org/innograph/id/graph/source/violations"


@pytest.fixture(scope="module")
def broken_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    settings = Settings(store=str(tmp_path_factory.mktemp("violations") / "store"))
    initialise(settings)
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(SOURCE, parse_file(FIXTURES / "shape-violations.ttl", base_iri=settings.base_iri))
        refresh_entailments(writer, settings.graphs)
    return store


def pyshacl_findings(store: Store) -> set[tuple[str, str, str]]:
    data = Graph()
    for triple in store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                              "FILTER(!CONTAINS(STR(?g), '/graph/shapes') && !CONTAINS(STR(?g), '/graph/ontology')) }"
                              ).triples:
        data.add(triple)
    found = violations(data, load_graph(shapes_file()), load_graph(ontology_file()))
    return {(v["focus"], v["path"], v["constraint"]) for v in found}


def test_the_compiled_shapes_find_what_pyshacl_finds(broken_store: Store) -> None:
    expected = pyshacl_findings(broken_store)
    actual = {(v["focus"], v["path"], v["constraint"])
              for v in sparql_violations(broken_store, compile_shapes(load_graph(shapes_file())))}
    assert len(expected) >= 25
    assert sorted(actual - expected) == []
    assert sorted(expected - actual) == []


def test_every_constraint_kind_of_the_shapes_is_exercised_by_the_fixture(broken_store: Store) -> None:
    found = {v["constraint"] for v in sparql_violations(broken_store, compile_shapes(load_graph(shapes_file())))}
    compiled = {name for check in compile_shapes(load_graph(shapes_file())) for name in check.components}
    assert compiled - found == set()


def test_focus_can_be_limited_to_the_subjects_of_one_graph(broken_store: Store) -> None:
    everything = sparql_violations(broken_store, compile_shapes(load_graph(shapes_file())))
    limited = sparql_violations(broken_store, compile_shapes(load_graph(shapes_file()),
                                                              ["https://w3id.org/innograph/id/graph/programme/5568"]))
    assert everything and limited == []


def test_a_constraint_the_compiler_does_not_know_is_refused() -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:hasValue ex:v ] .""",
                           format="turtle")
    with pytest.raises(NotImplementedError, match="hasValue"):
        compile_shapes(shapes)
