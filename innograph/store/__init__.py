"""The one small interface through which innograph reads and writes RDF.

Reads see the union of all named graphs as the default graph. Writes happen inside
`store.transaction()`: everything done through the yielded `Writer` becomes visible together
when the block ends, or not at all if it raises.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal as KindLiteral
from typing import Protocol

from rdflib.term import Node

from innograph.store.rdfio import ParsedRdf, Syntax, TriplesFile

Triple = tuple[Node, Node, Node]
Bindings = Mapping[str, Node]


@dataclass(frozen=True)
class QueryDataset:
    """A dataset named by a request: the graphs merged into the default graph, and the named graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class Result:
    """The answer to a SPARQL query as rdflib terms."""

    kind: KindLiteral["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def records(self) -> list[dict[str, Node | None]]:
        """Rows as dictionaries from variable name to term."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Node | None]:
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


class Derivation(Protocol):
    """An entailment rule as the two forms a store may run it in (innograph.ontology.rules.Rule)."""

    def insert(self, graph: str) -> str:
        """A SPARQL Update adding the new derived triples to `graph`."""

    def construct(self) -> str:
        """A CONSTRUCT query of the new derived triples."""


class Reader(ABC):
    """What can be read from one consistent version of the data."""

    @abstractmethod
    def query(self, sparql: str, bindings: Bindings | None = None) -> Result:
        """Run a query; `bindings` are substituted as terms, never pasted into the text."""

    @abstractmethod
    def serialized_query(self, sparql: str, bindings: Bindings | None, results_type: str, graph_type: str,
                         dataset: QueryDataset | None = None, base_iri: str | None = None) -> tuple[str, str, bytes]:
        """Run a query and return (kind, media type, body): solutions and booleans in `results_type`,
        graphs in `graph_type`, both standard syntaxes named by media type. `dataset` replaces the
        default dataset (the union of all named graphs) as the protocol's default-graph-uri and
        named-graph-uri parameters do; `base_iri` resolves relative IRIs of a query without BASE."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    @abstractmethod
    def triple_count(self, graph: str | None = None) -> int:
        """Statements in one graph, or in all graphs when `graph` is None."""

    @abstractmethod
    def dump(self, syntax: Syntax, graph: str | None = None) -> bytes:
        """Serialise one graph, or the whole dataset for a dataset syntax."""


class Writer(Reader):
    """A reader that can also change the data inside a transaction."""

    @abstractmethod
    def replace_graph(self, graph: str, content: ParsedRdf | TriplesFile | Iterable[Triple]) -> int:
        """Make `graph` hold exactly `content`; returns the number of triples written."""

    @abstractmethod
    def add_to_graph(self, graph: str, content: ParsedRdf | TriplesFile) -> int:
        """Add `content` to `graph`, keeping what it holds; returns the graph's size after."""

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and everything in it; no error if it is absent."""

    @abstractmethod
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update; `base_iri` resolves relative IRIs of an update without BASE."""

    @abstractmethod
    def derive(self, graph: str, rule: Derivation) -> int:
        """Add to `graph` what `rule` derives from all graphs and no graph holds yet.

        Returns how many triples the rule gave (a triple given twice counts twice): 0 exactly when
        nothing was new.
        """

    @abstractmethod
    def graph_triples(self, graphs: Iterable[str]) -> Iterator[Triple]:
        """Every triple of the given graphs, as rdflib terms."""


class Store(Reader):
    """A durable store: reads see the last committed version."""

    @abstractmethod
    def transaction(self, in_memory: bool = True) -> AbstractContextManager[Writer]:
        """A block whose writes are committed together when it ends without an error.

        `in_memory` lets the writer work on an in-memory copy of the data, which is faster; a load
        into a store larger than memory should pass False. A SPARQL server store ignores it.
        """

    @abstractmethod
    def exists(self) -> bool:
        """Whether the store has been initialised."""

    def data_version(self) -> str | None:
        """A name that changes whenever the data changes, for caches; None if the store cannot tell."""
        return None


def open_store(location: str) -> Store:
    """The store at `location`: a directory for the embedded store, a `sparql+http(s)://` URL for a server."""
    from innograph.store.location import is_remote

    if is_remote(location):
        from innograph.store.remote import RemoteStore

        return RemoteStore(location)
    from innograph.store.embedded import EmbeddedStore

    return EmbeddedStore(location)


def open_reader(location: str, in_memory: bool) -> Reader:
    """A reader of the store at `location`, answering from an in-memory copy if `in_memory` (embedded only:
    a server answers for itself)."""
    from innograph.store.embedded import EmbeddedStore, MemoryCopy
    from innograph.store.location import is_remote

    if is_remote(location):
        return open_store(location)

    store = EmbeddedStore(location)
    return MemoryCopy(store) if in_memory else store
