"""Parsers and SPARQL never reach out, never read a local file and never blow up; pages never serve one.

Two sentinels watch: a socket listening on 127.0.0.1 that counts the connections it accepts, and a
named pipe standing in for a local file, which counts every process that opens it to read (and
would hand it a marker that must then never show up in an answer or in the store). The service
runs under `innograph serve` (gunicorn); the loader runs through the real command line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from innograph.bootstrap import initialise
from innograph.cli import main
from innograph.config import Settings
from innograph.store import open_store
from innograph.store.rdfio import syntax_for

from .conftest import WRITE_TOKEN
from .test_hardening_queries import Answer, fetch, innograph_serve, sparql
from .test_linked_data import fetch as fetch_as_written

MARKER = "hardening-marker-6f1d0c"
PASSWD = "root:x:0:0"
GRAPH = "https://example.org/graph/hardening"
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


class Listener:
    """A socket listening on 127.0.0.1 that accepts and counts every connection, keeping what was sent."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.received: list[bytes] = []
        self._open = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._open:
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(4096))
                except OSError:
                    self.received.append(b"")

    def assert_untouched(self) -> None:
        time.sleep(0.3)  # a connection made just before the answer is accepted by now
        assert self.received == [], f"the listener was contacted: {self.received}"

    def close(self) -> None:
        self._open = False
        self._thread.join()
        self._socket.close()


class FileTrap:
    """A named pipe in place of a local file: each process that opens it to read is counted and gets MARKER."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "secret.txt"
        os.mkfifo(self.path)
        self.uri = self.path.as_uri()
        self.folder_uri = folder.as_uri() + "/"
        self.opened = 0
        self._closing = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            with open(self.path, "w", encoding="utf-8") as pipe:  # returns when a reader opens the pipe
                if self._closing:
                    return
                self.opened += 1
                pipe.write(MARKER)

    def assert_untouched(self) -> None:
        assert self.opened == 0, f"{self.path} was opened {self.opened} time(s)"

    def close(self) -> None:
        self._closing = True
        os.close(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK))  # releases the waiting writer
        self._thread.join(timeout=5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    watching = Listener()
    yield watching
    watching.close()


@pytest.fixture
def trap(tmp_path: Path) -> Iterator[FileTrap]:
    watching = FileTrap(tmp_path)
    yield watching
    watching.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen, str]]:
    """`innograph serve` over a fresh store that takes writes with WRITE_TOKEN: (URL, master process, store)."""
    folder = tmp_path_factory.mktemp("hardening-parsers")
    settings = Settings(store=str(folder / "store"))
    initialise(settings)
    with innograph_serve(settings.store, folder / "serve.log", write_token=WRITE_TOKEN, query_timeout=5) as served:
        yield served[0], served[1], settings.store


@pytest.fixture(scope="module")
def base(service: tuple[str, subprocess.Popen, str]) -> str:
    return service[0]


@pytest.fixture(scope="module")
def loader_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store initialised once; refused loads write nothing, accepted ones each write their own graph."""
    settings = Settings(store=str(tmp_path_factory.mktemp("hardening-loader") / "store"))
    initialise(settings)
    return settings.store


def load(store: str, path: Path, *options: str) -> tuple[int, str, float]:
    """Run `innograph load` in this process: (exit status, output, seconds)."""
    started = time.monotonic()
    arguments = ["--store", store, "load", "--quiet", *options, str(path)]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    return result.exit_code, result.output, time.monotonic() - started


def dump(store: str) -> bytes:
    return open_store(store).dump(syntax_for("nquads"))


def write_graph(base: str, body: bytes, content_type: str, method: str = "PUT", graph: str = GRAPH) -> Answer:
    request = urllib.request.Request(f"{base}/rdf-graph-store?{urllib.parse.urlencode({'graph': graph})}",
                                     data=body, method=method,
                                     headers={"Content-Type": content_type, "Authorization": f"Bearer {WRITE_TOKEN}"})
    return fetch(request)


