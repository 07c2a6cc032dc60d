"""The embedded store: bound values stay values, and a write is published whole or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from innograph.bootstrap import initialise
from innograph.config import Settings
from innograph.errors import QueryError, StoreError
from innograph.store import open_store
from innograph.store.binding import where_group_start, with_values
from innograph.store.rdfio import syntax_for

EX = "http://example.org/"


@pytest.mark.parametrize(("query", "expected_prefix"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE "),
    ("SELECT * { ?s ?p ?o }", "SELECT * "),
    ("PREFIX ex: <http://e/#> SELECT * WHERE { ?s ?p ?o }", "PREFIX ex: <http://e/#> SELECT * WHERE "),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE "),
    ("# a { comment\nASK { ?s ?p ?o }", "# a { comment\nASK "),
    ("SELECT (\"{\" AS ?x) WHERE { ?s ?p ?o }", "SELECT (\"{\" AS ?x) WHERE "),
    ("PREFIX where: <http://w/> CONSTRUCT { ?s where:p ?o } WHERE { ?s ?p ?o }",
     "PREFIX where: <http://w/> CONSTRUCT { ?s where:p ?o } WHERE "),
])
def test_values_go_at_the_start_of_the_where_group(query: str, expected_prefix: str) -> None:
    assert where_group_start(query) == len(expected_prefix)


def test_a_hostile_string_is_bound_as_one_literal(settings: Settings) -> None:
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "a"), URIRef(EX + "name"), Literal("safe"))])
    hostile = Literal('"} ; DROP ALL #')
    rows = store.query("SELECT ?s WHERE { ?s ?p ?name }", {"name": hostile}).rows
    assert rows == []
    rows = store.query("SELECT ?name WHERE { ?s ?p ?o }", {"name": hostile}).rows
    assert rows == [(hostile,)]
    assert store.triple_count() == 1


def test_a_variable_name_that_is_not_a_name_is_refused() -> None:
    with pytest.raises(QueryError):
        with_values("SELECT * WHERE { ?s ?p ?o }", {"s } ; DROP ALL #": Literal(1)})


def test_an_iri_binding_is_validated_by_the_library() -> None:
    with pytest.raises(ValueError):
        with_values("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef("http://e/> } DROP ALL { <x")})


@pytest.mark.parametrize("in_memory", [True, False], ids=["through-memory", "on-disk"])
def test_a_transaction_that_raises_leaves_the_store_as_it_was(settings: Settings, in_memory: bool) -> None:
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    with pytest.raises(RuntimeError), store.transaction(in_memory=in_memory) as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "b"), URIRef(EX + "p"), Literal(2))])
        writer.drop_graph(EX + "other")
        raise RuntimeError("the loader failed half-way")
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(URIRef(EX + "a"),)]
    assert len(list((Path(settings.store) / "generations").iterdir())) == 1


@pytest.mark.parametrize("in_memory", [True, False], ids=["through-memory", "on-disk"])
def test_a_writer_reads_its_own_writes_and_a_commit_publishes_them(settings: Settings, in_memory: bool) -> None:
    """With or without the in-memory copy (a load into a large store works on disk alone)."""
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    with store.transaction(in_memory=in_memory) as writer:
        writer.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}b> <{EX}p> 2 }} }}")
        writer.replace_graph(EX + "h", [(URIRef(EX + "c"), URIRef(EX + "p"), Literal(3))])
        writer.drop_graph(EX + "g")
        writer.replace_graph(EX + "g", [(URIRef(EX + "d"), URIRef(EX + "p"), Literal(4))])
        assert writer.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s").column("s") == [URIRef(EX + "c"),
                                                                                        URIRef(EX + "d")]
    assert store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s").rows == [(URIRef(EX + "c"), Literal(3)),
                                                                                (URIRef(EX + "d"), Literal(4))]
    assert sorted(p.name for p in Path(settings.store).iterdir() if p.name.startswith("scratch")) == []


def test_readers_keep_seeing_the_published_version_while_a_write_is_under_way(settings: Settings) -> None:
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    reader = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "b"), URIRef(EX + "p"), Literal(2))])
        assert reader.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(URIRef(EX + "a"),)]
    assert reader.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(URIRef(EX + "b"),)]


def test_a_second_writer_is_told_the_store_is_busy(settings: Settings) -> None:
    store = open_store(settings.store)
    with store.transaction(), pytest.raises(StoreError, match="another process"), store.transaction():
        pass


def test_reading_a_store_that_does_not_exist_says_to_run_init(settings: Settings) -> None:
    with pytest.raises(StoreError, match="innograph init"):
        open_store(settings.store).triple_count()


SLOW_WRITER = """
import sys, time
from rdflib import Literal, URIRef
from innograph.store import open_store
from innograph.store.rdfio import syntax_for
store = open_store(sys.argv[1])
with store.transaction() as writer:
    for batch in range(1000):
        writer.replace_graph(f"http://example.org/g{batch}",
                             [(URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i))
                              for i in range(2000)])
        print(batch, flush=True)
"""


def test_a_writer_killed_with_sigkill_leaves_exactly_the_earlier_data(settings: Settings) -> None:
    initialise(settings)
    store = open_store(settings.store)
    before = sorted(store.dump(syntax_for("nquads")).splitlines())
    process = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, settings.store], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for _ in range(5):
        process.stdout.readline()
    time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    reopened = open_store(settings.store)
    after = sorted(reopened.dump(syntax_for("nquads")).splitlines())
    assert after == before
    with reopened.transaction() as writer:  # the lock died with the process and the store is writable
        writer.drop_graph(EX + "nothing")


def test_a_write_that_fails_in_the_file_system_is_reported_and_changes_nothing(settings: Settings) -> None:
    store = open_store(settings.store)
    with store.transaction() as writer:
        writer.replace_graph(EX + "g", [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    with pytest.raises(StoreError, match="nothing was changed"), store.transaction():
        raise OSError(28, "No space left on device")
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(URIRef(EX + "a"),)]
    assert len(list((Path(settings.store) / "generations").iterdir())) == 1
