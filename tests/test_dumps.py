"""Dumps at /dumps/: built from the store once per generation, served byte for byte, and the same graphs."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from innograph.bootstrap import initialise
from innograph.cli import main
from innograph.config import Settings
from innograph.service import create_app, dumps
from innograph.store import Store, open_store

from .conftest import WRITE_TOKEN, live_server
from .test_linked_data import fetch

NAMES = ["innograph.nq.gz", "innograph.trig", "innograph.ttl", "innograph.jsonld"]
SERVED_AS = {"innograph.nq.gz": "application/gzip", "innograph.trig": "application/trig",
             "innograph.ttl": "text/turtle", "innograph.jsonld": "application/ld+json"}
GRAPH_PER_NAMED_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


@pytest.fixture(scope="module")
def index(service: str) -> dict:
    reply = fetch(service, "/dumps/", "application/json")
    assert reply.status == 200
    return json.loads(reply.body)


@pytest.fixture(scope="module")
def served(service: str) -> dict[str, bytes]:
    replies = {name: fetch(service, f"/dumps/{name}") for name in NAMES}
    assert all(reply.status == 200 for reply in replies.values())
    return {name: reply.body for name, reply in replies.items()}


def store_graphs(store: Store) -> dict[str, Graph]:
    """Each named graph of the store, read through SPARQL (not through a dump)."""
    found = {}
    for name in store.named_graphs():
        graph = Graph()
        for triple in store.query(GRAPH_PER_NAMED_GRAPH, {"g": URIRef(name)}).triples:
            graph.add(triple)
        found[name] = graph
    return found


def test_index_lists_every_dump_with_the_size_and_sha256_of_the_served_bytes(
        index: dict, served: dict[str, bytes], service: str) -> None:
    assert [f["name"] for f in index["files"]] == NAMES
    for listed in index["files"]:
        body = served[listed["name"]]
        assert listed["size"] == len(body)
        assert listed["sha256"] == hashlib.sha256(body).hexdigest()
        assert listed["url"] == f"{service}/dumps/{listed['name']}"
        assert listed["media_type"] == SERVED_AS[listed["name"]]


def test_index_is_a_page_for_browsers(service: str, index: dict) -> None:
    reply = fetch(service, "/dumps/", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    page = reply.body.decode("utf-8")
    assert all(f["sha256"] in page and f'href="{f["url"]}"' in page for f in index["files"])
    assert "SYNTHETIC DATA" in page
    assert fetch(service, "/dumps/?format=json").headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("name", NAMES)
def test_dump_files_are_served_with_type_length_and_validators(service: str, index: dict, name: str) -> None:
    listed = next(f for f in index["files"] if f["name"] == name)
    reply = fetch(service, f"/dumps/{name}", method="HEAD")
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == SERVED_AS[name]
    assert int(reply.headers["content-length"]) == listed["size"]
    assert reply.headers["etag"] == f'"{listed["sha256"]}"'
    assert "last-modified" in reply.headers
    again = fetch(service, f"/dumps/{name}", headers={"If-None-Match": reply.headers["etag"]})
    assert (again.status, again.body) == (304, b"")


@pytest.mark.parametrize(("name", "syntax"), [("innograph.nq.gz", "nquads"), ("innograph.trig", "trig"),
                                              ("innograph.jsonld", "json-ld")])
def test_dataset_dumps_reload_to_the_same_graphs(served: dict[str, bytes], demo_settings: Settings, name: str,
                                                 syntax: str) -> None:
    body = gzip.decompress(served[name]) if name.endswith(".gz") else served[name]
    reloaded = Dataset()
    reloaded.parse(data=body, format=syntax)
    loaded = {str(g.identifier): g for g in reloaded.graphs() if len(g)}
    expected = store_graphs(open_store(demo_settings.store))
    assert sorted(loaded) == sorted(expected)
    for name_of_graph, graph in expected.items():
        assert isomorphic(loaded[name_of_graph], graph), name_of_graph


def test_turtle_dump_is_the_union_of_the_graphs(served: dict[str, bytes], demo_settings: Settings) -> None:
    union = Graph()
    for triple in open_store(demo_settings.store).query(UNION).triples:
        union.add(triple)
    assert isomorphic(Graph().parse(data=served["innograph.ttl"], format="turtle"), union)


def test_dumps_are_kept_beside_the_store_for_the_current_generation(demo_settings: Settings, index: dict) -> None:
    folder = Path(demo_settings.store) / "dumps" / index["generation"]
    assert index["generation"] == open_store(demo_settings.store).data_version()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*NAMES, "manifest.json"])


@pytest.mark.parametrize("path", ["/dumps/innograph.nt", "/dumps/../CURRENT", "/dumps/%2e%2e/CURRENT",
                                  "/dumps/..%2fCURRENT", "/dumps/manifest.json", "/dumps/build.lock",
                                  "/dumps/innograph.ttl/../innograph.trig", "/dumps/./innograph.ttl"])
def test_other_names_and_traversal_are_404(service: str, path: str) -> None:
    reply = fetch(service, path)
    assert reply.status == 404
    assert set(json.loads(reply.body)) == {"error", "status", "message"}


def test_a_new_generation_gets_new_dumps_and_the_old_ones_go(writable_service: tuple[str, Store]) -> None:
    base, store = writable_service
    first = json.loads(fetch(base, "/dumps/", "application/json").body)
    graph = "https://w3id.org/innograph/id/graph/source/extra"
    body = b'<https://w3id.org/innograph/id/organization/extra> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .'
    put = fetch(base, f"/rdf-graph-store?graph={graph}", method="PUT", body=body,
                headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {WRITE_TOKEN}"})
    assert put.status == 201
    second = json.loads(fetch(base, "/dumps/", "application/json").body)
    assert second["generation"] == store.data_version() != first["generation"]
    folders = sorted(p.name for p in (store.path / "dumps").iterdir() if p.is_dir())
    assert folders == [second["generation"]]
    trig = fetch(base, "/dumps/innograph.trig").body
    assert graph.encode() in trig and hashlib.sha256(trig).hexdigest() == second["files"][1]["sha256"]


def test_simultaneous_first_requests_build_the_dumps_once(writable_service: tuple[str, Store],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    base, _ = writable_service
    builds: list[str] = []
    real_build = dumps._build

    def counted(*args: object) -> object:
        builds.append(str(args[-1]))
        return real_build(*args)

    monkeypatch.setattr(dumps, "_build", counted)
    answers: list[dict] = []
    threads = [threading.Thread(target=lambda: answers.append(json.loads(fetch(base, "/dumps/?format=json").body)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(answers) == 4 and all(answer == answers[0] for answer in answers)


def test_a_long_build_answers_503_with_retry_after_and_finishes_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    initialise(settings)
    started, release = threading.Event(), threading.Event()
    real_build = dumps._build

    def slow(*args: object) -> object:
        started.set()
        release.wait(30)
        return real_build(*args)

    monkeypatch.setattr(dumps, "_build", slow)
    app = create_app(settings, {"DUMPS_WAIT_SECONDS": 0.2})
    try:
        with live_server(app) as base:
            for path in ("/dumps/", "/.well-known/void", "/dumps/innograph.trig"):
                reply = fetch(base, path, "application/json" if path == "/dumps/" else None)
                assert reply.status == 503 and int(reply.headers["retry-after"]) > 0, path
                assert set(json.loads(reply.body)) == {"error", "status", "message"}
            assert started.is_set()
            release.set()
            for _ in range(100):
                if fetch(base, "/dumps/innograph.trig").status == 200:
                    break
                time.sleep(0.1)
            assert fetch(base, "/dumps/innograph.trig").status == 200
    finally:
        release.set()
        app.extensions["innograph.executor"].close()


def test_the_dumps_command_writes_the_files_it_lists(demo_settings) -> None:
    """`innograph dumps` builds what /dumps/ serves and prints each file with its size and SHA-256."""
    result = CliRunner().invoke(main, ["--store", demo_settings.store, "dumps"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert sorted(Path(line.split()[0]).name for line in lines) == sorted(
        ["innograph.nq.gz", "innograph.trig", "innograph.ttl", "innograph.jsonld"])
    for line in lines:
        path, size, _, _, digest = line.split()
        assert Path(path).stat().st_size == int(size)
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