def multipart(body: bytes, content_type: str, filename: str) -> tuple[bytes, str]:
    boundary = "hardening-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + body + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def update(base: str, text: str) -> Answer:
    request = urllib.request.Request(f"{base}/sparql", data=text.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {WRITE_TOKEN}"})
    return fetch(request)


def assert_nothing_leaked(*bodies: bytes | str) -> None:
    for body in bodies:
        text = body if isinstance(body, str) else body.decode("utf-8", errors="replace")
        assert MARKER not in text and PASSWD not in text


def assert_json_error(answer: Answer, status: int, *words: str) -> None:
    assert answer.status == status, answer.body
    error = answer.json()
    assert set(error) == {"error", "status", "message"}
    for word in words:
        assert word in error["message"]


# --- RDF/XML: no entity declared in a DOCTYPE is ever expanded or resolved -------------------------------------

def rdf_xml(internal_subset: str, value: str = "&x;") -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{internal_subset}]>\n<rdf:RDF {RDF_NS}>\n'
            f'  <rdf:Description rdf:about="http://example.org/x"><ex:p>{value}</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n").encode()


LAUGHS = '<!ENTITY x0 "ha!">' + "".join(f'<!ENTITY x{i} "{f"&x{i - 1};" * 10}">' for i in range(1, 10)) + \
    '<!ENTITY x "&x9;">'
"""The billion laughs: 3 bytes declared ten times over at nine levels, 3 GB once expanded."""

HOSTILE_RDF_XML: dict[str, Callable[[Listener, FileTrap], bytes]] = {
    "an external entity naming a local file": lambda listener, trap: rdf_xml(f'<!ENTITY x SYSTEM "{trap.uri}">'),
    "an external entity naming /etc/passwd": lambda listener, trap: rdf_xml('<!ENTITY x SYSTEM "file:///etc/passwd">'),
    "an external entity on the network": lambda listener, trap: rdf_xml(f'<!ENTITY x SYSTEM "{listener.url}/e">'),
    "a parameter entity on the network":
        lambda listener, trap: rdf_xml(f'<!ENTITY % p SYSTEM "{listener.url}/dtd"> %p;', "x"),
    "the billion laughs": lambda listener, trap: rdf_xml(LAUGHS),
}


@pytest.mark.parametrize("name", [n for n in HOSTILE_RDF_XML if n != "the billion laughs"])  # laughs: test_loader_rdf
def test_the_loader_refuses_rdf_xml_declaring_an_entity_quickly_and_reads_nothing(
        name: str, loader_store: str, listener: Listener, trap: FileTrap, tmp_path: Path) -> None:
    source = tmp_path / "hostile.rdf"
    source.write_bytes(HOSTILE_RDF_XML[name](listener, trap))
    before = dump(loader_store)
    status, output, seconds = load(loader_store, source)
    assert status == 1 and "hostile.rdf, line 2" in output and "entities" in output
    assert seconds < 5
    assert dump(loader_store) == before
    assert_nothing_leaked(output)
    trap.assert_untouched()
    listener.assert_untouched()


@pytest.mark.parametrize("name", HOSTILE_RDF_XML)
@pytest.mark.parametrize("how", ["PUT", "multipart POST"])
def test_the_graph_store_refuses_rdf_xml_declaring_an_entity_quickly_and_reads_nothing(
        name: str, how: str, base: str, listener: Listener, trap: FileTrap) -> None:
    document = HOSTILE_RDF_XML[name](listener, trap)
    if how == "PUT":
        answer = write_graph(base, document, "application/rdf+xml")
    else:
        answer = write_graph(base, *multipart(document, "application/rdf+xml", "hostile.rdf"), method="POST")
    assert_json_error(answer, 400, "entities", "line 2")
    assert answer.seconds < 2
    assert fetch(f"{base}/rdf-graph-store?{urllib.parse.urlencode({'graph': GRAPH})}").status == 404
    assert_nothing_leaked(answer.body)
    trap.assert_untouched()
    listener.assert_untouched()


