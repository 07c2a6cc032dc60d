"""Every negative syntax test of the W3C Turtle, N-Triples and SPARQL suites is refused with a message,
and the store is left exactly as it was.

The cases are the negative entries of the rdf-tests manifests copied unchanged into tests/w3c/negative
(see tests/w3c/negative/SOURCE.md); the list of cases is read from those copies, so it cannot drift
from them. Each test is named `<suite>/<manifest entry>`.

- Turtle and N-Triples (`rdft:TestTurtleNegativeSyntax`, `rdft:TestNTriplesNegativeSyntax`): the file
  is loaded with `innograph load FILE` into an initialised store; the command exits with status 1 and
  one line of its report names the file, the line and the rule `rdf.syntax`, with no traceback. No
  refused load publishes a generation or leaves one half-written, and the store's N-Quads dump is
  byte-identical after all the cases of a suite.
- SPARQL queries (`mf:NegativeSyntaxTest11`, and SPARQL 1.0's `mf:NegativeSyntaxTest`): the text is
  POSTed to /sparql as `application/sparql-query` on a live server; the answer is 400 with the
  service's JSON error and a message.
- SPARQL updates (`mf:NegativeUpdateSyntaxTest11`): POSTed as `application/sparql-update` with the
  write token to a service that takes writes; 400 with the JSON error, and the store unchanged.
  (Four of them contain LOAD and are refused by the service's own check before the engine sees
  them, since an update that does not parse cannot be checked for its LOAD address; the rest, and
  every query, are refused by the engine's parser, whose message gives the line and column.)

A case that does not apply is listed in NOT_APPLICABLE with its reason; the module checks on import
that the cases it runs and the cases it lists are together exactly the manifests' negative tests.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from innograph.bootstrap import initialise
from innograph.cli import main
from innograph.config import Settings
from innograph.service import create_app
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

from .conftest import WRITE_TOKEN, live_server

NEGATIVE = Path(__file__).parent / "w3c" / "negative"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")

LOAD, QUERY, UPDATE = "load", "query", "update"
# How each kind of negative test is run; a negative kind missing here would have to be listed as not applying.
RUN_AS = {
    RDFT.TestTurtleNegativeSyntax: LOAD,
    RDFT.TestNTriplesNegativeSyntax: LOAD,
    MF.NegativeSyntaxTest11: QUERY,
    MF.NegativeSyntaxTest: QUERY,
    MF.NegativeUpdateSyntaxTest11: UPDATE,
}
# Every type of test these manifests may hold that says "this input must be refused".
NEGATIVE_KINDS = {*RUN_AS, RDFT.TestTurtleNegativeEval, RDFT.TestNTriplesNegativeEval}

# The suites copied into tests/w3c/negative, with how many negative tests each manifest lists.
SUITES = {
    "rdf-turtle": 94, "rdf-n-triples": 29,
    "syntax-query": 31, "syntax-update-1": 13, "syntax-update-2": 0,
    "syntax-sparql1": 0, "syntax-sparql2": 0, "syntax-sparql3": 42, "syntax-sparql4": 8, "syntax-sparql5": 0,
}

NOT_APPLICABLE = {
    "syntax-sparql3/syn-bad-26": (
        "`FILTER (?x<?a&&?b>?y)` is refused by SPARQL's longest-token rule (`<?a&&?b>` is an IRIREF token). "
        "pyoxigraph tokenises in context and reads it as `?x < ?a && ?b > ?y`, an engine leniency: the query "
        "is answered (200), harmlessly. test_what_does_not_apply_is_still_answered_without_a_server_error "
        "checks it is never a 5xx."),
}


@dataclass(frozen=True)
class Case:
    """One negative entry of a manifest: its id (`suite/entry`), the file it names and how it is run."""

    id: str
    name: str
    file: Path
    run_as: str | None


def read_negative_cases(suite: str) -> list[Case]:
    """The negative entries of a copied manifest, in its order."""
    manifest = NEGATIVE / suite / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    cases = []
    for node in graph.subjects(RDF.type, MF.Manifest):
        for entry in Collection(graph, graph.value(node, MF.entries)):
            kind = graph.value(entry, RDF.type)
            if kind not in NEGATIVE_KINDS:
                continue
            action = graph.value(entry, MF.action)
            assert isinstance(action, URIRef) and action.startswith("file://"), (entry, action)
            local = re.split(r"[#/]", str(entry))[-1]
            cases.append(Case(f"{suite}/{local}", str(graph.value(entry, MF.name)),
                              Path(urllib.parse.unquote(action.removeprefix("file://"))), RUN_AS.get(kind)))
    return cases


CASES = {suite: read_negative_cases(suite) for suite in SUITES}
ALL = {case.id: case for cases in CASES.values() for case in cases}
RUN = {case_id: case for case_id, case in ALL.items() if case.run_as is not None and case_id not in NOT_APPLICABLE}

assert {suite: len(cases) for suite, cases in CASES.items()} == SUITES, "a manifest's negative tests changed"
assert len(ALL) == sum(SUITES.values()), "two negative entries share an id"
assert set(RUN) | set(NOT_APPLICABLE) == set(ALL), (
    f"negative tests neither run nor listed as not applying: {sorted(set(ALL) - set(RUN) - set(NOT_APPLICABLE))}")
assert not set(RUN) & set(NOT_APPLICABLE)
assert set(NOT_APPLICABLE) <= set(ALL), f"listed but not in a manifest: {sorted(set(NOT_APPLICABLE) - set(ALL))}"
assert all(case.file.is_file() for case in ALL.values()), "a copied test file is missing"


def cases_of(run_as: str) -> list[pytest.param]:
    return [pytest.param(case, id=case.id) for case in RUN.values() if case.run_as == run_as]


def dump(store: Store) -> bytes:
    return store.dump(syntax_for("nquads"))


def generations(settings: Settings) -> list[str]:
    """The generation folders on disk: a refused write leaves no new one behind, whole or half-written."""
    return sorted(p.name for p in (Path(settings.store) / "generations").iterdir())


# ---------------------------------------------------------------------------------------------
# Turtle and N-Triples, through the loader


@dataclass
class LoaderStore:
    settings: Settings
    store: Store
    before: bytes
    generation: str | None
    folders: list[str]


@pytest.fixture(scope="module")
def loader_store(tmp_path_factory: pytest.TempPathFactory) -> LoaderStore:
    """One initialised store for every RDF case, with its dump and generation before any of them."""
    settings = Settings(store=str(tmp_path_factory.mktemp("w3c-negative") / "store"))
    initialise(settings)
    store = open_store(settings.store)
    return LoaderStore(settings, store, dump(store), store.current_generation(), generations(settings))


def load(settings: Settings, path: Path) -> Result:
    """`innograph load --quiet PATH`, catching whatever escapes so that a crash is a failed assertion."""
    return CliRunner().invoke(main, ["--store", settings.store, "load", "--quiet", str(path)])


@pytest.mark.parametrize("case", cases_of(LOAD))
def test_a_negative_rdf_syntax_test_is_refused_by_the_loader_naming_file_and_line(
        case: Case, loader_store: LoaderStore) -> None:
    result = load(loader_store.settings, case.file)

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    placed = [line for line in result.output.splitlines() if str(case.file) in line and "rdf.syntax" in line]
    assert len(placed) == 1, result.output
    line = re.search(r"\bline (\d+)\b", placed[0])
    assert line is not None, placed[0]
    assert 1 <= int(line.group(1)) <= case.file.read_bytes().count(b"\n") + 1, placed[0]
    assert loader_store.store.current_generation() == loader_store.generation
    assert generations(loader_store.settings) == loader_store.folders


def test_the_store_is_byte_identical_after_every_negative_rdf_syntax_test(loader_store: LoaderStore) -> None:
    assert loader_store.before, "the initialised store holds the ontology, shapes and programme"
    assert loader_store.store.current_generation() == loader_store.generation
    assert dump(loader_store.store) == loader_store.before


# ---------------------------------------------------------------------------------------------
# SPARQL queries and updates, through /sparql


@dataclass
class Service:
    base: str
    settings: Settings
    store: Store


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Like conftest's `writable_service` (a live service taking writes with WRITE_TOKEN), once for the
    module: no case may write, so they can share it, which saves a store and a query process per case."""
    settings = Settings(store=str(tmp_path_factory.mktemp("w3c-negative-sparql") / "store"), write_token=WRITE_TOKEN)
    initialise(settings)
    app = create_app(settings)
    with live_server(app) as base:
        yield Service(base, settings, open_store(settings.store))
    app.extensions["innograph.executor"].close()


