"""Queries run in a child process that is killed at the time limit and replaced when it dies.

pyoxigraph's Python API cannot cancel a running query, a query can exhaust memory, and the
engine can crash on hostile input; none of that may take the web worker down. So each worker
hands its queries to one child process with a memory cap, waits at most the time limit, and on
timeout or death kills the child and starts a new one for the next request.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
from multiprocessing.connection import Connection
from typing import Any

from innograph.config import Settings
from innograph.errors import InnographError, QueryError
from innograph.service.guard import inspect_query, inspect_update
from innograph.service.metrics import QUERY_TIMEOUTS
from innograph.store import QueryDataset, Reader, open_reader
from innograph.store.rdfio import cut_results


class QueryTimeout(InnographError):
    status = 503


class QueryWorkerFailed(InnographError):
    status = 503


def _serve_queries(connection: Connection, store_path: str, memory_bytes: int, in_memory: bool) -> None:
    """The child's loop: answer each request on `connection` until the parent goes away."""
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    store = open_reader(store_path, in_memory)
    while True:
        try:
            task, *arguments = connection.recv()
        except EOFError:
            return
        try:
            if task == "inspect":
                connection.send(("ok", _inspect(*arguments)))
            else:
                connection.send(("ok", *_answer(store, *arguments)))
        except InnographError as error:
            connection.send(("error", error.status, error.message))
        except MemoryError:
            connection.send(("error", 503, "the query needed more memory than a query may use"))


def _inspect(text: str, settings: Settings, update: bool) -> str | None:
    """The guard's check of a request (innograph.service.guard), here because parsing may take long."""
    if update:
        inspect_update(text, settings)
        return None
    return inspect_query(text, settings)


def _answer(store: Reader, sparql: str, results_type: str, graph_type: str, dataset: QueryDataset | None,
            row_cap: int, base_iri: str | None) -> tuple[str, str, bytes, bool]:
    """(kind, media type, body, whether the rows were cut at `row_cap`) of a query.

    A capped query asks for one row more than the cap (innograph.sparql_text.with_row_limit). Only
    when the answer may hold that extra row is it asked again as JSON, counted and cut: pyoxigraph
    cannot write part of an answer, so the cut rows are written from the JSON.
    """
    kind, media_type, body = store.serialized_query(sparql, None, results_type, graph_type, dataset, base_iri)
    if not row_cap or kind != "select" or _rows_at_most(body, media_type) <= row_cap:
        return kind, media_type, body, False
    _, _, whole = store.serialized_query(sparql, None, "application/sparql-results+json", graph_type, dataset,
                                         base_iri)
    cut = cut_results(whole, media_type, row_cap)
    return kind, media_type, body if cut is None else cut, cut is not None


def _rows_at_most(body: bytes, media_type: str) -> int:
    """A cheap upper bound of the rows in a results document: each row has one of these marks, or more."""
    if media_type == "application/sparql-results+xml":
        return body.count(b"<result>")
    if media_type in ("text/csv", "text/tab-separated-values"):
        return body.count(b"\n")
    return body.count(b"}}") + body.count(b"{}")  # a row ends its last value and itself, or is empty


class QueryExecutor:
    """One killable child process per web worker; calls are serialised."""

    def __init__(self, store_path: str, timeout: float, memory_bytes: int, in_memory: bool = True) -> None:
        self.store_path = store_path
        self.in_memory = in_memory
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Connection | None = None

    def run(self, sparql: str, results_type: str, graph_type: str, dataset: QueryDataset | None,
            row_cap: int = 0, base_iri: str | None = None) -> tuple[str, str, bytes, bool]:
        """(kind, media type, body, whether rows were cut) of the query, or QueryTimeout / QueryWorkerFailed /
        QueryError; `row_cap` > 0 says the text asks for at most row_cap + 1 rows (see _answer)."""
        reply = self._call(("answer", sparql, results_type, graph_type, dataset, row_cap, base_iri))
        return reply[1], reply[2], reply[3], reply[4]

    def inspect(self, text: str, settings: Settings, update: bool = False) -> str | None:
        """The guard's verdict on a query or update (its result kind, or QueryError), under the time limit:
        rdflib's parser takes seconds over some texts within the length cap."""
        return self._call(("inspect", text, settings, update))[1]

    def _call(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        """Send one request to the child and wait for its reply at most the time limit."""
        # One query at a time per process; a request that cannot get the process within the time limit
        # is told so, rather than waiting behind every query queued before it.
        if not self._lock.acquire(timeout=self.timeout):
            raise QueryTimeout(f"the query was stopped at the time limit of {self.timeout:g} s, waiting for this "
                               "worker's query process, which other queries kept busy; try again")
        try:
            try:
                self._ensure_child().send(request)
            except OSError:  # the child died since the last query: start another and try once more
                self._stop_child()
                self._ensure_child().send(request)
            connection = self._ensure_child()
            if not connection.poll(self.timeout):
                self._stop_child()
                QUERY_TIMEOUTS.inc()
                raise QueryTimeout(f"the query was stopped at the time limit of {self.timeout:g} s")
            try:
                reply = connection.recv()
            except (EOFError, OSError):
                self._stop_child()
                raise QueryWorkerFailed("the query process died while answering; it has been replaced") from None
        finally:
            self._lock.release()
        if reply[0] == "error":
            error = QueryError(reply[2])
            error.status = reply[1]
            raise error
        return reply

    def _ensure_child(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            self._stop_child()
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            arguments = (child, self.store_path, self.memory_bytes, self.in_memory)
            process = context.Process(target=_serve_queries, args=arguments, daemon=True, name="innograph-query")
            try:
                process.start()
            finally:
                child.close()
            self._process, self._connection = process, parent
        assert self._connection is not None
        return self._connection

    def _stop_child(self) -> None:
        if self._process is not None and self._process.pid is not None:
            self._process.kill()
            self._process.join(timeout=5)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def close(self) -> None:
        with self._lock:
            self._stop_child()
