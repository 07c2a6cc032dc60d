"""Network-shaped answers as files for Gephi and other graph tools: GraphML, GEXF and CSV edge lists.

networkx writes GraphML and GEXF, so the formats follow their specifications without our own
serialiser; the header of a query says which columns are the two ends and the weight.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import networkx

from innograph.queries.catalogue import Network

NETWORK_FORMATS = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "edges": "text/csv",
}


def to_graph(network: Network, rows: list[dict[str, Any]]) -> networkx.Graph:
    """Nodes are the two ends of each row, labelled; every other column becomes an edge attribute."""
    graph = networkx.Graph()
    ends = {network.source, network.target, network.source_label, network.target_label}
    for row in rows:
        source, target = row.get(network.source), row.get(network.target)
        if source is None or target is None:
            continue
        graph.add_node(source, label=row.get(network.source_label) or source)
        graph.add_node(target, label=row.get(network.target_label) or target)
        attributes = {key: value for key, value in row.items() if key not in ends and value is not None}
        if network.weight and row.get(network.weight) is not None:
            attributes["weight"] = row[network.weight]
        graph.add_edge(source, target, **attributes)
    return graph


def graphml(graph: networkx.Graph) -> bytes:
    return "\n".join(networkx.generate_graphml(graph, encoding="utf-8")).encode("utf-8")


def gexf(graph: networkx.Graph) -> bytes:
    buffer = io.BytesIO()
    networkx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def edge_list(network: Network, rows: list[dict[str, Any]]) -> bytes:
    """An edge list as Gephi's spreadsheet import expects it: Source, Target, Weight, then the rest."""
    others = [key for key in (rows[0] if rows else {}) if key not in (network.source, network.target, network.weight)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Source", "Target", "Weight", *others])
    for row in rows:
        weight = row.get(network.weight) if network.weight else 1
        writer.writerow([row.get(network.source), row.get(network.target), weight,
                         *("" if row.get(key) is None else row[key] for key in others)])
    return buffer.getvalue().encode("utf-8")


def render_network(format_name: str, network: Network, rows: list[dict[str, Any]]) -> bytes:
    """The network in `format_name` (one of NETWORK_FORMATS)."""
    writers: dict[str, Callable[[], bytes]] = {
        "graphml": lambda: graphml(to_graph(network, rows)),
        "gexf": lambda: gexf(to_graph(network, rows)),
        "edges": lambda: edge_list(network, rows),
    }
    return writers[format_name]()