@dataclass(frozen=True)
class Snapshot:
    dump: bytes
    generation: str | None
    folders: list[str]


@pytest.fixture(scope="module")
def service_before(service: Service) -> Snapshot:
    """The service store's dump, generation and generation folders before any update case."""
    return Snapshot(dump(service.store), service.store.current_generation(), generations(service.settings))


def post(base: str, content_type: str, body: bytes, token: str | None = None) -> tuple[int, dict, bytes]:
    url = urllib.parse.urlsplit(base)
    headers = {"Content-Type": content_type, "Accept": "application/sparql-results+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("POST", "/sparql", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def assert_json_400(status: int, headers: dict, body: bytes) -> None:
    assert status == 400, (status, body[:500])
    assert headers["Content-Type"].startswith("application/json"), headers
    error = json.loads(body)
    assert set(error) == {"error", "status", "message"}, error
    assert error["status"] == 400 and error["error"] and error["message"].strip(), error


@pytest.mark.parametrize("case", cases_of(QUERY))
def test_a_negative_sparql_query_syntax_test_is_answered_400_with_the_json_error(
        case: Case, service: Service) -> None:
    assert_json_400(*post(service.base, "application/sparql-query", case.file.read_bytes()))


@pytest.mark.parametrize("case", cases_of(UPDATE))
def test_a_negative_sparql_update_syntax_test_is_answered_400_and_writes_nothing(
        case: Case, service: Service, service_before: Snapshot) -> None:
    assert_json_400(*post(service.base, "application/sparql-update", case.file.read_bytes(), WRITE_TOKEN))
    assert service.store.current_generation() == service_before.generation
    assert generations(service.settings) == service_before.folders


def test_the_store_is_byte_identical_after_every_negative_update_syntax_test(
        service: Service, service_before: Snapshot) -> None:
    assert service_before.dump, "the initialised store holds the ontology, shapes and programme"
    assert service.store.current_generation() == service_before.generation
    assert dump(service.store) == service_before.dump


@pytest.mark.parametrize("case_id", sorted(NOT_APPLICABLE))
def test_what_does_not_apply_is_still_answered_without_a_server_error(case_id: str, service: Service) -> None:
    case = ALL[case_id]
    content_type = "application/sparql-update" if case.run_as == UPDATE else "application/sparql-query"
    status, _, body = post(service.base, content_type, case.file.read_bytes(),
                           WRITE_TOKEN if case.run_as == UPDATE else None)
    assert status < 500, body[:500]