@pytest.mark.parametrize("target", ["network", "file"])
def test_an_external_dtd_is_never_fetched(target: str, base: str, listener: Listener, trap: FileTrap) -> None:
    system = f"{listener.url}/rdf.dtd" if target == "network" else trap.uri
    document = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{system}">\n<rdf:RDF {RDF_NS}>\n'
                '  <rdf:Description rdf:about="http://example.org/x"><ex:p>x</ex:p></rdf:Description>\n</rdf:RDF>\n')
    answer = write_graph(base, document.encode(), "application/rdf+xml", graph=f"{GRAPH}/dtd-{target}")
    assert answer.status in (201, 204, 400), answer.body
    assert_nothing_leaked(answer.body)
    trap.assert_untouched()
    listener.assert_untouched()


# --- JSON-LD: no context is ever fetched ------------------------------------------------------------------------

def json_ld(name: str, listener: Listener, trap: FileTrap) -> bytes:
    remote = f"{listener.url}/context.jsonld"
    documents = {
        "a context URL": {"@context": remote, "@id": "http://example.org/x", "name": "x"},
        "a context array": {"@context": [{"a": "http://example.org/a"}, remote], "@id": "http://example.org/x"},
        "an @import": {"@context": {"@version": 1.1, "@import": remote}, "@id": "http://example.org/x", "name": "x"},
        "a property-scoped context": {
            "@context": {"@version": 1.1, "p": {"@id": "http://example.org/p", "@context": remote}},
            "@id": "http://example.org/x", "p": {"@id": "http://example.org/y", "name": "y"}},
        "a type-scoped context": {
            "@context": {"@version": 1.1, "T": {"@id": "http://example.org/T", "@context": remote}},
            "@id": "http://example.org/x", "@type": "T", "name": "x"},
        "a context in a nested node": {"@id": "http://example.org/x",
                                       "http://example.org/p": {"@context": remote, "@id": "http://example.org/y"}},
        "a context naming a local file": {"@context": trap.uri, "@id": "http://example.org/x", "name": "x"},
    }
    return json.dumps(documents[name]).encode()


CONTEXTS = ["a context URL", "a context array", "an @import", "a property-scoped context", "a type-scoped context",
            "a context in a nested node", "a context naming a local file"]


@pytest.mark.parametrize("name", CONTEXTS)
def test_the_graph_store_never_fetches_a_json_ld_context(name: str, base: str, listener: Listener,
                                                          trap: FileTrap) -> None:
    answer = write_graph(base, json_ld(name, listener, trap), "application/ld+json")
    assert_json_error(answer, 400, "context")
    assert_nothing_leaked(answer.body)
    trap.assert_untouched()
    listener.assert_untouched()


@pytest.mark.parametrize("name", CONTEXTS[1:])  # a plain context URL: test_loader_rdf
def test_the_loader_never_fetches_a_json_ld_context(name: str, loader_store: str, listener: Listener, trap: FileTrap,
                                                     tmp_path: Path) -> None:
    source = tmp_path / "remote.jsonld"
    source.write_bytes(json_ld(name, listener, trap))
    before = dump(loader_store)
    status, output, _ = load(loader_store, source)
    assert status == 1 and "remote.jsonld" in output
    assert dump(loader_store) == before
    trap.assert_untouched()
    listener.assert_untouched()


# --- a base or prefix pointing at file: is only a name -----------------------------------------------------------

