"""Dumps of the whole store, built once per store generation and kept on disk beside the store.

Layout::

    <store>/dumps/build.lock             held by the one process building
    <store>/dumps/<generation>/          the files of one generation and its manifest.json

The first request after a load starts a thread that writes the files into a temporary folder, counts the
statistics that VoID and DCAT publish, writes manifest.json last and renames the folder into place, so a
reader sees a complete generation or none; the request waits for it up to WAIT_SECONDS, else answers 503
with Retry-After. Other workers wait on the lock and then find the folder built. Folders of older
generations are removed once the new one is in place. `build_dumps` does the same ahead of any request.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.exceptions import ServiceUnavailable

from innograph.config import Settings
from innograph.errors import StoreError
from innograph.service.dataset_statistics import Statistics, count_statistics
from innograph.store import Store
from innograph.store.location import is_remote
from innograph.store.rdfio import SYNTAXES

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
"""Written into each manifest; a folder written by a version with another format is rebuilt, not misread."""
LOCK = "build.lock"
UNION_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
ATTEMPTS = 3
WAIT_SECONDS = 20.0
"""How long a request waits for a build before answering 503; below the server's worker timeout."""
RETRY_SECONDS = 30
_BUILDS: dict[str, Future[Manifest]] = {}
_BUILDS_LOCK = threading.Lock()


@dataclass(frozen=True)
class DumpKind:
    """One dump file: its name, what it holds, how it is served and described."""

    name: str
    title: str
    media_type: str
    """The RDF syntax inside (for the gzip file: of the uncompressed content)."""
    eu_file_type: str
    """The code of the format in the EU Publications Office file-type list, for DCAT-AP."""
    compressed: bool = False

    @property
    def served_as(self) -> str:
        return "application/gzip" if self.compressed else self.media_type


