"""HTTP benchmark: innograph's /sparql against `oxigraph serve` (in memory) on the same data, same run.

It generates a portfolio of about 100k triples, loads it through innograph, starts
`innograph serve` and an in-memory `oxigraph serve --union-default-graph` holding the same
quads, and for three analyst queries (a count per research base, a collaboration query, a label
search) runs a fixed number of requests at 1, 4 and 16 concurrent clients on loopback, printing
requests per second, p50 and p95 latency, and innograph's throughput as a ratio of Oxigraph's:
once as served by default, repeated answers kept per data version ("kept"), and once by a
second service with answer_cache_mb = 0, every answer computed afresh ("computed").

    .venv/bin/pip install -e ".[bench]"    # the Oxigraph server from PyPI, the baseline
    .venv/bin/python bench/endpoint.py [--requests 200] [--workers 4]
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
from pathlib import Path

from measuring import free_port, wait_for  # bench/ is the script's folder, first on sys.path

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


def measure(endpoint: str, query: str, clients: int, requests: int) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p95 ms) for `requests` GETs spread over `clients` threads."""
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
    with ThreadPoolExecutor(max_workers=16) as pool:  # warm every worker and its query process
        list(pool.map(lambda _: one_request(url), range(32)))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = sorted(pool.map(lambda _: one_request(url), range(requests)))
    elapsed = time.perf_counter() - started
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return requests / elapsed, statistics.median(latencies) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per query and concurrency")
    parser.add_argument("--workers", type=int, default=4, help="innograph serve worker processes")
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
                  f"{args.requests} requests per cell; 'kept': answers kept per data version (the default), "
                  "'computed': answer_cache_mb = 0")
            print(f"{'query':<15} {'clients':>7} {'kept rps':>9} {'p50 ms':>7} {'p95 ms':>7} {'computed rps':>12} "
                  f"{'p95 ms':>7} {'oxigraph rps':>12} {'p50 ms':>7} {'p95 ms':>7} {'kept':>6} {'computed':>8}")
            for name, query in QUERIES.items():
                for clients in (1, 4, 16):
                    kept = measure(f"http://127.0.0.1:{ours_port}/sparql", query, clients, args.requests)
                    computed = measure(f"http://127.0.0.1:{uncached_port}/sparql", query, clients, args.requests)
                    rps, p50, p95 = measure(f"http://127.0.0.1:{theirs_port}/query", query, clients, args.requests)
                    print(f"{name:<15} {clients:>7} {kept[0]:>9.1f} {kept[1]:>7.1f} {kept[2]:>7.1f} "
                          f"{computed[0]:>12.1f} {computed[2]:>7.1f} {rps:>12.1f} {p50:>7.1f} {p95:>7.1f} "
                          f"{kept[0] / rps:>5.2f}x {computed[0] / rps:>7.2f}x", flush=True)
        finally:
            for process in (ours, uncached, theirs):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