def file_named(syntax: str, trap: FileTrap) -> tuple[bytes, str, str]:
    """A document whose base (or prefix) is the trap's folder or /etc, naming the trap and /etc/passwd:
    (body, media type, file extension)."""
    name = trap.path.name
    if syntax == "turtle":
        text = (f"@base <{trap.folder_uri}> .\n@prefix secret: <{trap.uri}#> .\n@prefix etc: <file:///etc/passwd> .\n"
                f"<{name}> secret:p <{name}> .\n<../../../../etc/passwd> etc: etc:shadow .\n")
        return text.encode(), "text/turtle", ".ttl"
    if syntax == "trig":
        text = (f"@base <{trap.folder_uri}> .\n@prefix etc: <file:///etc/> .\n"
                f"<graph> {{ <{name}> <{name}> etc:passwd . }}\n")
        return text.encode(), "application/trig", ".trig"
    if syntax == "json-ld":
        document = {"@context": {"@base": trap.folder_uri, "@vocab": f"{trap.uri}#"}, "@id": name, "p": {"@id": name}}
        return json.dumps(document).encode(), "application/ld+json", ".jsonld"
    text = (f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS} xml:base="{trap.folder_uri}">\n'
            f'  <rdf:Description rdf:about="{name}"><ex:p rdf:resource="file:///etc/passwd"/></rdf:Description>\n'
            "</rdf:RDF>\n")
    return text.encode(), "application/rdf+xml", ".rdf"


FILE_BASES = ["turtle", "trig", "json-ld", "rdf/xml"]


@pytest.mark.parametrize("syntax", FILE_BASES)
def test_a_file_base_or_prefix_in_an_upload_is_a_name_and_reads_nothing(
        syntax: str, service: tuple[str, subprocess.Popen, str], trap: FileTrap) -> None:
    base, _, store = service
    body, media_type, _ = file_named(syntax, trap)
    graph = f"{GRAPH}/file-base-{syntax.replace('/', '-')}"
    answer = write_graph(base, body, media_type, graph=graph)
    assert answer.status in (201, 204, 400), answer.body
    if answer.status != 400:
        written = fetch(urllib.request.Request(f"{base}/rdf-graph-store?{urllib.parse.urlencode({'graph': graph})}",
                                               headers={"Accept": "application/n-triples"}))
        assert f"<{trap.uri}>" in written.body.decode()  # the file's name is stored as a name
        assert_nothing_leaked(written.body)
    assert_nothing_leaked(answer.body, dump(store))
    trap.assert_untouched()


@pytest.mark.parametrize("syntax", FILE_BASES)
def test_a_file_base_or_prefix_in_a_loaded_file_is_a_name_and_reads_nothing(
        syntax: str, loader_store: str, trap: FileTrap, tmp_path: Path) -> None:
    body, _, extension = file_named(syntax, trap)
    source = tmp_path / f"file-base{extension}"
    source.write_bytes(body)
    graph = f"{GRAPH}/loaded-file-base-{syntax.replace('/', '-')}"
    status, output, _ = load(loader_store, source, "--graph", graph)
    assert status in (0, 1), output
    if status == 0:
        assert trap.uri in dump(loader_store).decode()
    assert_nothing_leaked(output, dump(loader_store))
    trap.assert_untouched()


# --- SPARQL: nothing reaches the network or a file unless allowlisted ---------------------------------------------

