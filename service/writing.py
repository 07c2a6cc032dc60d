"""Writes requested over HTTP run in a child process that is killed at the time limit.

An update can be as expensive as any query (a DELETE/INSERT over a cartesian product), and the
web worker must not be the one stuck with it. A write killed half way changes nothing: the
embedded store publishes a generation only when its transaction has ended, and a server store's
journal is undone by the next write. Children come from a fork server (started once, before any
thread), so forking is safe in the threaded worker and cheap; the write travels as data: an
update's text, or a graph store request with its content as N-Quads.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection

from innograph.bootstrap import refresh_entailments
from innograph.config import Settings
from innograph.errors import InnographError, StoreError
from innograph.store import Writer, open_store
from innograph.store.rdfio import SYNTAXES, ParsedRdf, parse_rdf, serialize_quads

log = logging.getLogger(__name__)
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["innograph.service.writing"])


class WriteTimeout(StoreError):
    status = 503


@dataclass(frozen=True)
class Update:
    """A SPARQL Update."""

    text: str
    base_iri: str | None


@dataclass(frozen=True)
class GraphWrite:
    """A graph store request: DELETE, PUT or POST of `graph`, with its contents as N-Quads documents."""

    method: str
    graph: str
    contents: tuple[bytes, ...] = ()

    @classmethod
    def of(cls, method: str, graph: str, contents: list[ParsedRdf]) -> GraphWrite:
        return cls(method, graph, tuple(serialize_quads(content) for content in contents))


def write_in_child(settings: Settings, change: Update | GraphWrite) -> None:
    """Apply `change` and recompute the entailments in one transaction, in a child process, within
    `settings.update_timeout`; the child's errors are raised here under their own name and status."""
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_write, args=(sender, settings, change), daemon=True, name="innograph-write")
    process.start()
    sender.close()
    try:
        if not receiver.poll(settings.update_timeout):
            process.kill()
            raise WriteTimeout(f"the write was stopped at the time limit of {settings.update_timeout:g} s; "
                               "nothing was changed")
        try:
            report = receiver.recv()
        except EOFError:
            raise StoreError(f"the write's process died (exit code {process.exitcode}); nothing was changed") from None
    finally:
        process.join()
        receiver.close()
    if report[0] == "bug":
        log.error("a write failed; nothing was changed:\n%s", report[1])
        raise RuntimeError("the write failed; nothing was changed")
    if report[0] == "error":
        _, name, status, message = report
        raise type(name, (InnographError,), {"status": status})(message)


def _write(connection: Connection, settings: Settings, change: Update | GraphWrite) -> None:
    """The child: one transaction, then a report of how it ended."""
    report: tuple = ("ok",)
    try:
        if settings.update_memory_mb > 0:
            limit = settings.update_memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        with open_store(settings.store).transaction() as writer:
            _apply(writer, change)
            refresh_entailments(writer, settings.graphs)
    except InnographError as error:
        report = ("error", type(error).__name__, error.status, error.message)
    except MemoryError:
        report = ("error", "StoreError", 503, "the write needed more memory than a write may use; nothing changed")
    except BaseException:  # a bug: its traceback goes to the parent's log, never to the client
        report = ("bug", traceback.format_exc())
    connection.send(report)
    connection.close()


def _apply(writer: Writer, change: Update | GraphWrite) -> None:
    if isinstance(change, Update):
        writer.update(change.text, base_iri=change.base_iri)
        return
    contents = [parse_rdf(body, SYNTAXES["nquads"], source=change.graph) for body in change.contents]
    if change.method == "DELETE":
        writer.drop_graph(change.graph)
    elif change.method == "PUT":
        writer.replace_graph(change.graph, contents[0])
    else:
        for content in contents:
            writer.add_to_graph(change.graph, content)