KINDS = (
    DumpKind("innograph.nq.gz", "Every named graph as N-Quads, gzip-compressed", "application/n-quads",
             "RDF_N_QUADS", compressed=True),
    DumpKind("innograph.trig", "Every named graph as TriG", "application/trig", "RDF_TRIG"),
    DumpKind("innograph.ttl", "The union of all named graphs as one graph, in Turtle", "text/turtle",
             "RDF_TURTLE"),
    DumpKind("innograph.jsonld", "Every named graph as JSON-LD", "application/ld+json", "JSON_LD"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


@dataclass(frozen=True)
class DumpFile:
    """A built dump: its kind, size in bytes and SHA-256 of exactly the bytes served."""

    name: str
    size: int
    sha256: str

    @property
    def kind(self) -> DumpKind:
        return BY_NAME[self.name]


@dataclass(frozen=True)
class Manifest:
    """The dumps of one generation, when they were built, and the statistics counted from the same data."""

    generation: str
    created: str
    folder: Path
    files: tuple[DumpFile, ...]
    statistics: Statistics

    def file(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.name == name), None)

    def path(self, name: str) -> Path:
        return self.folder / name


def dumps_root(settings: Settings) -> Path:
    if settings.dumps_dir:
        return Path(settings.dumps_dir)
    return Path("var/dumps") if is_remote(settings.store) else Path(settings.store) / "dumps"


def current_dumps(store: Store, settings: Settings, wait: float = WAIT_SECONDS) -> Manifest:
    """The dumps of the store's current generation; if none are built yet, a background thread of this process
    builds them while the request waits up to `wait` seconds, then answers 503 with Retry-After."""
    root = dumps_root(settings)
    generation = _generation(store)
    found = _read_manifest(root / generation)
    if found is not None:
        return found
    try:
        return _builder(store, settings, root / generation).result(timeout=wait)
    except FutureTimeout:
        raise ServiceUnavailable(f"the dumps of the current data are being written; try again in {RETRY_SECONDS} s",
                                 retry_after=RETRY_SECONDS) from None


def _builder(store: Store, settings: Settings, folder: Path) -> Future[Manifest]:
    """The build of one generation's dumps running in this process, started if there is none (or it failed).

    A thread, not the request, does the work, so that a build longer than the server's worker timeout (large
    stores) finishes anyway; requests in other processes wait on the file lock and then find it done.
    """
    with _BUILDS_LOCK:
        running = _BUILDS.get(str(folder))
        if running is not None and not (running.done() and running.exception() is not None):
            return running
        future: Future[Manifest] = Future()
        _BUILDS.clear()
        _BUILDS[str(folder)] = future
    threading.Thread(target=_run, args=(future, store, settings), name="innograph-dumps", daemon=True).start()
    return future


def _run(future: Future[Manifest], store: Store, settings: Settings) -> None:
    try:
        future.set_result(build_current(store, settings))
    except BaseException as error:  # handed to the waiting request, which raises it there
        future.set_exception(error)


def build_current(store: Store, settings: Settings) -> Manifest:
    """Build the current generation's dumps here and now (or find them built), one process at a time."""
    root = dumps_root(settings)
    for _ in range(ATTEMPTS):
        generation = _generation(store)
        try:
            with _build_lock(root):
                found = _read_manifest(root / generation)
                if found is not None:
                    return found
                built = _build(store, settings, root, generation)
                if built is not None:
                    _remove_others(root, keep=generation)
                    return built
        except OSError as error:
            raise StoreError(f"cannot write the dumps in {root}: {error}") from error
    raise StoreError("the store changed while its dumps were being written; try again")


def _generation(store: Store) -> str:
    generation = store.data_version()
    if generation is None:
        raise StoreError("the store has no data yet: run `innograph init` first")
    return generation


def _build(store: Store, settings: Settings, root: Path, generation: str) -> Manifest | None:
    """Write every dump and the manifest of `generation`; None if the store moved on meanwhile."""
    temporary = root / f".{generation}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    try:
        files = tuple(_write(temporary / kind.name, _content(store, kind)) for kind in KINDS)
        statistics = count_statistics(store, settings.graphs)
        if store.data_version() != generation:
            return None
        created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = {"format": MANIFEST_FORMAT, "generation": generation, "created": created,
                    "files": [asdict(f) for f in files], "statistics": statistics.to_json()}
        (temporary / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        shutil.rmtree(root / generation, ignore_errors=True)  # a folder of an older manifest format
        os.replace(temporary, root / generation)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return Manifest(generation, created, root / generation, files, statistics)


def _content(store: Store, kind: DumpKind) -> bytes:
    if kind.media_type == "text/turtle":
        _, _, body = store.serialized_query(UNION_GRAPH, None, "application/sparql-results+json", kind.media_type)
        return body
    body = store.dump(next(s for s in SYNTAXES.values() if s.media_type == kind.media_type))
    return gzip.compress(body, mtime=0) if kind.compressed else body


def _write(path: Path, body: bytes) -> DumpFile:
    with open(path, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    return DumpFile(path.name, len(body), hashlib.sha256(body).hexdigest())


def _read_manifest(folder: Path) -> Manifest | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data.get("format") != MANIFEST_FORMAT:
        return None
    files = tuple(DumpFile(**f) for f in data["files"])
    return Manifest(data["generation"], data["created"], folder, files, Statistics.from_json(data["statistics"]))


def _remove_others(root: Path, keep: str) -> None:
    """Folders of other generations go, and leftovers of a builder that was killed (the caller holds the lock,
    so no other build is running); a download already reading an old file keeps its open file."""
    for entry in root.iterdir():
        if entry.is_dir() and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    """One builder at a time across processes and threads; the others wait, then find the dumps built."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_dumps(store: Store, settings: Settings, progress: Callable[[str], None] | None = None) -> Manifest:
    """Build (or find) the current generation's dumps ahead of the first request, for a command or a deploy."""
    manifest = build_current(store, settings)
    if progress is not None:
        for file in manifest.files:
            progress(f"{manifest.path(file.name)}  {file.size} bytes  sha256 {file.sha256}")
    return manifest
