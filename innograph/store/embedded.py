"""The embedded store: pyoxigraph on disk, written in generations switched by an atomic pointer.

Layout of a store directory::

    CURRENT              name of the generation readers use (replaced atomically)
    generations/<name>/  one pyoxigraph store per generation
    write.lock           held by the one writer at a time

A transaction copies the current generation (a RocksDB checkpoint: hard links, so cheap), writes
the copy, and only then points CURRENT at it. A process killed at any moment leaves CURRENT on a
complete generation, and a published generation is never written again, so readers may open it
read-only while the next one is being written.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from innograph.errors import QueryError, StoreError
from innograph.sparql_text import has_keyword
from innograph.store import Bindings, QueryDataset, Result, Store, Triple, Writer
from innograph.store.answers import as_result, serialized
from innograph.store.binding import with_values
from innograph.store.rdfio import ParsedRdf, Syntax, quads_into_graph, to_rdflib


class OxigraphReader:
    """Reads from one pyoxigraph store, with the union of named graphs as the default graph."""

    def __init__(self, native: ox.Store) -> None:
        self.native = native

    def _run(self, sparql: str, bindings: Bindings | None, dataset: QueryDataset | None = None,
             base_iri: str | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        text = with_values(sparql, bindings or {})
        # The union is the default graph only when neither the request nor the query (FROM) names one.
        options: dict[str, object] = {} if has_keyword(text, "FROM") else {"use_default_graph_as_union": True}
        try:
            if dataset is not None:
                options = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs] or ox.DefaultGraph(),
                           "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs]}
            return self.native.query(text, base_iri=base_iri, **options)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (ValueError, TypeError) as error:
            raise QueryError(str(error)) from None
        except RuntimeError as error:  # pyoxigraph's evaluation errors, such as a function it does not know
            raise QueryError(f"the query cannot be evaluated: {error}") from None

    def query(self, sparql: str, bindings: Bindings | None = None) -> Result:
        return as_result(self._run(sparql, bindings))

    def serialized_query(self, sparql: str, bindings: Bindings | None, results_type: str, graph_type: str,
                         dataset: QueryDataset | None = None, base_iri: str | None = None) -> tuple[str, str, bytes]:
        return serialized(self._run(sparql, bindings, dataset, base_iri), results_type, graph_type)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.native.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.native)
        count = self.native.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
        return int(next(iter(count))[0].value)

    def dump(self, syntax: Syntax, graph: str | None = None) -> bytes:
        if graph is not None:
            return self.native.dump(format=syntax.native, from_graph=ox.NamedNode(graph))
        if not syntax.holds_datasets:
            raise QueryError(f"{syntax.name} holds one graph: name the graph to dump")
        return self.native.dump(format=syntax.native)


class OxigraphWriter(OxigraphReader, Writer):
    """Writes the private, not yet published copy of a generation, mirrored in memory.

    Every write goes to both the disk store and the in-memory mirror; reads and derivations run
    on the mirror, where queries run several times faster than on disk, and the derived triples
    are then bulk-written to disk. Bulk writes are not transactional, and need not be: the
    generation is published only when the whole transaction has succeeded.
    """

    def __init__(self, disk: ox.Store, mirror: ox.Store) -> None:
        super().__init__(mirror)
        self.disk = disk

    def _both(self) -> tuple[ox.Store, ox.Store]:
        return self.disk, self.native

    def replace_graph(self, graph: str, content: ParsedRdf | Iterable[Triple]) -> int:
        if not isinstance(content, ParsedRdf):
            content = ParsedRdf(quads_into_graph(content, graph), graph)
        self.drop_graph(graph)
        return self.add_to_graph(graph, content)

    def add_to_graph(self, graph: str, content: ParsedRdf) -> int:
        name = ox.NamedNode(graph)
        for store in self._both():  # quads made as they are written: a list of them costs ~200 MB per 1M
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in content.quads)
            store.add_graph(name)
        return self.triple_count(graph)

    def drop_graph(self, graph: str) -> None:
        name = ox.NamedNode(graph)
        for store in self._both():
            if store.contains_named_graph(name):
                store.remove_graph(name)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        for store in self._both():
            try:
                store.update(sparql, base_iri=base_iri)
            except SyntaxError as error:
                raise QueryError(f"SPARQL syntax error: {error}") from None

    def materialise(self, graph: str, inserts: list[str], max_rounds: int = 50) -> int:
        self.drop_graph(graph)
        for _ in range(max_rounds):
            before = len(self.native)
            for update in inserts:
                self.native.update(update)
            if len(self.native) == before:
                break
        else:
            raise RuntimeError(f"entailments did not reach a fixpoint in {max_rounds} rounds")
        self.disk.bulk_extend(self.native.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return self.triple_count(graph)

    def graph_triples(self, graphs: Iterable[str]) -> Iterator[Triple]:
        for graph in graphs:
            for q in self.native.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


class EmbeddedStore(OxigraphReader, Store):
    """A pyoxigraph store on disk whose writes are published one whole generation at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._open: tuple[str, ox.Store] | None = None
        self._pointer = str(self.path / "CURRENT")
        self._read_pointer: tuple[tuple[int, int, int], str | None] | None = None

    @property
    def native(self) -> ox.Store:  # type: ignore[override]
        """The current generation, opened read-only and reopened when the pointer moves."""
        name = self.current_generation()
        if name is None:
            raise StoreError(f"no store at {self.path}: run `innograph init` first")
        if self._open is None or self._open[0] != name:
            self._open = (name, ox.Store.read_only(str(self._generations / name)))
        return self._open[1]

    @property
    def _generations(self) -> Path:
        return self.path / "generations"

    def exists(self) -> bool:
        return self.current_generation() is not None

    def data_version(self) -> str | None:
        return self.current_generation()

    def current_generation(self) -> str | None:
        """The name in CURRENT, read again only when the file is another one: the service asks on every
        request, and one stat costs less than opening and reading. A publish replaces CURRENT by a rename,
        so the inode (and the time of writing) changes whenever the name may have."""
        try:
            status = os.stat(self._pointer)
            signature = (status.st_ino, status.st_mtime_ns, status.st_size)
            known = self._read_pointer
            if known is not None and known[0] == signature:
                return known[1]
            with open(self._pointer, encoding="utf-8") as pointer:
                name = pointer.read().strip() or None
        except FileNotFoundError:
            return None
        self._read_pointer = (signature, name)
        return name

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        self._generations.mkdir(parents=True, exist_ok=True)
        with self._write_lock():
            current = self.current_generation()
            name = f"g{time.time_ns():020d}"
            target = self._generations / name
            writer: OxigraphWriter | None = None
            try:
                disk = self._copy_of(current, target)
                mirror = ox.Store()
                mirror.bulk_extend(disk.quads_for_pattern(None, None, None, None))
                writer = OxigraphWriter(disk, mirror)
                yield writer
                writer.disk.flush()
                self._close(writer)
                self._publish(name)
            except BaseException as error:
                if writer is not None:
                    self._close(writer)
                gc.collect()
                shutil.rmtree(target, ignore_errors=True)
                if isinstance(error, OSError):
                    message = f"writing the store at {self.path} failed, nothing was changed: {error}"
                    raise StoreError(message) from error
                raise
            self._remove_old_generations(keep={name, current})

    @staticmethod
    def _close(writer: OxigraphWriter) -> None:
        """Drop the last reference to the writable store so RocksDB closes it (callers may keep `writer`)."""
        writer.native = writer.disk = None  # type: ignore[assignment]
        gc.collect()

    def _copy_of(self, current: str | None, target: Path) -> ox.Store:
        if current is None:
            return ox.Store(str(target))
        ox.Store.read_only(str(self._generations / current)).backup(str(target))
        return ox.Store(str(target))

    def _publish(self, name: str) -> None:
        pointer = self.path / "CURRENT"
        temporary = self.path / "CURRENT.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, pointer)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        for entry in self._generations.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        with open(self.path / "write.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another process is writing the store at {self.path}") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class MemoryCopy(OxigraphReader):
    """Answers reads from an in-memory copy of a store's current generation, rebuilt when it moves.

    Oxigraph answers analyst queries 3 to 12 times faster from memory than from disk; the copy
    costs about 600 MB per million triples, and its rebuild (about 14 s per million) happens in
    the first read after a load has published a new generation.
    """

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self._copy: tuple[str, ox.Store] | None = None

    @property
    def native(self) -> ox.Store:  # type: ignore[override]
        generation = self.store.current_generation()
        if self._copy is None or self._copy[0] != generation:
            copy = ox.Store()
            copy.bulk_extend(self.store.native.quads_for_pattern(None, None, None, None))
            self._copy = (str(generation), copy)
        return self._copy[1]
