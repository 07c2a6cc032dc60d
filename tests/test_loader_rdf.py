"""Every RDF syntax the loader knows loads into its own graph, unchanged.

One small valid graph in our vocabulary is written by rdflib in each syntax; the dataset
syntaxes (N-Quads, TriG) put it in a named graph of the file, which the loader moves into the
graph it loads into.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from innograph.config import Settings
from innograph.namespaces import IG
from innograph.store import open_store

pytestmark = pytest.mark.backends

Cli = Callable[..., Result]

PROJECT = URIRef("https://w3id.org/innograph/id/project/rdf-syntax-test")
TIBETAN_MEDICINE = URIRef("https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine")
GRAPH_IN_FILE = URIRef("https://example.org/graph/as-written")

# (file extension, rdflib format name, whether the syntax holds named graphs)
SYNTAXES = [
    ("ttl", "turtle", False),
    ("nt", "nt", False),
    ("nq", "nquads", True),
    ("trig", "trig", True),
    ("rdf", "xml", False),
    ("jsonld", "json-ld", False),
]


def project_graph() -> Graph:
    graph = Graph()
    graph.add((PROJECT, RDF.type, IG.Project))
    graph.add((PROJECT, RDFS.label, Literal("Syntax test of Tibetan medicine standards", lang="en")))
    graph.add((PROJECT, RDFS.label, Literal("藏医药标准语法测试", lang="zh")))
    graph.add((PROJECT, IG.partOf, TIBETAN_MEDICINE))
    graph.add((PROJECT, IG.startYear, Literal(2024)))
    return graph


def write_in(path: Path, rdflib_format: str, holds_graphs: bool) -> None:
    if holds_graphs:
        dataset = Dataset()
        named = dataset.graph(GRAPH_IN_FILE)
        for triple in project_graph():
            named.add(triple)
        path.write_bytes(dataset.serialize(format=rdflib_format, encoding="utf-8"))
    else:
        path.write_bytes(project_graph().serialize(format=rdflib_format, encoding="utf-8"))


@pytest.mark.filterwarnings("ignore:Dataset.*is deprecated:DeprecationWarning")  # inside rdflib's serialisers
@pytest.mark.parametrize(("extension", "rdflib_format", "holds_graphs"), SYNTAXES, ids=[s[1] for s in SYNTAXES])
def test_each_rdf_syntax_loads_into_its_own_graph_unchanged(
        cli: Cli, settings: Settings, tmp_path: Path, extension: str, rdflib_format: str, holds_graphs: bool) -> None:
    source = tmp_path / f"project.{extension}"
    write_in(source, rdflib_format, holds_graphs)
    graph = settings.graphs.source(f"rdf-{extension}")
    cli("init")

    result = cli("load", "--graph", graph, str(source))

    assert result.exit_code == 0, result.output
    store = open_store(settings.store)
    loaded = Graph()
    for triple in store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph)}).triples:
        loaded.add(triple)
    assert isomorphic(loaded, project_graph())
    assert str(GRAPH_IN_FILE) not in store.named_graphs()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&c;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_that_declares_entities_is_refused_before_parsing(cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    before = cli("dump", "--format", "nquads").stdout_bytes
    bad = tmp_path / "laughs.rdf"
    bad.write_bytes(BILLION_LAUGHS)
    result = cli("load", str(bad))
    assert result.exit_code == 1
    assert "laughs.rdf" in result.output and "line 3" in result.output and "entities" in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == before


def test_a_json_ld_remote_context_is_never_fetched(cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        document = tmp_path / "remote.jsonld"
        document.write_text(json.dumps({"@context": f"http://127.0.0.1:{port}/context.jsonld",
                                        "@id": "http://example.org/x", "name": "x"}), encoding="utf-8")
        result = cli("load", str(document))
        assert result.exit_code == 1
        assert "remote.jsonld" in result.output
        with pytest.raises(TimeoutError):
            listener.accept()
