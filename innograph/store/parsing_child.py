"""Parse an untrusted RDF document in a forked child process, which may die without taking us along.

pyoxigraph's JSON-LD parser overflows its stack on about 5,000 nested lists, and a stack overflow
is a SIGSEGV that no Python code can catch: in the web worker it would drop the connection, in
`innograph load` it would end the command without naming the file. The child parses, writes the
quads back as N-Quads (a line-based syntax whose parser does not recurse), or the parser's error
with its position, and exits; a child that dies by a signal becomes an error of the document.
"""

from __future__ import annotations

import os
import pickle
import signal

import pyoxigraph as ox

NESTING_SYNTAXES = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD,
                    ox.RdfFormat.N3}
"""Syntaxes whose documents nest, so whose parsers may recurse; line-based ones are parsed in place."""


class ParserCrashed(Exception):
    """The parser's process died: the document is hostile or too deeply nested."""


def parse_in_child(data: bytes, syntax: ox.RdfFormat, base_iri: str | None) -> list[ox.Quad]:
    """The quads of `data`, parsed in a child; SyntaxError and ValueError as the parser raised them."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, report, and leave without running any of the parent's clean-up
        os.close(read_end)
        try:
            quads = ox.parse(data, syntax, base_iri=base_iri, rename_blank_nodes=True)
            report: tuple = ("ok", ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        except SyntaxError as error:
            report = ("syntax", str(error.msg if hasattr(error, "msg") else error), error.lineno, error.offset)
        except ValueError as error:
            report = ("value", str(error))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(report))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        received = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not received:
        number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        name = signal.Signals(number).name if os.WIFSIGNALED(status) else f"exit status {number}"
        raise ParserCrashed(f"the parser crashed on this document ({name}); it is probably nested too deeply")
    report = pickle.loads(received)  # written by our own child a moment ago
    if report[0] == "syntax":
        error = SyntaxError(report[1])
        error.lineno, error.offset = report[2], report[3]
        raise error
    if report[0] == "value":
        raise ValueError(report[1])
    return list(ox.parse(report[1], ox.RdfFormat.N_QUADS))
