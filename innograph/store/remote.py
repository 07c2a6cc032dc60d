"""A store on a SPARQL server (Oxigraph server, Virtuoso, Fuseki, GraphDB, QLever, Neptune).

Reads see the union of innograph's named graphs as the default graph, as on the embedded store:
each query without FROM is sent with those graphs as its dataset (`default-graph-uri` and
`named-graph-uri`), which also keeps a server's own system graphs (Virtuoso has several) out.

A SPARQL server offers no transaction that spans requests, so a transaction here is the closest
equivalent the protocol allows, a journal with compensation:

- every graph the transaction is about to change is first copied, on the server, to a backup
  graph, and the journal (in innograph's state graph) records the pair before anything changes;
- a graph being loaded is uploaded to a staging graph and replaces the live graph with one
  `MOVE` only when the upload is complete, so a failed upload leaves the live graph untouched;
- at the end the backups are dropped; on an error they are moved back, and graphs the
  transaction created are dropped. A process killed mid-way leaves the journal, and the next
  transaction, or `innograph recover`, moves the backups back first.

Readers may see a transaction's graphs change one after another: a server cannot hide them.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import URIRef

from innograph.errors import QueryError, StoreError
from innograph.processes import is_running
from innograph.sparql_text import (
    has_keyword,
    has_relative_iri,
    query_form,
    whole_store_operation,
    with_using,
    without_comments,
    without_top_limit,
)
from innograph.store import Bindings, Derivation, QueryDataset, Result, Store, Triple, Writer
from innograph.store.answers import as_result, serialized
from innograph.store.binding import with_values
from innograph.store.location import parse_location
from innograph.store.rdfio import ParsedRdf, Syntax, TriplesFile, quads_into_graph, sparql_term, to_rdflib
from innograph.store.sparql_client import SparqlClient

PRIVATE = "urn:innograph:"
"""IRIs of the graphs and terms innograph keeps for itself on a server start with this."""
STATE = "urn:innograph:store"
GENERATION = "urn:innograph:generation"
WRITER = "urn:innograph:writer"
RESTORES = "urn:innograph:restores"
CREATED = "urn:innograph:created"
NO_GRAPH = "urn:innograph:no-graph"
"""The dataset of a query when innograph holds no graph yet (an empty list would mean 'all')."""

VIRTUOSO_SYSTEM = ("http://www.openlinksw.com/", "http://localhost:8890/", "http://localuriqaserver/",
                   "http://www.w3.org/ns/ldp#", "http://www.w3.org/2002/07/owl#", "urn:activitystreams-owl:map",
                   "urn:core:services:sparql")
"""Prefixes of the graphs a fresh Virtuoso database holds for itself."""

RESULTS_ACCEPT = "application/sparql-results+xml"
"""XML for solutions: Virtuoso's JSON writes booleans as 1 and 0. One media type per request (see SparqlClient)."""
GRAPH_ACCEPT = "application/n-triples"
"""N-Triples for graphs: exact on every server tried (Virtuoso's Turtle loses datatypes)."""
LIST_GRAPHS = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
"""Not SELECT DISTINCT: Virtuoso takes seconds over that exact text, milliseconds over this one."""
VIRTUOSO_TOP_N = 10_000
"""Virtuoso 7.2 miscounts aggregates in joined subqueries when the query is cut with ORDER BY ... LIMIT
(leading-organisations counted one project too many): such a LIMIT, up to this size, is applied here."""
RESULTS_TYPES = {"application/sparql-results+xml", "application/sparql-results+json",
                 "application/sparql-results+tsv", "text/tab-separated-values"}


def _iri(value: str) -> str:
    return sparql_term(URIRef(value))