QUERIES: dict[str, tuple[str, int]] = {
    "SERVICE naming the listener": ("SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }", 400),
    "SERVICE ?x bound to the listener by VALUES":
        ("SELECT * WHERE { VALUES ?x { <{url}/sparql> } SERVICE ?x { ?s ?p ?o } }", 400),
    "SERVICE naming a local file": ("SELECT * WHERE { SERVICE <{file}> { ?s ?p ?o } }", 400),
    "FROM naming the listener": ("SELECT * FROM <{url}/g> WHERE { ?s ?p ?o }", 200),
    "FROM NAMED naming the listener": ("SELECT * FROM NAMED <{url}/g> WHERE { GRAPH ?g { ?s ?p ?o } }", 200),
    "GRAPH naming the listener": ("SELECT * WHERE { GRAPH <{url}/g> { ?s ?p ?o } }", 200),
    "FROM naming /etc/passwd": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", 200),
    "FROM naming a local file": ("SELECT * FROM <{file}> WHERE { ?s ?p ?o }", 200),
    "DESCRIBE of the listener": ("DESCRIBE <{url}/resource>", 200),
    "standard functions given the addresses": (
        'SELECT * WHERE { BIND(IRI("{url}/iri") AS ?a) BIND(URI("{file}") AS ?b) BIND(STR(IRI("{url}")) AS ?c) '
        'BIND(ENCODE_FOR_URI("{file}") AS ?d) BIND(DATATYPE(STRDT("x", <{url}/type>)) AS ?e) '
        'BIND(<http://www.w3.org/2001/XMLSchema#string>(<{file}>) AS ?f) BIND(isIRI(<{url}>) AS ?g) }', 200),
}


def filled(template: str, listener: Listener, trap: FileTrap) -> str:
    return template.replace("{url}", listener.url).replace("{file}", trap.uri)


@pytest.mark.parametrize("name", QUERIES)
def test_a_query_naming_an_address_is_refused_or_answered_without_fetching_it(
        name: str, base: str, listener: Listener, trap: FileTrap) -> None:
    template, status = QUERIES[name]
    accept = "text/turtle" if template.startswith("DESCRIBE") else "application/sparql-results+json"
    answer = sparql(base, filled(template, listener, trap), accept)
    assert answer.status == status, answer.body
    if status == 400:
        assert "SERVICE" in answer.json()["message"]
    assert_nothing_leaked(answer.body)
    trap.assert_untouched()
    listener.assert_untouched()


def test_iri_of_a_file_name_only_makes_an_iri(base: str) -> None:
    answer = sparql(base, 'SELECT ?x WHERE { BIND(IRI("file:///etc/passwd") AS ?x) }')
    assert answer.status == 200
    assert answer.json()["results"]["bindings"] == [{"x": {"type": "uri", "value": "file:///etc/passwd"}}]


def test_a_function_named_by_an_address_is_never_called(base: str, listener: Listener, trap: FileTrap) -> None:
    """SPARQL 1.1 has no function that dereferences, and pyoxigraph has no extension function: an IRI in the
    place of a function is an unknown function, never a request."""
    for function in (f"{listener.url}/function", trap.uri):
        answer = sparql(base, f"SELECT ?x WHERE {{ BIND(<{function}>(<{listener.url}/argument>) AS ?x) }}")
        assert answer.status >= 400, answer.body
        assert_nothing_leaked(answer.body)
    trap.assert_untouched()
    listener.assert_untouched()


UPDATES: dict[str, tuple[str, tuple[int, ...]]] = {
    "LOAD of the listener": ("LOAD <{url}/data.ttl>", (400,)),
    "LOAD SILENT of the listener into a graph": ("LOAD SILENT <{url}/data.ttl> INTO GRAPH <urn:x:g>", (400,)),
    "LOAD of a local file": ("LOAD <{file}> INTO GRAPH <urn:x:g>", (400,)),
    "LOAD after a harmless operation": ("INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } } ;\n"
                                        "LOAD <{url}/data.ttl>", (400,)),
    "SERVICE inside an update": ("INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } WHERE { SERVICE <{url}/sparql> "
                                 "{ ?s ?p ?o } }", (400,)),
    "ADD from a graph named by the listener": ("ADD SILENT <{url}/g> TO <urn:x:g>", (204, 400)),
    "USING the listener": ("INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } USING <{url}/g> WHERE { ?s ?p ?o }",
                           (204, 400)),
}


