"""Copy every named graph of one store to another: the migration between embedded and server stores."""

from __future__ import annotations

from collections.abc import Callable

from innograph.store import Store
from innograph.store.rdfio import SYNTAXES, parse_rdf


def copy_store(source: Store, target: Store, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Make `target` hold exactly the named graphs of `source`, in one transaction of `target`.

    Each graph travels as N-Triples, read and written by the library, so blank nodes stay blank
    nodes and terms are not changed on the way. Graphs `target` held that `source` has not are dropped.
    Returns the triples written per graph.
    """
    graphs = source.named_graphs()
    written: dict[str, int] = {}
    with target.transaction() as writer:
        for graph in graphs:
            content = parse_rdf(source.dump(SYNTAXES["ntriples"], graph), SYNTAXES["ntriples"], source=graph)
            written[graph] = writer.replace_graph(graph, content)
            if progress is not None:
                progress(f"{graph}: {written[graph]} triples")
        for extra in sorted(set(writer.named_graphs()) - set(graphs)):
            writer.drop_graph(extra)
    return written
