"""HTTP benchmark: innograph's /sparql against `oxigraph serve` (in memory) on the same data, same run.

It generates a portfolio of about 100k triples, loads it through innograph, starts
`innograph serve` and an in-memory `oxigraph serve --union-default-graph` holding the same
quads, and for three analyst queries (a count per research base, a collaboration query, a label
search) runs a fixed number of requests at 1, 4 and 16 concurrent clients on loopback, printing
requests per second, p50 and p95 latency, and innograph's throughput as a ratio of Oxigraph's:
once as served by default, repeated answers kept per data version ("kept"), and once by a
second service with answer_cache_mb = 0, every answer computed afresh ("computed").

Each cell is measured in several rounds, the servers taking turns in a rotating order, and
requests per second is the median round (single runs on two shared cores varied by +-20%); the
latencies are those of all rounds. "cpu us" is the CPU time the server's processes used per
request, which the benchmark client (Python, on the same two cores) does not blur.

The issue names this script bench/http.py: a script of that name in bench/ would hide the
standard library's `http` package from every script here, so it is bench/endpoint.py.

    .venv/bin/pip install -e ".[bench]"    # the Oxigraph server from PyPI, the baseline
    .venv/bin/python bench/endpoint.py [--requests 500] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from measuring import free_port, process_tree_cpu, wait_for  # bench/ is the script's folder, first on sys.path

CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
PREFIXES = "PREFIX ig: <https://w3id.org/innograph/def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = {
    "count per base": PREFIXES + """SELECT ?base (COUNT(DISTINCT ?project) AS ?projects)
        WHERE { ?base a ig:ResearchBase . OPTIONAL { ?project ig:partOf ?base } } GROUP BY ?base""",
    "collaboration": PREFIXES + """SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?shared)
        WHERE { ?p ig:participant ?a , ?b FILTER(STR(?a) < STR(?b)) }
        GROUP BY ?a ?b ORDER BY DESC(?shared) LIMIT 20""",
    "label search": PREFIXES + """SELECT ?thing ?label WHERE { ?thing rdfs:label ?label
        FILTER(CONTAINS(LCASE(STR(?label)), "tibetan")) } LIMIT 50""",
}






def one_request(url: str) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


@dataclass
class Cell:
    """One server's figures for one query at one concurrency, over all rounds."""

    rounds_rps: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return statistics.median(self.rounds_rps)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / len(self.latencies) * 1e6


def measure(servers: dict[str, tuple[str, int]], query: str, clients: int, requests: int,
            rounds: int) -> dict[str, Cell]:
    """Each server's Cell: `rounds` runs of `requests` GETs spread over `clients` threads, the servers
    taking turns in a rotating order; `servers` maps a name to (endpoint, process id)."""
    cells = {name: Cell() for name in servers}
    urls = {name: f"{endpoint}?{urllib.parse.urlencode({'query': query})}" for name, (endpoint, _) in servers.items()}
    for url in urls.values():
        with ThreadPoolExecutor(max_workers=16) as pool:  # warm every worker and its query process
            list(pool.map(lambda _, url=url: one_request(url), range(32)))
    names = list(servers)
    for turn in range(rounds):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            cpu_before, started = process_tree_cpu(servers[name][1]), time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                latencies = list(pool.map(lambda _, url=urls[name]: one_request(url), range(requests)))
            cells[name].rounds_rps.append(requests / (time.perf_counter() - started))
            cells[name].cpu_seconds += process_tree_cpu(servers[name][1]) - cpu_before
            cells[name].latencies += latencies
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round, query and concurrency")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per cell; requests per second is their median")
    parser.add_argument("--workers", type=int, default=2, help="innograph serve worker processes (its default, 2)")
    parser.add_argument("--projects", type=int, default=3430, help="portfolio size (3430 is about 100k triples)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="innograph-http-") as folder:
        work = Path(folder)
        store, dump = work / "store", work / "all.nq"
        run = dict(check=True, capture_output=True)
        subprocess.run([*CLI, "generate", "--projects", str(args.projects), "--seed", "1", str(work / "p")], **run)
        subprocess.run([*CLI, "--store", str(store), "init"], **run)
        subprocess.run([*CLI, "--store", str(store), "load", "--quiet", str(work / "p")], **run)
        subprocess.run([*CLI, "--store", str(store), "dump", "--format", "nquads", "-o", str(dump)], **run)
        ours_port, uncached_port, theirs_port = free_port(), free_port(), free_port()
        env = {**os.environ, "INNOGRAPH_QUERY_TIMEOUT": "120"}
        serve = [*CLI, "--store", str(store), "serve", "--workers", str(args.workers), "--port"]
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = subprocess.Popen([*serve, str(ours_port)], env=env, **quiet)
        uncached = subprocess.Popen([*serve, str(uncached_port)], env={**env, "INNOGRAPH_ANSWER_CACHE_MB": "0"},
                                    **quiet)
        theirs = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{theirs_port}", "--union-default-graph"],
                                  **quiet)
        try:
            wait_for(f"http://127.0.0.1:{ours_port}/healthz")
            wait_for(f"http://127.0.0.1:{uncached_port}/healthz")
            wait_for(f"http://127.0.0.1:{theirs_port}/query?query=ASK%7B%7D")
            upload = urllib.request.Request(f"http://127.0.0.1:{theirs_port}/store", data=dump.read_bytes(),
                                            headers={"Content-Type": "application/n-quads"}, method="POST")
            urllib.request.urlopen(upload, timeout=300).read()
            triples = dump.read_bytes().count(b"\n")
            print(f"{triples} quads; innograph serve --workers {args.workers} vs oxigraph serve (in memory); "
                  f"{args.rounds} rounds of {args.requests} requests per cell; 'kept': answers kept per data version "
                  "(the default), 'computed': answer_cache_mb = 0; cpu us: the server's CPU time per request")
            print(f"{'query':<15} {'clients':>7} {'kept rps':>9} {'p50 ms':>7} {'p95 ms':>7} {'cpu us':>7} "
                  f"{'computed rps':>12} {'p95 ms':>7} {'oxigraph rps':>12} {'p50 ms':>7} {'p95 ms':>7} {'cpu us':>7} "
                  f"{'kept':>6} {'computed':>8}")
            servers = {"kept": (f"http://127.0.0.1:{ours_port}/sparql", ours.pid),
                       "computed": (f"http://127.0.0.1:{uncached_port}/sparql", uncached.pid),
                       "oxigraph": (f"http://127.0.0.1:{theirs_port}/query", theirs.pid)}
            for name, query in QUERIES.items():
                for clients in (1, 4, 16):
                    cells = measure(servers, query, clients, args.requests, args.rounds)
                    kept, computed, oxigraph = cells["kept"], cells["computed"], cells["oxigraph"]
                    print(f"{name:<15} {clients:>7} {kept.rps:>9.1f} {kept.p50:>7.1f} {kept.p95:>7.1f} "
                          f"{kept.cpu_us:>7.0f} {computed.rps:>12.1f} {computed.p95:>7.1f} {oxigraph.rps:>12.1f} "
                          f"{oxigraph.p50:>7.1f} {oxigraph.p95:>7.1f} {oxigraph.cpu_us:>7.0f} "
                          f"{kept.rps / oxigraph.rps:>5.2f}x {computed.rps / oxigraph.rps:>7.2f}x", flush=True)
        finally:
            for process in (ours, uncached, theirs):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
