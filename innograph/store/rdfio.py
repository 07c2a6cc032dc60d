"""RDF syntaxes, parsing with positions, and term conversion between pyoxigraph and rdflib.

This module and its siblings are the only code that imports pyoxigraph: everything outside the
store package sees rdflib terms and plain bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from innograph.errors import InputError, Position
from innograph.store.parsing_child import NESTING_SYNTAXES, ParserCrashed, parse_in_child

XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class Syntax:
    """One RDF syntax: its name, media type, file extensions and whether it holds graphs."""

    name: str
    media_type: str
    extensions: tuple[str, ...]
    native: ox.RdfFormat

    @property
    def holds_datasets(self) -> bool:
        return self.native.supports_datasets


SYNTAXES: dict[str, Syntax] = {
    s.name: s
    for s in (
        Syntax("turtle", "text/turtle", (".ttl",), ox.RdfFormat.TURTLE),
        Syntax("ntriples", "application/n-triples", (".nt",), ox.RdfFormat.N_TRIPLES),
        Syntax("nquads", "application/n-quads", (".nq",), ox.RdfFormat.N_QUADS),
        Syntax("trig", "application/trig", (".trig",), ox.RdfFormat.TRIG),
        Syntax("rdfxml", "application/rdf+xml", (".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML),
        Syntax("jsonld", "application/ld+json", (".jsonld", ".json-ld"), ox.RdfFormat.JSON_LD),
    )
}


def syntax_for(name_or_path: str | Path) -> Syntax:
    """The syntax named `turtle`, `text/turtle`, or guessed from a file name's extension."""
    key = str(name_or_path).lower()
    for syntax in SYNTAXES.values():
        if key in (syntax.name, syntax.media_type):
            return syntax
    suffixes = "".join(Path(key).suffixes[-1:])
    for syntax in SYNTAXES.values():
        if suffixes in syntax.extensions:
            return syntax
    known = ", ".join(sorted(SYNTAXES))
    raise InputError(f"unknown RDF syntax; known syntaxes are {known}", Position(file=str(name_or_path)))


