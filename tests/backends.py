"""Where the tests' stores live: on disk (the embedded store), or on a real SPARQL server.

`pytest --store-backend=oxigraph` (or `virtuoso`) runs the tests marked `backends` (the loader, the
service and the query library) with every store they make on a server of that kind instead of a
directory. A test that needs a fresh store gets one of a pool of servers, wiped first and handed
back after the test; a store shared by a session or module gets a server of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .servers import RunningServer, oxigraph_server, virtuoso_server

BACKENDS = ("embedded", "oxigraph", "virtuoso")


class Stores:
    """Hands out store locations of one backend for a test session."""

    def __init__(self, backend: str, root: Path) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"--store-backend is one of {', '.join(BACKENDS)}")
        self.backend = backend
        self.root = root
        self._numbers = itertools.count(1)
        self._servers = ExitStack()
        self._idle: list[RunningServer] = []
        self._own: dict[str, RunningServer] = {}

    @property
    def remote(self) -> bool:
        return self.backend != "embedded"

    def shared(self, name: str) -> str:
        """A new, empty store that lives until the end of the session."""
        if not self.remote:
            return str(self._directory(name) / "store")
        server = self._new(name)
        self._own[server.location] = server
        return server.location

    def retire(self, location: str) -> None:
        """Stop the server of a shared store now: a server cannot be told to stop a query a test abandoned,
        and one still computing would slow every later test."""
        if location in self._own:
            self._own.pop(location).stop()

    @contextmanager
    def fresh(self) -> Iterator[str]:
        """A new, empty store for one test."""
        if not self.remote:
            yield str(self._directory("fresh") / "store")
            return
        server = self._idle.pop() if self._idle else self._new("pool")
        server.wipe()
        try:
            yield server.location
        finally:
            self._idle.append(server)

    def close(self) -> None:
        self._servers.close()

    def _new(self, name: str) -> RunningServer:
        start = oxigraph_server if self.backend == "oxigraph" else virtuoso_server
        return self._servers.enter_context(start(self._directory(name)))

    def _directory(self, name: str) -> Path:
        folder = self.root / f"{name}-{next(self._numbers)}"
        folder.mkdir(parents=True)
        return folder


def same_dataset(first: bytes, second: bytes) -> bool:
    """Whether two N-Quads documents hold the same named graphs, each isomorphic (blank node labels may differ,
    as they do after a copy between stores)."""
    from rdflib import Dataset
    from rdflib.compare import isomorphic

    graphs = []
    for document in (first, second):
        dataset = Dataset()
        dataset.parse(data=document, format="nquads")
        graphs.append({str(g.identifier): g for g in dataset.graphs() if len(g)})
    return graphs[0].keys() == graphs[1].keys() and all(isomorphic(graphs[0][k], graphs[1][k]) for k in graphs[0])


def dump_without_provenance(location: str, provenance_graph: str) -> list[bytes]:
    """A store's N-Quads lines except those of the provenance graph, whose load times differ from load to load."""
    from innograph.store import open_store
    from innograph.store.rdfio import syntax_for

    provenance = f"<{provenance_graph}>".encode()
    dump = open_store(location).dump(syntax_for("nquads"))
    return [line for line in dump.splitlines() if line and not line.rstrip(b" .").endswith(provenance)]
