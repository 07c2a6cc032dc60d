"""Load test: 32 clients asking the named queries while a loader loads and unloads, on loopback.

It serves the demo data with `innograph serve`, then sends a fixed number of requests, a mix of
every library query (with a research base and an organisation where one is required), from 32
concurrent clients: first with nothing else running (the baseline), then while another process
loads a 300-project portfolio (the demo's organisations, other projects) and unloads it again,
over and over. Printed for both runs:
throughput, p50/p95/p99 latency and errors, and the ratio of throughput under load to the
baseline. During the second run a checker asks how many projects the store holds: every answer
must be the count before a load or after it (150 or 450), never one in between, which is what
"readers see only complete loads" means here.

    .venv/bin/python bench/under_load.py [--requests 2000] [--clients 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from measuring import free_port, wait_for  # bench/ is the script's folder, first on sys.path

CLI = [sys.executable, "-c", "from innograph.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[1]
COUNT_PROJECTS = ("PREFIX ig: <https://w3id.org/innograph/def/> "
                  "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ig:Project }")
REQUIRED = {"base": "B2", "organisation": "Nanshan Agriculture Industry Co., Ltd."}






def library_urls(site: str) -> list[str]:
    with urllib.request.urlopen(f"{site}/api/queries") as response:
        queries = json.load(response)
    urls = []
    for query in queries:
        given = {p["name"]: REQUIRED[p["name"]] for p in query["parameters"] if p["required"]}
        urls.append(f"{site}/api/queries/{query['name']}" + (f"?{urllib.parse.urlencode(given)}" if given else ""))
    return urls


def one(url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            ok = response.status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    return time.perf_counter() - started, ok


def run_mix(urls: list[str], requests: int, clients: int) -> dict[str, float]:
    plan = [urls[i % len(urls)] for i in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, plan))
    elapsed = time.perf_counter() - started
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    cut = statistics.quantiles(latencies, n=100)
    return {"rps": requests / elapsed, "p50": cut[49], "p95": cut[94], "p99": cut[98],
            "errors": sum(not ok for _, ok in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="innograph-load-") as folder:
        work, run = Path(folder), dict(check=True, capture_output=True)
        store, extra = work / "store", work / "extra"
        subprocess.run([*CLI, "--store", str(store), "init"], **run)
        subprocess.run([*CLI, "--store", str(store), "load", "--quiet", str(ROOT / "data" / "demo")], **run)
        # The demo's seed gives the demo's organisations; other project codes keep the two portfolios apart.
        subprocess.run([*CLI, "generate", "--projects", "300", "--seed", "5568", str(extra)], **run)
        for table in ("projects", "participation", "funding"):
            path = extra / f"{table}.csv"
            path.write_text(path.read_text(encoding="utf-8").replace("XN-", "XT-"), encoding="utf-8")
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*CLI, "--store", str(store), "serve", "--port", str(port), "--workers",
                                   str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "INNOGRAPH_QUERY_TIMEOUT": "60"})
        try:
            wait_for(f"{site}/healthz")
            urls = library_urls(site)
            run_mix(urls, len(urls) * 2, args.clients)  # warm every worker, query process and copy
            quiet = run_mix(urls, args.requests, args.clients)

            stop, loads, counts = threading.Event(), [0], set()

            def loader() -> None:
                while not stop.is_set():
                    subprocess.run([*CLI, "--store", str(store), "load", "--quiet", str(extra)], **run)
                    subprocess.run([*CLI, "--store", str(store), "unload",
                                    "https://w3id.org/innograph/id/graph/source/extra"], **run)
                    loads[0] += 1

            def checker() -> None:
                url = f"{site}/sparql?{urllib.parse.urlencode({'query': COUNT_PROJECTS})}"
                while not stop.is_set():
                    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
                    with urllib.request.urlopen(request, timeout=120) as response:
                        counts.add(int(response.read().decode().split()[1]))
                    time.sleep(0.05)

            threads = [threading.Thread(target=loader), threading.Thread(target=checker)]
            for thread in threads:
                thread.start()
            busy = run_mix(urls, args.requests, args.clients)
            while loads[0] < 2:  # the checker keeps asking until two loads and unloads have been seen
                time.sleep(0.5)
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{len(urls)} named queries, {args.requests} requests, {args.clients} clients, "
          f"{args.workers} workers, demo data")
    print(f"{'run':<22} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, figures in (("quiet (baseline)", quiet), (f"loader running ({loads[0]}x)", busy)):
        print(f"{name:<22} {figures['rps']:>7.1f} {figures['p50']:>7.1f} {figures['p95']:>7.1f} "
              f"{figures['p99']:>7.1f} {figures['errors']:>6}")
    print(f"throughput under load: {busy['rps'] / quiet['rps']:.2f}x the baseline")
    print(f"project counts seen during loads: {sorted(counts)} "
          f"({'only complete loads' if counts <= {150, 450} else 'A PARTIAL LOAD WAS SEEN'})")


if __name__ == "__main__":
    main()
