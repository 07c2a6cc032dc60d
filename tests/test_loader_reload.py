"""Loading again replaces a source, unloading removes it exactly, and every load is recorded.

The demo is loaded once per module into a store built by `init` and `load`; tests that change the
store work on a copy of that store directory (no process holds it open), so each starts from
"init, then the demo loaded" without paying for the load again.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Literal, URIRef

from innograph.cli import main
from innograph.config import Settings
from innograph.store import open_store
from innograph.store.copying import copy_store

from .backends import Stores, same_dataset

pytestmark = pytest.mark.backends

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SMALL = Path(__file__).parent / "fixtures" / "loader" / "small"
TABLES = ("organisations", "projects", "participation", "funding")
PREFIXES = """PREFIX ig: <https://w3id.org/innograph/def/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
LOAD_RECORD = PREFIXES + """
SELECT ?load ?started ?ended ?rows ?triples ?version ?mapping WHERE { GRAPH ?prov {
  ?g prov:wasGeneratedBy ?load .
  ?load a prov:Activity , ig:Load ; prov:startedAtTime ?started ; prov:endedAtTime ?ended ; ig:rowsRead ?rows ;
        ig:triplesWritten ?triples ; ig:loaderVersion ?version ; ig:mappingUsed ?mapping } }
"""

XSD_DATETIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")

Cli = Callable[..., Result]


@dataclass(frozen=True)
class Snapshot:
    """A store with the demo loaded, and what the store held just before that load."""

    settings: Settings
    dump_before_load: bytes

    @property
    def graph(self) -> str:
        return self.settings.graphs.source("demo")


def csv_rows(folder: Path, table: str) -> list[list[str]]:
    """The data rows of one table (header and empty rows left out)."""
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return [row for row in list(csv.reader(handle))[1:] if any(cell.strip() for cell in row)]