@dataclass
class ParsedRdf:
    """Quads parsed from one document, held in pyoxigraph's form until they are written."""

    quads: list[ox.Quad]
    source: str

    def __len__(self) -> int:
        return len(self.quads)

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """The statements as rdflib terms, graph names dropped."""
        for quad in self.quads:
            yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def parse_rdf(data: bytes, syntax: Syntax, *, source: str, base_iri: str | None = None,
              untrusted: bool = False) -> ParsedRdf:
    """Parse a whole document, or raise InputError naming the source, line and column.

    An `untrusted` document of a nesting syntax is parsed in a child process that may crash
    (innograph.store.parsing_child): uploads and the loader's files are untrusted.
    """
    if syntax.name == "rdfxml":
        _refuse_entity_declarations(data, source)
    try:
        if untrusted and syntax.native in NESTING_SYNTAXES:
            quads = parse_in_child(data, syntax.native, base_iri)
        else:
            quads = list(ox.parse(data, syntax.native, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as error:
        position = Position(file=source, line=error.lineno, column=error.offset)
        raise InputError(_syntax_message(error), position) from None
    except (ValueError, ParserCrashed) as error:
        raise InputError(str(error), Position(file=source)) from None
    if any(isinstance(term, ox.Triple) for quad in quads for term in (quad.subject, quad.object)):
        raise InputError("RDF 1.2 triple terms (<<( ... )>>) are not supported; innograph stores RDF 1.1",
                         Position(file=source))
    return ParsedRdf(quads, source)


def _refuse_entity_declarations(data: bytes, source: str) -> None:
    """RDF/XML needs no DTD entities; declaring one is how a small file expands to gigabytes or reads a file."""
    found = ENTITY_DECLARATION.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        column = found.start() - data.rfind(b"\n", 0, found.start())
        raise InputError("RDF/XML that declares XML entities is refused (entity expansion can exhaust memory "
                         "or read local files)", Position(file=source, line=line, column=column))


def parse_file(path: str | Path, syntax: Syntax | None = None, *, base_iri: str | None = None,
               untrusted: bool = False) -> ParsedRdf:
    """Parse a file, guessing its syntax from its extension when none is given."""
    path = Path(path)
    syntax = syntax or syntax_for(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", Position(file=str(path))) from None
    return parse_rdf(data, syntax, source=str(path), base_iri=base_iri, untrusted=untrusted)


def _syntax_message(error: SyntaxError) -> str:
    text = str(error.msg if hasattr(error, "msg") else error)
    return text.split(": ", 1)[1] if text.startswith("Parser error at") and ": " in text else text


def serialize_quads(content: ParsedRdf) -> bytes:
    """A parsed document as N-Quads, to hand it to another process."""
    return ox.serialize(content.quads, format=ox.RdfFormat.N_QUADS)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | None) -> Node | None:
    """Convert one pyoxigraph term to its rdflib equal."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term to pyoxigraph, validating IRIs on the way."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def sparql_term(term: Node) -> str:
    """A term written as SPARQL syntax by the library, so no input can break out of it."""
    return str(to_oxigraph(term))


def quads_into_graph(triples: Iterable[tuple[Node, Node, Node]], graph: str) -> list[ox.Quad]:
    """Turn rdflib triples into quads of one named graph."""
    name = ox.NamedNode(graph)
    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name) for s, p, o in triples]


def iri(value: str) -> ox.NamedNode:
    """An IRI term, validated by the library (ValueError if it is not an IRI)."""
    return ox.NamedNode(value)


def literal(value: str, *, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    """A literal term: plain, typed or language-tagged."""
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


@dataclass(frozen=True)
class TriplesFile:
    """Triples written to N-Triples files rather than held in memory: a store bulk-loads the files."""

    paths: tuple[Path, ...]
    count: int
    """Triples written, a repeated one each time."""

    def parsed(self) -> ParsedRdf:
        """The triples in memory, for a store that cannot load a file (a SPARQL server)."""
        quads = [quad for path in self.paths for quad in parse_file(path, SYNTAXES["ntriples"]).quads]
        return ParsedRdf(quads, str(self.paths[0]) if self.paths else "")


class TriplesFileWriter:
    """Writes triples of terms made by `iri` and `literal` to N-Triples files, in batches, by pyoxigraph.

    A file holds at most `PER_FILE` triples: pyoxigraph's bulk load of one file needs memory in
    proportion to it (about 1.6 GB for 5M triples, 1.1 GB for each of five files of 1M).
    """

    BATCH = 50_000
    PER_FILE = 1_000_000

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.count = 0
        self.paths: list[Path] = []
        self._batch: list[ox.Triple] = []
        self._file: BinaryIO | None = None

    def add(self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal) -> None:
        self._batch.append(ox.Triple(subject, predicate, obj))
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._file is None or self.count >= self.PER_FILE * len(self.paths):
            if self._file is not None:
                self._file.close()
            self.paths.append(self.folder / f"{self.name}-{len(self.paths) + 1}.nt")
            self._file = open(self.paths[-1], "wb")  # noqa: SIM115 -- closed by the next file or close()
        ox.serialize(self._batch, self._file, ox.RdfFormat.N_TRIPLES)
        self.count += len(self._batch)
        self._batch = []

    def close(self) -> TriplesFile:
        """Write what is left and close the file."""
        self._flush()
        assert self._file is not None
        self._file.close()
        return TriplesFile(tuple(self.paths), self.count)


def cut_results(body: bytes, media_type: str, rows: int) -> bytes | None:
    """SPARQL JSON results cut to their first `rows` solutions, written by pyoxigraph in `media_type`;
    None if there are no more than `rows`."""
    document = json.loads(body)
    if len(document["results"]["bindings"]) <= rows:
        return None
    document["results"]["bindings"] = document["results"]["bindings"][:rows]
    shortened = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+json":
        return shortened
    solutions = ox.parse_query_results(shortened, format=ox.QueryResultsFormat.JSON)
    return solutions.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))


def is_valid_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI that the store accepts."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
