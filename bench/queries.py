"""Query-library benchmark: the per-query median time of every named query on a generated store.

It generates a portfolio of about one million asserted triples (34,000 projects; entailments
roughly double the store), loads it through innograph, and times every query of the library
with its default parameters (and a research base, an organisation where one is required) the
way the service answers it: from the in-memory copy of the store, through the library's
binding, IRI checks and result parsing, first without the service's answer cache (every run
computes the answer) and then as /api/queries/NAME answers JSON: from the cache (the parsed
answer of the same data version is reused) as a first page of 1,000 rows written as JSON. The
baseline, measured in the same run, is the engine alone: the same bound query text run straight
on the same in-memory pyoxigraph store with its result iterated. Printed: the medians, the
uncached library's ratio to the engine, and whether each median is under the goal of 200 ms.
Then the engine's floor: the time pyoxigraph needs for the smallest pieces these questions are
made of (every project; every project with its code; every participation), written as SPARQL
JSON, which no rewriting of a query that needs them can go below.

    .venv/bin/python bench/queries.py [--projects 34000] [--repeat 7] [--store PATH]

`--store PATH` reuses a store already loaded (it must hold the programme and a portfolio).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from measuring import median_ms  # bench/ is the script's folder, first on sys.path

from innograph.queries.cache import ResultCache
from innograph.queries.catalogue import NamedQuery, load_library
from innograph.queries.running import prepare, run_plain
from innograph.store import open_reader

CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]
GOAL_MS = 200.0
PAGE_SIZE = 1000  # the API's default page of JSON rows
REQUIRED = {"base": "B1"}
FLOOR = {
    "every project (1 pattern)": "SELECT ?p WHERE { ?p a ig:Project }",
    "every project and its code (2 patterns)": "SELECT ?p ?c WHERE { ?p a ig:Project ; ig:code ?c }",
    "every participation (1 pattern)": "SELECT ?p ?o WHERE { ?p ig:participant ?o }",
}


def build_store(projects: int, work: Path) -> str:
    portfolio, store = work / "portfolio", work / "store"
    print(f"generating {projects} projects and loading them (a few minutes at 34,000)...", flush=True)
    subprocess.run([*CLI, "generate", "--projects", str(projects), "--seed", "1", str(portfolio)], check=True,
                   capture_output=True)
    subprocess.run([*CLI, "--store", str(store), "init"], check=True, capture_output=True)
    subprocess.run([*CLI, "--store", str(store), "load", "--quiet", str(portfolio)], check=True)
    return str(store)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=34_000, help="portfolio size (34,000 is about 1M triples)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--store", help="an already loaded store to reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as folder:
        store_path = args.store or build_store(args.projects, Path(folder))
        reader = open_reader(store_path, in_memory=True)
        started = time.perf_counter()
        native: ox.Store = reader.native  # builds the in-memory copy, as the service does at start-up
        print(f"in-memory copy of {len(native):,} quads built in {time.perf_counter() - started:.1f} s\n")

        def engine(sparql: str, media_type: str) -> bytes:
            return reader.serialized_query(sparql, None, media_type, "text/turtle")[2]

        leader = prepare(load_library()["leading-organisations"], {"limit": "1"}, engine)
        organisation = run_plain(leader, engine)[1][0]["organisation"]
        required = dict(REQUIRED, organisation=organisation)
        cache = ResultCache()
        cached_engine, cached_rows = cache.wrap(engine, reader.store.data_version), cache.plain(
            engine, reader.store.data_version)

        def first_page(query: NamedQuery, given: dict[str, str]) -> str:
            return json.dumps(cached_rows(prepare(query, given, cached_engine).sparql)[1][:PAGE_SIZE])

        print(f"{'query':<32} {'rows':>6} {'engine ms':>9} {'library ms':>10} {'ratio':>6} {'cached ms':>9}  "
              f"under {GOAL_MS:.0f} ms: uncached, cached")
        for name, query in load_library().items():
            given = {p.name: required[p.name] for p in query.parameters if p.required}
            prepared = prepare(query, given, engine)
            rows = len(run_plain(prepared, engine)[1])
            library = median_ms(lambda q=query, g=given: run_plain(prepare(q, g, engine), engine), args.repeat)
            bare = median_ms(lambda s=prepared.sparql: list(native.query(s, use_default_graph_as_union=True)),
                             args.repeat)
            cached = median_ms(lambda q=query, g=given: first_page(q, g), args.repeat)
            verdicts = ", ".join("yes" if ms < GOAL_MS else "NO" for ms in (library, cached))
            figures = f"{bare:>9.1f} {library:>10.1f} {library / bare:>6.2f} {cached:>9.1f}"
            print(f"{name:<32} {rows:>6} {figures}  {verdicts}", flush=True)
        print("\nthe engine's floor: the pieces these queries are made of, as SPARQL JSON")
        for label, pattern in FLOOR.items():
            text = "PREFIX ig: <https://w3id.org/innograph/def/>\n" + pattern
            rows = len(list(native.query(text, use_default_graph_as_union=True)))
            floor = median_ms(lambda t=text: engine(t, "application/sparql-results+json"), args.repeat)
            print(f"{label:<42} {rows:>6} rows {floor:>7.1f} ms", flush=True)


if __name__ == "__main__":
    main()