@pytest.mark.parametrize("name", UPDATES)
def test_an_update_naming_an_address_is_refused_or_runs_without_fetching_it(
        name: str, service: tuple[str, subprocess.Popen, str], listener: Listener, trap: FileTrap) -> None:
    base, _, store = service
    template, statuses = UPDATES[name]
    before = dump(store)
    answer = update(base, filled(template, listener, trap))
    assert answer.status in statuses, answer.body
    if answer.status == 400:
        assert dump(store) == before
    assert_nothing_leaked(answer.body, dump(store))
    trap.assert_untouched()
    listener.assert_untouched()


ESCAPED_BACKSLASH = '"\\u005C"'
"""A string holding one backslash, written as an escape: SPARQL engines read it so, but rdflib's parser expands
the escape over the whole text first, sees `"\\"`, and reads on to the next quote as one string."""


def test_a_service_that_rdflib_reads_as_part_of_a_string_is_still_refused(base: str, listener: Listener) -> None:
    query = (f"SELECT * WHERE {{ BIND({ESCAPED_BACKSLASH} AS ?x) SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
             ' #" AS ?x) }')
    answer = sparql(base, query)
    listener.assert_untouched()
    assert_json_error(answer, 400, "SERVICE")


def test_a_service_hidden_from_the_keyword_scan_behind_an_unparsable_query_is_still_refused(
        base: str, listener: Listener) -> None:
    deep = "FILTER(" + "(" * 30 + "true" + ")" * 30 + ")"
    query = (f"SELECT * WHERE {{ {deep} BIND(<http://example.org/\\u0041#> AS ?y) "
             f"SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}\n")
    answer = sparql(base, query)
    listener.assert_untouched()
    assert_json_error(answer, 400, "SERVICE")


def test_a_load_that_rdflib_reads_as_part_of_a_string_is_still_refused(
        service: tuple[str, subprocess.Popen, str], listener: Listener) -> None:
    base, _, store = service
    before = dump(store)
    text = (f"INSERT DATA {{ GRAPH <urn:x:g> {{ <urn:x:s> <urn:x:p> {ESCAPED_BACKSLASH} }} }} ; "  # one line: rdflib's
            f'LOAD <{listener.url}/data.ttl> INTO GRAPH <urn:x:h> #" }} }}\n')  # "..." strings hold no line break
    answer = update(base, text)
    listener.assert_untouched()
    assert_json_error(answer, 400, "LOAD")
    assert dump(store) == before


# --- pages: traversal gets 404 and no file -----------------------------------------------------------------------

TRAVERSALS = [
    "/dumps/../../etc/passwd", "/dumps/%2e%2e/%2e%2e/etc/passwd", "/dumps/..%2f..%2fetc%2fpasswd",
    "/dumps/..%252f..%252fetc%252fpasswd", "/dumps/%2fetc%2fpasswd",
    "/id/../..", "/id/..%2f..%2fetc%2fpasswd", "/data/..%2f..%2f..%2fetc%2fpasswd",
    "/page/..%2f..%2fetc", "/page/../../etc/passwd", "/page/..%2f..%2f..%2f..%2fpyproject.toml",
    "/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
    "/static/../guard.py", "/static/..%2fguard.py", "/static/%252e%252e/%252e%252e/pyproject.toml",
    "/static/vendor/../../../pyproject.toml", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
    "/rdf-graph-store/../../etc/passwd", "/rdf-graph-store/..%2f..%2fetc%2fpasswd", "/def/../../etc/passwd",
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
    "/resource?iri=file:///etc/group", "/data?iri=file:///etc/group",  # (no such IRI in the store)
]
FILE_CONTENTS = (PASSWD, "[build-system]", "def inspect_query")


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_gets_404_and_no_file(base: str, path: str) -> None:
    for _ in range(3):  # a redirect (werkzeug merges double slashes) is followed, and must stay on this server
        reply = fetch_as_written(base, path, "*/*")
        if reply.status not in (301, 302, 303, 307, 308):
            break
        location = urllib.parse.urlsplit(urllib.parse.urljoin(f"{base}{path}", reply.headers["location"]))
        assert f"{location.scheme}://{location.netloc}" == base
        path = location.path + (f"?{location.query}" if location.query else "")
    assert reply.status in (400, 404), (path, reply.status)
    body = reply.body.decode("utf-8", errors="replace")
    assert not any(content in body for content in FILE_CONTENTS)


