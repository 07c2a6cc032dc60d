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
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from innograph.errors import QueryError, StoreError
from innograph.sparql_text import has_keyword
from innograph.store import Bindings, Derivation, QueryDataset, Result, Store, Triple, Writer
from innograph.store.answers import as_result, serialized
from innograph.store.binding import with_values
from innograph.store.rdfio import ParsedRdf, Syntax, TriplesFile, quads_into_graph, to_rdflib


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
    """Writes the private, not yet published copy of a generation, maybe mirrored in memory.

    With a mirror, reads and derivations run on the in-memory copy, where queries run about four
    times faster than on disk, and every write is made there at once and queued for the disk store,
    which a background thread writes in order while the next step runs (pyoxigraph releases the GIL
    while it loads). Without one (a store too large to copy into memory), everything runs on disk
    and memory stays bounded. Large writes go through files that pyoxigraph bulk-loads: bulk writes
    are not transactional, and need not be, since the generation is published only when the whole
    transaction succeeded.
    """

    def __init__(self, disk: ox.Store, mirror: ox.Store | None, scratch: Path) -> None:
        super().__init__(mirror if mirror is not None else disk)
        self.disk = disk
        self.mirror = mirror
        self.scratch = scratch
        self._disk_writes = ThreadPoolExecutor(1, "innograph-disk") if mirror is not None else None
        self._queued: list[Future[object]] = []
        self._files = 0

    def _write(self, work: Callable[[ox.Store], None]) -> None:
        """Do `work` on the mirror now and on the disk store in the background, or on the disk store now."""
        if self.mirror is not None:
            work(self.mirror)
        self._after_queued_writes(lambda: work(self.disk))

    def _after_queued_writes(self, action: Callable[[], object]) -> None:
        """Run `action` once the disk store has every write queued so far (at once, without a mirror); a queued
        write that has already failed is raised here rather than at the end."""
        if self._disk_writes is None:
            action()
            return
        failed = next((f for f in self._queued if f.done() and f.exception()), None)
        if failed is not None:
            failed.result()
        self._queued.append(self._disk_writes.submit(action))

    def settle(self) -> None:
        """Wait until the disk store has every queued write; raises the first that failed."""
        for queued in self._queued:
            queued.result()
        self._queued.clear()

    def abandon(self) -> None:
        """Stop the queued disk writes (the one running finishes), so the generation can be removed."""
        if self._disk_writes is not None:
            self._disk_writes.shutdown(wait=True, cancel_futures=True)

    def replace_graph(self, graph: str, content: ParsedRdf | TriplesFile | Iterable[Triple]) -> int:
        if not isinstance(content, ParsedRdf | TriplesFile):
            content = ParsedRdf(quads_into_graph(content, graph), graph)
        self.drop_graph(graph)
        return self.add_to_graph(graph, content)

    def add_to_graph(self, graph: str, content: ParsedRdf | TriplesFile) -> int:
        name = ox.NamedNode(graph)

        def add(store: ox.Store) -> None:
            if isinstance(content, TriplesFile):
                for path in content.paths:
                    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
            else:  # quads made as they are written: a list of them costs ~200 MB per 1M
                store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in content.quads)
            store.add_graph(name)

        self._write(add)
        return self.triple_count(graph)

    def drop_graph(self, graph: str) -> None:
        name = ox.NamedNode(graph)

        def drop(store: ox.Store) -> None:
            if store.contains_named_graph(name):
                store.remove_graph(name)

        self._write(drop)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:  # checked and run on the store that answers reads first, so an error leaves the other untouched
            self.native.update(sparql, base_iri=base_iri)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        if self.mirror is not None:
            self._after_queued_writes(lambda: self.disk.update(sparql, base_iri=base_iri))

    def derive(self, graph: str, rule: Derivation) -> int:
        """The rule's CONSTRUCT streamed to a file by pyoxigraph and bulk-loaded: no triple passes through Python."""
        self._files += 1
        derived = self.scratch / f"derived-{self._files}.nt"
        self.native.query(rule.construct()).serialize(output=derived, format=ox.RdfFormat.N_TRIPLES)
        count = _lines(derived)
        if count:
            self.add_to_graph(graph, TriplesFile((derived,), count))
        self._after_queued_writes(derived.unlink)
        return count

    def graph_triples(self, graphs: Iterable[str]) -> Iterator[Triple]:
        for graph in graphs:
            for q in self.native.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


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
    def transaction(self, in_memory: bool = True) -> Iterator[Writer]:
        self._generations.mkdir(parents=True, exist_ok=True)
        with self._write_lock():
            current = self.current_generation()
            name = f"g{time.time_ns():020d}"
            target = self._generations / name
            scratch = self.path / f"scratch-{name}"
            writer: OxigraphWriter | None = None
            try:
                for left in self.path.glob("scratch-*"):  # from a writer that was killed
                    shutil.rmtree(left, ignore_errors=True)
                scratch.mkdir()
                disk = self._copy_of(current, target)
                writer = OxigraphWriter(disk, in_memory_copy(disk, self.path) if in_memory else None, scratch)
                yield writer
                writer.settle()
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
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            self._remove_old_generations(keep={name, current})

    @staticmethod
    def _close(writer: OxigraphWriter) -> None:
        """Drop the last reference to the writable store so RocksDB closes it (callers may keep `writer`)."""
        writer.abandon()
        writer.native = writer.disk = writer.mirror = None  # type: ignore[assignment]
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
    costs about 500 MB per million triples, and its rebuild (about 16 s per million) happens in
    the first read after a load has published a new generation.
    """

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self._copy: tuple[str, ox.Store] | None = None

    @property
    def native(self) -> ox.Store:  # type: ignore[override]
        generation = self.store.current_generation()
        if self._copy is None or self._copy[0] != generation:
            self._copy = None  # the old copy's memory goes before the new one is made
            self._copy = (str(generation), in_memory_copy(self.store.native))  # the service may not write the store
        return self._copy[1]


def in_memory_copy(store: ox.Store, folder: Path | None = None) -> ox.Store:
    """A copy of `store` in memory, passed through an N-Quads file in `folder` (default: the system's temporary
    folder) that is gone when closed or the process killed, so no quad becomes a Python object. Reading a disk
    store is the slow part (about 12 s per million quads, each term looked up in its string table)."""
    copy = ox.Store()
    if len(store):
        with tempfile.TemporaryFile(dir=folder) as quads:
            store.dump(quads, format=ox.RdfFormat.N_QUADS)
            quads.seek(0)
            copy.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
    return copy
