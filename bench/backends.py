"""Store-backend benchmark: one generated portfolio loaded into each store through innograph, and the
analyst query library timed on each, in one run.

Stores: the embedded store (on disk, queried from disk as `innograph run` does, and from the
in-memory copy the service uses), the Oxigraph server and Virtuoso, the servers started on free
loopback ports with databases of their own by the tests' launchers (tests/servers.py). For each
store it prints the time of `innograph init` plus `innograph load` of the portfolio (entailments
and SHACL checks included), then the median time of every named query with its default
parameters, run through the library (binding, IRI checks, parsing) as `innograph run` runs it.
The embedded store on disk is the baseline: each other column's ratio to it is printed too.

    .venv/bin/python bench/backends.py [--projects 34000] [--repeat 5] [--stores embedded,memory,oxigraph,virtuoso]

34,000 projects is about one million asserted triples (two million with entailments).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from measuring import median_ms  # bench/ is the script's folder, first on sys.path

sys.path.insert(0, str(Path(__file__).parents[1]))  # the tests' server launchers

from innograph.queries.catalogue import load_library
from innograph.queries.running import prepare, run_plain
from innograph.store import open_reader
from tests.servers import oxigraph_server, virtuoso_server

CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]
REQUIRED = {"base": "B1"}


LOAD_TIMEOUT = 3600
"""Seconds a server may take over one request of a load: at a million triples one entailment rule's
INSERT runs longer than the store's default time-out of 60 s, and so may the slowest queries."""


def with_long_timeout(location: str) -> str:
    """A server location whose requests may run for LOAD_TIMEOUT seconds (a directory is unchanged)."""
    return location + f"&timeout={LOAD_TIMEOUT}" if "://" in location else location


def load_seconds(location: str, portfolio: Path) -> float:
    location = with_long_timeout(location)
    started = time.perf_counter()
    for args in (["init"], ["load", "--quiet", str(portfolio)]):
        done = subprocess.run([*CLI, "--store", location, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"innograph {' '.join(args)} failed on {location}:\n{done.stderr or done.stdout}")
    return time.perf_counter() - started


def query_medians(location: str, in_memory: bool, repeat: int) -> dict[str, float]:
    reader = open_reader(with_long_timeout(location), in_memory)

    def engine(sparql: str, media_type: str) -> bytes:
        return reader.serialized_query(sparql, None, media_type, "text/turtle")[2]

    leader = prepare(load_library()["leading-organisations"], {"limit": "1"}, engine)
    required = dict(REQUIRED, organisation=run_plain(leader, engine)[1][0]["organisation"])
    medians = {}
    for name, query in load_library().items():
        given = {p.name: required[p.name] for p in query.parameters if p.required}
        medians[name] = median_ms(lambda q=query, g=given: run_plain(prepare(q, g, engine), engine), repeat)
        print(f"  {name:<32} {medians[name]:9.1f} ms", flush=True)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=34_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", default="embedded,memory,oxigraph,virtuoso")
    args = parser.parse_args()
    wanted = args.stores.split(",")
    loads: dict[str, float] = {}
    medians: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="innograph-backends-") as folder, ExitStack() as servers:
        work = Path(folder)
        portfolio = work / "portfolio"
        subprocess.run([*CLI, "generate", "--projects", str(args.projects), "--seed", "1", str(portfolio)],
                       check=True, capture_output=True)
        locations = {"embedded": str(work / "store")}
        if "oxigraph" in wanted:
            locations["oxigraph"] = servers.enter_context(oxigraph_server(work / "oxigraph")).location
        if "virtuoso" in wanted:
            locations["virtuoso"] = servers.enter_context(virtuoso_server(work / "virtuoso")).location
        for name, location in locations.items():
            if name in wanted or (name == "embedded" and "memory" in wanted):
                print(f"loading {args.projects} projects into {name}...", flush=True)
                loads[name] = load_seconds(location, portfolio)
                print(f"  {loads[name]:.1f} s", flush=True)
        for name in wanted:
            print(f"querying {name}...", flush=True)
            location = locations["embedded" if name == "memory" else name]
            medians[name] = query_medians(location, name == "memory", args.repeat)
    columns = [n for n in wanted if n in medians]
    base = "embedded" if "embedded" in columns else columns[0]
    print("\nload (init + load, s): " + ", ".join(f"{n} {s:.1f}" for n, s in loads.items()))
    print(f"\n{'query (median ms)':<32} " + " ".join(f"{n:>10}" for n in columns)
          + "   " + " ".join(f"{n + '/' + base:>18}" for n in columns if n != base))
    for query in medians[base]:
        figures = " ".join(f"{medians[n][query]:>10.1f}" for n in columns)
        ratios = " ".join(f"{medians[n][query] / medians[base][query]:>18.2f}" for n in columns if n != base)
        print(f"{query:<32} {figures}   {ratios}")


if __name__ == "__main__":
    main()
