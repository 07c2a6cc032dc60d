"""A store on a SPARQL server: copies between stores, journalled writes, failures, lies and locations.

These run in the ordinary (embedded) pass against real servers started here; the loader, service and
query-library tests run on the servers as well with --store-backend (see tests/backends.py).
"""

from __future__ import annotations

import base64
import http.server
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from innograph.cli import main
from innograph.config import Settings, load_settings
from innograph.errors import InputError, StoreError
from innograph.sparql_text import whole_store_operation, without_comments, without_top_limit
from innograph.store import open_store
from innograph.store.copying import copy_store
from innograph.store.location import parse_location, redacted
from innograph.store.rdfio import SYNTAXES, parse_rdf
from innograph.store.remote import RemoteStore
from innograph.store.sparql_client import IncompleteAnswer

from .backends import same_dataset
from .servers import RunningServer, free_port, oxigraph_server, virtuoso_server

DEMO = Path(__file__).parents[1] / "data" / "demo"
CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]
GRAPH = "https://example.org/graph/one"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def nquads(location: str) -> bytes:
    return open_store(location).dump(SYNTAXES["nquads"])


def turtle(text: str) -> object:
    return parse_rdf(text.encode(), SYNTAXES["turtle"], source="test")


@pytest.fixture(scope="module")
def demo_on_disk(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("demo-disk") / "store")
    invoke("--store", store, "init")
    invoke("--store", store, "load", "--quiet", str(DEMO))
    return store


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[RunningServer]:
    with oxigraph_server(tmp_path / "oxigraph") as server:
        yield server


# --- copying between stores -------------------------------------------------------------------------------

def test_copy_from_disk_to_oxigraph_to_virtuoso_and_back_keeps_every_graph_isomorphic(
        demo_on_disk: str, oxigraph: RunningServer, tmp_path: Path) -> None:
    original = nquads(demo_on_disk)
    back = str(tmp_path / "back")
    with virtuoso_server(tmp_path / "virtuoso") as virtuoso:
        invoke("copy", "--from", demo_on_disk, "--to", oxigraph.location)
        invoke("copy", "--from", oxigraph.location, "--to", virtuoso.location)
        output = invoke("copy", "--from", virtuoso.location, "--to", back)
        assert same_dataset(nquads(oxigraph.location), original)
        assert same_dataset(nquads(virtuoso.location), original)
        assert "dba:***@" in output and ":dba@" not in output  # the password is never printed
    assert same_dataset(nquads(back), original)
    assert open_store(back).named_graphs() == open_store(demo_on_disk).named_graphs()


def test_copy_makes_the_target_hold_exactly_the_source_dropping_graphs_only_the_target_had(
        demo_on_disk: str, oxigraph: RunningServer) -> None:
    target = open_store(oxigraph.location)
    with target.transaction() as writer:
        writer.replace_graph("https://example.org/graph/stale", turtle("<urn:a> <urn:b> <urn:c> ."))

    copy_store(open_store(demo_on_disk), target)

    assert target.named_graphs() == open_store(demo_on_disk).named_graphs()


# --- journalled writes -------------------------------------------------------------------------------------

def test_a_failed_transaction_puts_back_what_it_replaced_and_drops_what_it_created(oxigraph: RunningServer) -> None:
    store = open_store(oxigraph.location)
    with store.transaction() as writer:
        writer.replace_graph(GRAPH, turtle("<urn:a> <urn:b> 'old' ."))
    before, version = nquads(oxigraph.location), store.data_version()

    with pytest.raises(RuntimeError, match="half way"), store.transaction() as writer:
        writer.replace_graph(GRAPH, turtle("<urn:a> <urn:b> 'new' ."))
        writer.replace_graph("https://example.org/graph/two", turtle("<urn:x> <urn:y> <urn:z> ."))
        writer.drop_graph(GRAPH)
        raise RuntimeError("half way")

    assert nquads(oxigraph.location) == before
    assert store.named_graphs() == [GRAPH]
    assert store.data_version() != version  # readers may have seen the interim state: caches must not trust it
    assert not [g for g in oxigraph.graphs() if g.startswith("urn:innograph:tx:")]  # no backup or staging left