class RemoteStore(Store):
    """The store named by a `sparql+http(s)://` location; its writer shares its reading."""

    def __init__(self, location: str) -> None:
        self.location = parse_location(location)
        self.client = SparqlClient(self.location)
        self._graph_cache: tuple[str, list[str]] | None = None

    # -- reading ---------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Bindings | None = None) -> Result:
        answer = self._ask(with_values(sparql, bindings or {}))
        if isinstance(answer, list):
            return Result("graph", triples=list(_as_rdflib(answer)))
        return as_result(answer)

    def serialized_query(self, sparql: str, bindings: Bindings | None, results_type: str, graph_type: str,
                         dataset: QueryDataset | None = None, base_iri: str | None = None) -> tuple[str, str, bytes]:
        text = _with_base(with_values(sparql, bindings or {}), base_iri)
        answer = self._ask(text, dataset=dataset)
        if isinstance(answer, list):
            return "graph", graph_type, ox.serialize(answer, format=ox.RdfFormat.from_media_type(graph_type))
        return serialized(answer, results_type, graph_type)

    def named_graphs(self) -> list[str]:
        version = self.data_version()
        if version is not None and self._graph_cache is not None and self._graph_cache[0] == version:
            return list(self._graph_cache[1])
        graphs = self._list_graphs()
        if version is not None:
            self._graph_cache = (version, graphs)
        return list(graphs)

    def triple_count(self, graph: str | None = None) -> int:
        graphs = [graph] if graph is not None else self.named_graphs()
        if not graphs:
            return 0
        names = " ".join(_iri(g) for g in graphs)
        answer = self._ask(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                           RESULTS_ACCEPT, bare=True)
        assert isinstance(answer, ox.QuerySolutions)
        return int(next(iter(answer))[0].value)

    def dump(self, syntax: Syntax, graph: str | None = None) -> bytes:
        if graph is not None:
            return ox.serialize(self._graph(graph), format=syntax.native)
        if not syntax.holds_datasets:
            raise QueryError(f"{syntax.name} holds one graph: name the graph to dump")
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                 for name in self.named_graphs() for t in self._graph(name)]
        return ox.serialize(quads, format=syntax.native)

    def exists(self) -> bool:
        return self.data_version() is not None

    def data_version(self) -> str | None:
        answer = self._ask(f"SELECT ?v WHERE {{ GRAPH {_iri(STATE)} {{ {_iri(STATE)} {_iri(GENERATION)} ?v }} }}",
                           RESULTS_ACCEPT, bare=True)
        assert isinstance(answer, ox.QuerySolutions)
        values = sorted(str(row[0].value) for row in answer)
        return values[-1] if values else None

    def current_generation(self) -> str | None:
        return self.data_version()

    # -- the protocol ----------------------------------------------------------------------------------

    def _ask(self, text: str, accept: str | None = None, dataset: QueryDataset | None = None, *,
             bare: bool = False) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Send a query with its dataset and parse the answer with pyoxigraph; `accept` by the query form if None.

        `bare` sends no dataset: for innograph's own queries, which name each graph they read.
        """
        text = without_comments(text)  # Virtuoso misreads some queries with comments (answers change)
        if accept is None:
            accept = GRAPH_ACCEPT if query_form(text) in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        if dataset is not None:
            default, named = dataset.default_graphs, dataset.named_graphs
            if self.client.is_virtuoso():  # it has no graph of its own to be the default graph: name an empty one
                default, named = default or (NO_GRAPH,), named or (NO_GRAPH,)
        elif bare or has_keyword(text, "FROM") or self.location.union_default_graph:
            default, named = (), ()
        else:
            default = named = tuple(self.named_graphs()) or (NO_GRAPH,)
        window = None
        if self.client.is_virtuoso() and query_form(text) == "SELECT":
            text, limit, offset = without_top_limit(text)
            window = (offset, limit) if limit is not None and limit <= VIRTUOSO_TOP_N else None
        media_type, body = self.client.query(text, accept, default, named)
        try:
            if window is not None and media_type in RESULTS_TYPES:
                body, media_type = _solutions_window(body, media_type, *window), "application/sparql-results+json"
            if media_type in RESULTS_TYPES:
                return ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media_type))
            triples = ox.parse(body, format=ox.RdfFormat.from_media_type(media_type or "application/n-triples"))
            return [ox.Triple(q.subject, q.predicate, q.object) for q in triples]
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"the store's answer ({media_type or 'no media type'}) cannot be read: {error}") from None

    def _graph(self, name: str) -> list[ox.Triple]:
        answer = self._ask(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(name)} {{ ?s ?p ?o }} }}",
                           GRAPH_ACCEPT, bare=True)
        assert isinstance(answer, list)
        return answer

    def _list_graphs(self) -> list[str]:
        """Every named graph on the server but innograph's own and the server's system graphs."""
        return sorted(n for n in self._all_graphs() if not n.startswith(PRIVATE) and not n.startswith(VIRTUOSO_SYSTEM))

    # -- writing ---------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, in_memory: bool = True) -> Iterator[Writer]:
        transaction = f"{PRIVATE}tx:{time.time_ns()}"
        self._take_writer_lock(transaction)
        writer = RemoteWriter(self, transaction)
        try:
            yield writer
        except BaseException:
            writer.roll_back()
            raise
        else:
            writer.commit()
        finally:
            self.client.update(f"DELETE WHERE {{ GRAPH {_iri(STATE)} {{ {_iri(STATE)} {_iri(WRITER)} ?w }} }}")

    def _take_writer_lock(self, transaction: str) -> None:
        """Claim the store for one writer; undo first what a writer that died here left half done."""
        holder = f"{transaction} {socket.gethostname()} {os.getpid()}"
        state, writer = _iri(STATE), _iri(WRITER)
        self.client.update(f"INSERT {{ GRAPH {state} {{ {state} {writer} {sparql_term_literal(holder)} }} }} "
                           f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {state} {{ {state} {writer} ?any }} }} }}")
        holders = self._writers()
        if holders == [holder]:
            self.recover(keep_lock=True)
            return
        stale = [h for h in holders if h != holder and _dead_here(h)]
        if stale and len(stale) == len(holders):
            self.recover()
            return self._take_writer_lock(transaction)
        others = ", ".join(h for h in holders if h != holder)
        raise StoreError(f"another process is writing the store ({others}); if none is, `innograph recover` "
                         "undoes what it left half done and frees the store")

    def _writers(self) -> list[str]:
        answer = self._ask(f"SELECT ?w WHERE {{ GRAPH {_iri(STATE)} {{ {_iri(STATE)} {_iri(WRITER)} ?w }} }}",
                           RESULTS_ACCEPT, bare=True)
        assert isinstance(answer, ox.QuerySolutions)
        return sorted(str(row[0].value) for row in answer)

    def recover(self, keep_lock: bool = False) -> int:
        """Undo every journalled change of transactions that did not finish; returns the graphs restored."""
        state = _iri(STATE)
        answer = self._ask(f"SELECT ?from ?to ?how WHERE {{ GRAPH {state} {{ ?from ?how ?to "
                           f"VALUES ?how {{ {_iri(RESTORES)} {_iri(CREATED)} }} }} }}", RESULTS_ACCEPT,
                           bare=True)
        assert isinstance(answer, ox.QuerySolutions)
        entries = [(row[0].value, row[1].value, row[2].value) for row in answer]
        present = set(self._all_graphs())
        for source, live, how in entries:
            if how == RESTORES and source in present:
                self.client.update(f"MOVE {_iri(source)} TO {_iri(live)}")
            elif how == CREATED:
                self.client.update(f"DROP SILENT GRAPH {_iri(live)}")
        for leftover in (g for g in present if g.startswith(f"{PRIVATE}tx:")):
            self.client.update(f"DROP SILENT GRAPH {_iri(leftover)}")
        journal = f"DELETE WHERE {{ GRAPH {state} {{ ?from {_iri(RESTORES)} ?to }} }}; " \
                  f"DELETE WHERE {{ GRAPH {state} {{ ?tx {_iri(CREATED)} ?live }} }}"
        if not keep_lock:
            journal += f"; DELETE WHERE {{ GRAPH {state} {{ {state} {_iri(WRITER)} ?w }} }}"
        self.client.update(journal)
        if entries:
            _bump_generation(self.client)
        return len(entries)

    def _holds(self, graph: str) -> bool:
        """Whether `graph` has a triple (servers keep no empty graphs)."""
        answer = self._ask(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}", RESULTS_ACCEPT,
                           bare=True)
        return bool(answer)

    def _all_graphs(self) -> list[str]:
        media_type, body = self.client.query(LIST_GRAPHS, RESULTS_ACCEPT)
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media_type))
        return [row[0].value for row in solutions if isinstance(row[0], ox.NamedNode)]


class RemoteWriter(RemoteStore, Writer):
    """Changes made within one transaction, journalled so they can be undone."""

    def __init__(self, store: RemoteStore, transaction: str) -> None:
        self.location, self.client = store.location, store.client
        self._graph_cache = None
        self.name = transaction
        self.touched: dict[str, str | None] = {}
        self._staging = 0
        self._known: set[str] | None = None

    def data_version(self) -> str | None:  # the writer sees its own changes at once: no cache by version
        return None

    def named_graphs(self) -> list[str]:
        """Listed once, then kept up to date by this writer's own changes (listing scans the server)."""
        if self._known is None:
            self._known = set(self._list_graphs())
        return sorted(self._known)

    def _note(self, graph: str, present: bool) -> None:
        if self._known is not None and not graph.startswith(PRIVATE):
            (self._known.add if present else self._known.discard)(graph)

    def exists(self) -> bool:
        return True

    def replace_graph(self, graph: str, content: ParsedRdf | TriplesFile | Iterable[Triple]) -> int:
        self._protect(graph)
        staging = self._upload(content)
        if staging is None:
            self.client.update(f"DROP SILENT GRAPH {_iri(graph)}")
            self._note(graph, False)
            return 0
        self.client.update(f"MOVE {_iri(staging)} TO {_iri(graph)}")
        self._note(graph, True)
        return self.triple_count(graph)

    def add_to_graph(self, graph: str, content: ParsedRdf | TriplesFile) -> int:
        self._protect(graph)
        staging = self._upload(content)
        if staging is not None:
            self.client.update(f"ADD {_iri(staging)} TO {_iri(graph)}; DROP SILENT GRAPH {_iri(staging)}")
            self._note(graph, True)
        return self.triple_count(graph)

    def drop_graph(self, graph: str) -> None:
        self._protect(graph)
        self.client.update(f"DROP SILENT GRAPH {_iri(graph)}")
        self._note(graph, False)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        text = without_comments(sparql)
        if self.client.is_virtuoso() and whole_store_operation(text):
            # Virtuoso answers DROP/CLEAR ALL and NAMED with success and does nothing: name each graph instead.
            graphs = self.named_graphs()
            for graph in graphs:
                self._protect(graph)
            if graphs:
                self.client.update(" ; ".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graphs))
            self._known = set()
            return
        self.client.update(_with_base(text, base_iri))
        self._known = None  # an update may create or empty any graph

    def derive(self, graph: str, rule: Derivation) -> int:
        self._protect(graph)
        before = self.triple_count(graph) if graph in self.named_graphs() else 0
        using = [_iri(g) for g in sorted(set(self.named_graphs()) | {graph})]
        self.client.update(with_using(rule.insert(graph), [], using))
        after = self.triple_count(graph)
        self._note(graph, after > 0)
        return after - before

    def graph_triples(self, graphs: Iterable[str]) -> Iterator[Triple]:
        for graph in graphs:
            yield from _as_rdflib(self._graph(graph))

    # -- the journal -----------------------------------------------------------------------------------

    def _protect(self, graph: str) -> None:
        """Journal and back up `graph` before this transaction first changes it."""
        if graph in self.touched:
            return
        state = _iri(STATE)
        if self._holds(graph):
            backup = f"{self.name}:backup:{len(self.touched)}"
            self.client.update(f"INSERT DATA {{ GRAPH {state} {{ {_iri(backup)} {_iri(RESTORES)} {_iri(graph)} }} }}; "
                               f"COPY {_iri(graph)} TO {_iri(backup)}")
            self.touched[graph] = backup
        else:
            self.client.update(f"INSERT DATA {{ GRAPH {state} {{ {_iri(self.name)} {_iri(CREATED)} "
                               f"{_iri(graph)} }} }}")
            self.touched[graph] = None

    def _upload(self, content: ParsedRdf | TriplesFile | Iterable[Triple]) -> str | None:
        """Write `content` to a new staging graph in batches; returns its name, or None if it is empty."""
        if isinstance(content, TriplesFile):
            content = content.parsed()
        if isinstance(content, ParsedRdf):
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in content.quads]
        else:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads_into_graph(content, NO_GRAPH)]
        if not triples:
            return None
        self._staging += 1
        staging = f"{self.name}:staging:{self._staging}"
        for number, batch in enumerate(_batches(triples, self.location.batch)):
            body = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
            if self.location.graph_store_url:
                send = self.client.put_graph if number == 0 else self.client.post_graph
                send(staging, body, "text/turtle")
            else:
                self.client.update(f"INSERT DATA {{ GRAPH {_iri(staging)} {{ {body.decode('utf-8')} }} }}")
        return staging

    def commit(self) -> None:
        backups = [b for b in self.touched.values() if b is not None]
        for backup in backups:
            self.client.update(f"DROP SILENT GRAPH {_iri(backup)}")
        self._forget_journal()
        _bump_generation(self.client)

    def roll_back(self) -> None:
        for graph, backup in self.touched.items():
            if backup is None:
                self.client.update(f"DROP SILENT GRAPH {_iri(graph)}")
            else:
                self.client.update(f"MOVE {_iri(backup)} TO {_iri(graph)}")
        for number in range(1, self._staging + 1):
            self.client.update(f"DROP SILENT GRAPH {_iri(f'{self.name}:staging:{number}')}")
        self._forget_journal()
        if self.touched:
            _bump_generation(self.client)

    def _forget_journal(self) -> None:
        state = _iri(STATE)
        self.client.update(f"DELETE WHERE {{ GRAPH {state} {{ ?from {_iri(RESTORES)} ?to }} }}; "
                           f"DELETE WHERE {{ GRAPH {state} {{ ?tx {_iri(CREATED)} ?live }} }}")