@pytest.fixture(scope="module")
def snapshot(stores: Stores) -> Snapshot:
    settings = Settings(store=stores.shared("reload"))
    runner = CliRunner()

    def run(*args: str) -> Result:
        result = runner.invoke(main, ["--store", settings.store, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    run("init")
    before = run("dump", "--format", "nquads").stdout_bytes
    run("load", str(DEMO))
    return Snapshot(settings, before)


@pytest.fixture
def demo_loaded(settings: Settings, snapshot: Snapshot) -> Snapshot:
    """This test's own store (the `cli` fixture's) as a copy of the snapshot."""
    copy_store(open_store(snapshot.settings.store), open_store(settings.store))
    return snapshot


def load_record(settings: Settings, graph: str) -> dict:
    rows = open_store(settings.store).query(LOAD_RECORD, {"prov": URIRef(settings.graphs.provenance),
                                                          "g": URIRef(graph)}).records()
    assert len(rows) == 1, rows
    return rows[0]


# --- loading again, changing, unloading -------------------------------------------------------

def test_loading_the_demo_twice_leaves_the_triple_count_unchanged(
        cli: Cli, settings: Settings, demo_loaded: Snapshot) -> None:
    store = open_store(settings.store)
    first = store.triple_count()

    result = cli("load", str(DEMO))

    assert result.exit_code == 0, result.output
    assert store.triple_count() == first
    load_record(settings, demo_loaded.graph)  # still exactly one record of the load that wrote the graph


def test_loading_a_changed_copy_replaces_what_that_source_said(
        cli: Cli, settings: Settings, demo_loaded: Snapshot, tmp_path: Path) -> None:
    changed = tmp_path / "demo"
    shutil.copytree(DEMO, changed)
    with open(changed / "projects.csv", encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    code, old_title = rows[9][header.index("code")], rows[9][header.index("title_en")]
    new_title = f"{old_title}, second phase"
    rows[9][header.index("title_en")] = new_title
    with open(changed / "projects.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])

    result = cli("load", str(changed))

    assert result.exit_code == 0, result.output
    store = open_store(settings.store)
    assert not store.query("ASK { ?s ?p ?title }", {"title": Literal(old_title, lang="en")}).boolean
    english = store.query(PREFIXES + "SELECT ?label WHERE { GRAPH ?g { ?p ig:code ?code ; rdfs:label ?label } "
                          "FILTER(LANG(?label) = 'en') }",
                          {"g": URIRef(demo_loaded.graph), "code": Literal(code)}).column("label")
    assert english == [Literal(new_title, lang="en")]


def test_unloading_returns_the_store_to_exactly_its_state_before_the_load(
        cli: Cli, settings: Settings, demo_loaded: Snapshot) -> None:
    result = cli("unload", demo_loaded.graph)

    assert result.exit_code == 0, result.output
    after = cli("dump", "--format", "nquads").stdout_bytes
    assert same_dataset(after, demo_loaded.dump_before_load)


@pytest.mark.embedded_only
def test_a_dry_run_writes_nothing(cli: Cli, settings: Settings, demo_loaded: Snapshot) -> None:
    store_dir = Path(settings.store)
    before = cli("dump", "--format", "nquads").stdout_bytes
    current = (store_dir / "CURRENT").read_text(encoding="utf-8")
    generations = sorted(p.name for p in (store_dir / "generations").iterdir())

    result = cli("load", "--dry-run", str(SMALL))

    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == before
    assert (store_dir / "CURRENT").read_text(encoding="utf-8") == current
    assert sorted(p.name for p in (store_dir / "generations").iterdir()) == generations
    assert settings.graphs.source("small") not in open_store(settings.store).named_graphs()


# --- provenance -------------------------------------------------------------------------------

def test_the_load_is_recorded_as_a_prov_activity_with_its_start_and_end(snapshot: Snapshot) -> None:
    record = load_record(snapshot.settings, snapshot.graph)
    assert record["started"].datatype == record["ended"].datatype == XSD_DATETIME
    started, ended = record["started"].toPython(), record["ended"].toPython()
    assert isinstance(started, datetime) and isinstance(ended, datetime)
    assert started <= ended


def test_the_load_record_counts_the_rows_read_and_the_triples_written(snapshot: Snapshot) -> None:
    record = load_record(snapshot.settings, snapshot.graph)
    rows = sum(len(csv_rows(DEMO, table)) for table in TABLES)
    triples = open_store(snapshot.settings.store).query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(snapshot.graph)}).rows[0][0]
    assert int(record["rows"]) == rows
    assert int(record["triples"]) == int(triples) > rows


def test_the_load_record_names_the_loader_version_and_the_mapping(snapshot: Snapshot) -> None:
    record = load_record(snapshot.settings, snapshot.graph)
    assert str(record["version"]) == version("innograph")
    assert str(record["mapping"]) == "mapping.yaml"  # the demo folder's own mapping


def test_each_csv_file_is_recorded_with_its_name_sha256_and_size(snapshot: Snapshot) -> None:
    expected = {(path.name, hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)
                for path in DEMO.glob("*.csv")}
    files = open_store(snapshot.settings.store).query(PREFIXES + """
        SELECT ?file ?name ?sha ?size WHERE { GRAPH ?prov {
          ?g prov:wasGeneratedBy ?load . ?load prov:used ?file .
          ?file a ig:SourceFile ; dcterms:title ?name ; ig:sha256 ?sha ; ig:byteSize ?size } }""",
        {"prov": URIRef(snapshot.settings.graphs.provenance), "g": URIRef(snapshot.graph)}).rows
    assert len(files) == len(expected) == 4
    assert {(str(name), str(sha), int(size)) for _, name, sha, size in files} == expected


def test_innograph_graphs_lists_the_source_graph_with_its_files(cli: Cli, demo_loaded: Snapshot) -> None:
    result = cli("graphs")

    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if f"<{demo_loaded.graph}>" in line)
    assert all(path.name in line for path in DEMO.glob("*.csv"))


def test_the_demo_graph_says_that_it_is_synthetic(snapshot: Snapshot) -> None:
    descriptions = open_store(snapshot.settings.store).query(
        PREFIXES + "SELECT ?d WHERE { ?g dcterms:description ?d }", {"g": URIRef(snapshot.graph)}).column("d")
    assert any("SYNTHETIC" in str(d) for d in descriptions)


@pytest.mark.parametrize("graph", ["not an iri", "https://w3id.org/innograph/id/graph/ontology"])
def test_a_graph_that_is_not_an_iri_or_belongs_to_innograph_is_refused(cli: Cli, graph: str) -> None:
    assert cli("init").exit_code == 0
    before = cli("dump", "--format", "nquads").stdout_bytes
    result = cli("load", "--graph", graph, str(SMALL))
    assert result.exit_code == 1
    assert "--graph" in result.output and "Traceback" not in result.output
    assert cli("dump", "--format", "nquads").stdout_bytes == before
