"""OWL 2 DL consistency of the ontology with HermiT, through owlready2 (needs Java)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph


def is_consistent(graphs: Iterable[Graph]) -> bool:
    """Whether the union of the graphs is consistent according to HermiT."""
    import owlready2

    union = Graph()
    for graph in graphs:
        union += graph
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "merged.nt"
        union.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False
    return True
