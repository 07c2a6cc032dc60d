"""Loader benchmark: the whole pipeline against a raw pyoxigraph bulk load of the same triples.

For generated portfolios of about 100k, 1M and 5M asserted triples it runs, each in its own
process so peak memory is its own: `innograph init` + `innograph load` (read, map, check, write,
infer, validate, publish), then a raw `pyoxigraph.Store(path).bulk_load` of the loaded source
graph's triples into a fresh on-disk store, and prints triples per second, peak RSS and the
ratio of the two times. It also times the two SHACL engines on the smallest portfolio, the
figures behind validating with shapes compiled to SPARQL rather than pyshacl.

    .venv/bin/python bench/load.py                # 100k, 1M and 5M (the 5M run takes a while)
    .venv/bin/python bench/load.py --sizes 100k   # a quick look
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECTS_PER_TRIPLE = 34_000 / 991_225  # measured: 34k generated projects give 991k asserted triples
SIZES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]

RAW_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)
store.flush()
"""

SHACL_ENGINES = """
import sys, time
from rdflib import Graph
from innograph.ontology import load_graph, ontology_file, shapes_file
from innograph.ontology.shacl_sparql import compile_shapes, sparql_violations
from innograph.ontology.validation import violations
from innograph.store import open_store
store = open_store(sys.argv[1])
shapes, ontology = load_graph(shapes_file()), load_graph(ontology_file())
started = time.monotonic()
sparql_violations(store, compile_shapes(shapes))
compiled = time.monotonic() - started
data = Graph()
for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                     "FILTER(!CONTAINS(STR(?g), '/graph/shapes') && !CONTAINS(STR(?g), '/graph/ontology')) }").triples:
    data.add(t)
started = time.monotonic()
violations(data, shapes, ontology)
print(f"{compiled:.2f} {time.monotonic() - started:.2f} {len(data)}")
"""


def run(command: list[str]) -> tuple[float, float, str]:
    """Run a command in its own process: (seconds, its peak RSS in MiB, its stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{' '.join(command[-4:])} failed:\n{err.read().decode()}")
        out.seek(0)
        return elapsed, usage.ru_maxrss / 1024, out.read().decode()


def measure(size: str, work: Path) -> dict[str, float]:
    projects = max(10, round(SIZES[size] * PROJECTS_PER_TRIPLE))
    portfolio, store, raw = work / f"portfolio-{size}", work / f"store-{size}", work / f"raw-{size}"
    subprocess.run([*CLI, "generate", "--projects", str(projects), "--seed", "1", str(portfolio)], check=True,
                   capture_output=True)
    subprocess.run([*CLI, "--store", str(store), "init"], check=True, capture_output=True)
    seconds, rss, said = run([*CLI, "--store", str(store), "load", "--quiet", str(portfolio)])
    graph = f"https://w3id.org/innograph/id/graph/source/{portfolio.name.lower()}"
    triples_file = work / f"{size}.nt"
    subprocess.run([*CLI, "--store", str(store), "dump", "--graph", graph, "--format", "ntriples", "-o",
                    str(triples_file)], check=True)
    triples = triples_file.read_bytes().count(b"\n")
    raw_seconds, raw_rss, _ = run([sys.executable, "-c", RAW_LOAD, str(raw), str(triples_file)])
    return {"projects": projects, "triples": triples, "seconds": seconds, "rss": rss, "raw_seconds": raw_seconds,
            "raw_rss": raw_rss, "store": str(store), "where": "memory" if "in-memory copy" in said else "disk"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as folder:
        work = Path(folder)
        rows = []
        for size in args.sizes:
            print(f"measuring {size} ...", file=sys.stderr, flush=True)
            rows.append((size, measure(size, work)))
        print(f"{'size':>5} {'projects':>8} {'triples':>9} {'load s':>7} {'triples/s':>9} {'peak MiB':>8} "
              f"{'raw s':>6} {'raw MiB':>7} {'ratio':>6} {'worked in':>9}")
        for size, m in rows:
            print(f"{size:>5} {m['projects']:>8} {m['triples']:>9} {m['seconds']:>7.1f} "
                  f"{m['triples'] / m['seconds']:>9.0f} {m['rss']:>8.0f} {m['raw_seconds']:>6.1f} "
                  f"{m['raw_rss']:>7.0f} {m['seconds'] / m['raw_seconds']:>5.1f}x {m['where']:>9}")
        size, smallest = rows[0]
        if SIZES[size] > 1_000_000:
            print("\nSHACL engines not compared: pyshacl needs more than ten minutes beyond 1M triples")
            return
        compiled, pyshacl, data = run([sys.executable, "-c", SHACL_ENGINES, smallest["store"]])[2].split()
        print(f"\nSHACL on the {size} store ({data} triples with entailments): shapes compiled to SPARQL "
              f"{compiled} s, pyshacl {pyshacl} s ({float(pyshacl) / float(compiled):.0f}x slower)")


if __name__ == "__main__":
    main()
