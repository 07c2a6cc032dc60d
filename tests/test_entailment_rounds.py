"""Entailments are computed semi-naively, and come out exactly as running every rule to a fixpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from innograph.bootstrap import initialise, stored_graph
from innograph.config import Settings
from innograph.loader.pipeline import load
from innograph.ontology.rules import derive_rules, materialise
from innograph.store import Derivation, Writer, open_store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


class Discard(Exception):
    """Raised to leave the store as it was."""


def naive_fixpoint(writer: Writer, ontology: Graph, graph: str) -> int:
    """Every rule, in order, again and again until a whole pass adds nothing: the textbook way."""
    writer.drop_graph(graph)
    runs, before = 0, -1
    while True:
        for rule in derive_rules(ontology):
            writer.update(rule.insert(graph))
            runs += 1
        size = writer.triple_count(graph)
        if size == before:
            return runs
        before = size


def test_the_semi_naive_entailments_equal_the_naive_fixpoint_with_fewer_rule_runs(settings: Settings) -> None:
    initialise(settings)
    load(settings, [DEMO])
    graph = settings.graphs.entailments
    runs: list[Derivation] = []
    with pytest.raises(Discard), open_store(settings.store).transaction() as writer:
        ontology = stored_graph(writer, settings.graphs.ontology)
        naive_runs = naive_fixpoint(writer, ontology, graph)
        naive = set(writer.graph_triples([graph]))
        derive = writer.derive
        writer.derive = lambda g, rule: runs.append(rule) or derive(g, rule)  # type: ignore[method-assign]
        count = materialise(writer, ontology, graph)
        assert set(writer.graph_triples([graph])) == naive
        assert count == len(naive) > 1000
        raise Discard
    assert len(runs) < naive_runs - len(derive_rules(ontology)) // 2, (len(runs), naive_runs)