def test_a_graph_is_uploaded_in_batches_and_blank_nodes_stay_joined(oxigraph: RunningServer) -> None:
    location = oxigraph.location + "&batch=7"
    rows = "\n".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(40))
    content = turtle(rows + "\n<urn:list> <urn:items> ( <urn:a> <urn:b> <urn:c> ) .")
    with open_store(location).transaction() as writer:
        written = writer.replace_graph(GRAPH, content)

    assert written == len(content) == 47
    items = open_store(location).query(
        "SELECT ?item WHERE { <urn:list> <urn:items>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?item }").column("item")
    assert sorted(items) == [URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")]


def test_a_loader_killed_mid_load_leaves_old_data_that_the_next_load_restores_first(
        oxigraph: RunningServer, tmp_path: Path) -> None:
    invoke("--store", oxigraph.location, "init")
    before = nquads(oxigraph.location)
    portfolio = tmp_path / "portfolio"
    invoke("generate", "--projects", "3000", str(portfolio))
    survived = 0
    for delay in (0.5, 1.5, 3.0):
        loader = subprocess.Popen([*CLI, "--store", oxigraph.location, "load", "--quiet", str(portfolio)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        loader.send_signal(signal.SIGKILL)
        loader.wait()
        survived += 1
        invoke("--store", oxigraph.location, "recover")
        assert same_dataset(nquads(oxigraph.location), before)
    assert survived == 3
    invoke("--store", oxigraph.location, "load", "--quiet", str(DEMO))  # and the store takes loads again
    assert Settings().graphs.source("demo") in open_store(oxigraph.location).named_graphs()


def test_a_second_writer_is_refused_while_the_first_runs(oxigraph: RunningServer) -> None:
    store = open_store(oxigraph.location)
    with store.transaction() as writer:
        writer.replace_graph(GRAPH, turtle("<urn:a> <urn:b> <urn:c> ."))
        with pytest.raises(StoreError, match="another process is writing"), store.transaction():
            pass
    with store.transaction() as writer:  # free again once the first has finished
        writer.drop_graph(GRAPH)


# --- servers that fail or lie ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_server_killed_mid_load_keeps_its_live_graphs_and_the_load_reports_the_failure(
        kind: str, tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio"
    invoke("generate", "--projects", "3000", str(portfolio))
    start = oxigraph_server if kind == "oxigraph" else virtuoso_server
    with start(tmp_path / kind) as server:
        location = server.location + "&retries=1&batch=2000"
        invoke("--store", location, "init")
        before = nquads(location)
        loader = subprocess.Popen([*CLI, "--store", location, "load", "--quiet", str(portfolio)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(3.0)
        server.crash()
        output = loader.communicate(timeout=120)[0].decode()
        server.start_again()

        assert loader.returncode == 1 and "cannot reach the store" in output and "Traceback" not in output
        invoke("--store", location, "recover")
        assert same_dataset(nquads(location), before)


def test_transient_failures_are_retried_with_back_off(oxigraph: RunningServer) -> None:
    with proxy(oxigraph, failures=2) as (location, seen):
        assert open_store(location).named_graphs() == []
    assert seen[:3] == [503, 503, 200]


def test_basic_and_bearer_credentials_are_sent_and_a_refusal_is_named(
        oxigraph: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    basic = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    with proxy(oxigraph, authorization=basic) as (location, seen):
        assert open_store(location.replace("//", "//reader:s3cret@", 1)).named_graphs() == []
        with pytest.raises(StoreError, match="refused innograph's credentials") as refused:
            open_store(location.replace("//", "//reader:wrong@", 1)).named_graphs()
        assert "wrong" not in refused.value.message
    assert 200 in seen and 401 in seen
    with proxy(oxigraph, authorization="Bearer t0ken") as (location, seen):
        monkeypatch.setenv("INNOGRAPH_STORE_TOKEN", "t0ken")
        assert open_store(location).named_graphs() == []
    assert seen and set(seen) == {200}


def test_a_redirect_is_not_followed(oxigraph: RunningServer) -> None:
    elsewhere = socket.socket()
    elsewhere.bind(("127.0.0.1", 0))
    elsewhere.listen()
    elsewhere.settimeout(0.5)
    target = f"http://127.0.0.1:{elsewhere.getsockname()[1]}/query"
    with redirecting_server(target) as location, pytest.raises(StoreError, match="redirect"):
        open_store(location).named_graphs()
    with pytest.raises(TimeoutError):
        elsewhere.accept()  # nobody came
    elsewhere.close()


def test_virtuoso_answers_cut_at_its_row_limit_are_refused_as_incomplete_and_never_cached(
        demo_on_disk: str, tmp_path: Path) -> None:
    from innograph.service import create_app

    from .conftest import live_server

    with virtuoso_server(tmp_path / "virtuoso", result_set_max_rows=100) as virtuoso:
        invoke("copy", "--from", demo_on_disk, "--to", virtuoso.location)  # the loader's checks meet the limit too
        with pytest.raises(IncompleteAnswer, match="row limit"):
            open_store(virtuoso.location).query("SELECT * WHERE { ?s ?p ?o }")
        app = create_app(Settings(store=virtuoso.location))
        with live_server(app) as base:
            for _ in range(2):  # the second answer is not a cached copy of a partial first
                status, body = fetch(f"{base}/api/queries/collaboration-network")  # 277 pairs on the demo
                assert status == 502 and b"row limit" in body and b"Traceback" not in body
                status, body = fetch(f"{base}/api/queries/organisations-by-district")  # 9 rows: complete
                assert status == 200
        app.extensions["innograph.executor"].close()


def test_a_virtuoso_query_stopped_at_its_time_limit_is_refused_as_incomplete(tmp_path: Path) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with virtuoso_server(tmp_path / "virtuoso") as virtuoso:
        invoke("--store", virtuoso.location, "init")
        started = time.monotonic()
        with pytest.raises(IncompleteAnswer, match="time or row limit"):
            open_store(virtuoso.location + "&timeout=1").query(endless)
        assert time.monotonic() - started < 30


# --- locations ---------------------------------------------------------------------------------------------

def test_a_location_names_each_endpoint_and_hides_its_password() -> None:
    location = parse_location("sparql+https://reader:s3cret@db.example.org:8443/ds/query?update=/ds/update"
                              "&graph-store=https://db.example.org:8443/ds/data&timeout=5&batch=1000")
    assert location.query_url == "https://db.example.org:8443/ds/query"
    assert location.update_url == "https://db.example.org:8443/ds/update"
    assert location.graph_store_url == "https://db.example.org:8443/ds/data"
    assert (location.auth, location.user, location.timeout, location.batch) == ("basic", "reader", 5.0, 1000)
    assert "s3cret" not in repr(location)
    assert "s3cret" not in redacted("sparql+https://reader:s3cret@db.example.org/ds/query")
    settings = load_settings(environ={"INNOGRAPH_STORE": "sparql+http://u:s3cret@h:1/q"})
    assert "s3cret" not in repr(settings)


def test_the_password_and_token_may_come_from_the_environment() -> None:
    location = parse_location("sparql+http://dba@h:8890/sparql?auth=digest",
                              environ={"INNOGRAPH_STORE_PASSWORD": "from-env"})
    assert (location.auth, location.password) == ("digest", "from-env")
    bearer = parse_location("sparql+http://h/q", environ={"INNOGRAPH_STORE_TOKEN": "t0ken"})
    assert (bearer.auth, bearer.token) == ("bearer", "t0ken")


@pytest.mark.parametrize(("location", "named"), [
    ("sparql+http://h/q?colour=blue", "unknown store options ['colour']"),
    ("sparql+http://h/q?auth=kerberos", "auth is one of"),
    ("sparql+http://h/q?auth=digest", "needs a user and a password"),
    ("sparql+http://h/q?timeout=soon", "are numbers"),
    ("sparql+http://h/q?default-graph=mine", "default-graph is"),
    ("sparql+ftp://h/q", "is not a sparql+http"),
])
def test_a_wrong_location_is_an_error_naming_the_problem(location: str, named: str) -> None:
    with pytest.raises(InputError, match="store") as raised:
        parse_location(location, environ={})
    assert named in raised.value.message


def test_an_unreachable_server_is_a_clear_error_on_the_command_line() -> None:
    result = CliRunner().invoke(main, ["--store", f"sparql+http://127.0.0.1:{free_port()}/q?retries=0", "graphs"])
    assert result.exit_code == 1
    assert "cannot reach the store" in result.output and "Traceback" not in result.output


def test_the_remote_store_is_chosen_by_the_location_alone() -> None:
    assert isinstance(open_store("sparql+http://127.0.0.1:1/query"), RemoteStore)


# --- the text a server is sent ----------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10 OFFSET 5", (10, 5)),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } } ORDER BY ?s LIMIT 7", (7, 0)),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 10", (None, 0)),  # no order: the server's LIMIT is kept
    ("SELECT * WHERE { ?s ?p 'ORDER BY LIMIT 3' } # ORDER BY ?s LIMIT 3", (None, 0)),
])
def test_a_top_level_limit_after_an_order_is_taken_out_to_be_applied_to_the_answer(
        query: str, expected: tuple[int | None, int]) -> None:
    text, limit, offset = without_top_limit(query)
    assert (limit, offset) == expected
    assert ("LIMIT 3" in text) == ("LIMIT 3" in query)  # inner limits, strings and comments stay
    assert (limit is None) == (text == query)


def test_comments_are_taken_out_and_line_numbers_kept() -> None:
    query = "# title: 牵头机构 { \nSELECT * # the rest\nWHERE { ?s ?p '# not a comment' }"
    text = without_comments(query)
    assert text.count("\n") == query.count("\n") and "牵头" not in text and "'# not a comment'" in text


@pytest.mark.parametrize(("update", "whole"), [
    ("DROP ALL", True), ("clear silent named ;", True), ("CLEAR ALL ; DROP SILENT ALL", True),
    ("DROP GRAPH <urn:g>", False), ("DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> }", False),
    ("INSERT DATA { <urn:a> <urn:b> 'DROP ALL' }", False),
])
def test_whole_store_drops_are_recognised_to_be_done_graph_by_graph_on_virtuoso(update: str, whole: bool) -> None:
    assert whole_store_operation(update) is whole


# --- helpers -----------------------------------------------------------------------------------------------


def fetch(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[_Server, threading.Thread]:
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class proxy:  # noqa: N801 - a context manager, named like a function
    """Stands before the real server: answers 503 to the first `failures` requests and 401 to a request without
    the `authorization` header asked for, and passes the others on; records each status it answered."""

    def __init__(self, upstream: RunningServer, failures: int = 0, authorization: str | None = None) -> None:
        self.upstream, self.failures, self.authorization, self.seen = upstream, failures, authorization, []

    def __enter__(self) -> tuple[str, list[int]]:
        import urllib.request

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                refusal = 503 if len(proxy.seen) < proxy.failures else None
                if proxy.authorization and self.headers.get("Authorization") != proxy.authorization:
                    refusal = 401
                if refusal:
                    proxy.seen.append(refusal)
                    self.send_response(refusal)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                request = urllib.request.Request(proxy.upstream.query_url, data=body, headers={
                    "Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]})
                with urllib.request.urlopen(request) as answer:
                    data = answer.read()
                    proxy.seen.append(answer.status)
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.headers["Content-Type"])
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server, _ = _serve(Handler)
        return f"sparql+http://127.0.0.1:{self.server.server_port}/query", self.seen

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()


class redirecting_server:  # noqa: N801
    """Answers every request with a 302 to `target`."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __enter__(self) -> str:
        target = self.target

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server, _ = _serve(Handler)
        return f"sparql+http://127.0.0.1:{self.server.server_port}/query"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()