def _batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Batches of at most `size` triples, except that all triples with a blank node go in the first:
    a blank node's label means the same node only within one request."""
    with_blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    others = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
    first = with_blank + others[:max(0, size - len(with_blank))]
    yield first
    rest = others[len(first) - len(with_blank):]
    for start in range(0, len(rest), size):
        yield rest[start:start + size]


def _as_rdflib(triples: list[ox.Triple]) -> Iterator[Triple]:
    for t in triples:
        yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)  # type: ignore[misc]


def _solutions_window(body: bytes, media_type: str, offset: int, limit: int) -> bytes:
    """The solutions from `offset` on, at most `limit` of them, as SPARQL JSON results."""
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media_type))
    document = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON))
    document["results"]["bindings"] = document["results"]["bindings"][offset:offset + limit]
    return json.dumps(document).encode("utf-8")


def _with_base(text: str, base_iri: str | None) -> str:
    """The text with a BASE declaration when it needs one, on its first line so that the server's error positions
    keep their line numbers (a server takes no base IRI beside the query, as pyoxigraph does)."""
    return f"BASE {_iri(base_iri)} {text}" if base_iri and has_relative_iri(text) else text


def _bump_generation(client: SparqlClient) -> None:
    state, generation = _iri(STATE), _iri(GENERATION)
    client.update(f"DELETE WHERE {{ GRAPH {state} {{ {state} {generation} ?v }} }}; "
                  f"INSERT DATA {{ GRAPH {state} {{ {state} {generation} \"g{time.time_ns():020d}\" }} }}")


def sparql_term_literal(text: str) -> str:
    return str(ox.Literal(text))


def _dead_here(holder: str) -> bool:
    """Whether a writer lock was taken by a process of this machine that no longer runs."""
    try:
        _, host, pid = holder.rsplit(" ", 2)
        return host == socket.gethostname() and not is_running(int(pid))
    except ValueError:
        return False