# --- an upload that crashes the parser: last, since it takes a web worker down ----------------------------------

NESTED_LISTS = 5000
"""JSON-LD lists nested this deep (65 KB) overflow the stack of pyoxigraph's JSON-LD parser."""


def nested_json_ld() -> bytes:
    return ('{"@id": "http://example.org/x", "http://example.org/p": ' + '{"@list": [' * NESTED_LISTS + '"v"'
            + "]}" * NESTED_LISTS + "}").encode()


def worker_pids(master: subprocess.Popen) -> set[int]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True).stdout
    return {int(pid) for pid in children.split()}


@pytest.fixture(scope="module")
def crashing_upload(service: tuple[str, subprocess.Popen, str]) -> tuple[Answer | OSError, set[int], set[int]]:
    """PUT the nested JSON-LD once: (the answer or the connection error, worker pids before, worker pids after)."""
    base, master, _ = service
    before = worker_pids(master)
    try:
        outcome: Answer | OSError = write_graph(base, nested_json_ld(), "application/ld+json",
                                                graph=f"{GRAPH}/nested")
    except OSError as error:  # the connection was dropped
        outcome = error
    return outcome, before, worker_pids(master)


def test_after_an_upload_that_crashes_the_parser_the_service_answers_and_nothing_was_written(
        service: tuple[str, subprocess.Popen, str], crashing_upload: tuple[Answer | OSError, set[int], set[int]]
) -> None:
    base, master, _ = service
    deadline = time.monotonic() + 15
    while len(worker_pids(master)) < 2 and time.monotonic() < deadline:  # gunicorn replaces a dead worker
        time.sleep(0.2)
    assert fetch(f"{base}/healthz").status == 200
    assert sparql(base, "ASK { ?s ?p ?o }").json()["boolean"] is True
    assert fetch(f"{base}/rdf-graph-store?{urllib.parse.urlencode({'graph': f'{GRAPH}/nested'})}").status == 404


def test_an_upload_that_crashes_the_parser_gets_an_error_answer_and_costs_no_web_worker(
        crashing_upload: tuple[Answer | OSError, set[int], set[int]]) -> None:
    outcome, before, after = crashing_upload
    assert isinstance(outcome, Answer), f"no answer: {outcome!r}"
    assert outcome.status in (400, 413, 503), outcome.body
    assert before == after


@pytest.fixture(scope="module")
def crashing_load(tmp_path_factory: pytest.TempPathFactory, loader_store: str) -> tuple[int, str, bytes, bytes]:
    """`innograph load` of the nested JSON-LD in its own process: (exit status, stderr, dump before, dump after)."""
    source = tmp_path_factory.mktemp("nested") / "nested.jsonld"
    source.write_bytes(nested_json_ld())
    before = dump(loader_store)
    finished = subprocess.run([sys.executable, "-c", "from innograph.cli import main; main()", "--store", loader_store,
                               "load", "--quiet", str(source)], capture_output=True, text=True, timeout=120)
    return finished.returncode, finished.stderr + finished.stdout, before, dump(loader_store)


def test_a_load_that_crashes_the_parser_leaves_the_store_unchanged(
        crashing_load: tuple[int, str, bytes, bytes]) -> None:
    _, _, before, after = crashing_load
    assert before == after


def test_a_load_that_crashes_the_parser_is_reported_as_an_error_of_the_file(
        crashing_load: tuple[int, str, bytes, bytes]) -> None:
    status, output, _, _ = crashing_load
    assert status == 1 and "nested.jsonld" in output, (status, output[-500:])
