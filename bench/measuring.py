"""What the benchmark scripts share: a free loopback port, waiting for a server, a median of runs, and
the CPU time a server's processes used."""

from __future__ import annotations

import os
import socket
import statistics
import time
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    """Return once `url` answers; exit the script if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """The median time of `repeat` runs of `action`, in milliseconds, after one warm-up run."""
    action()  # warm-up: first touches of in-memory copies and caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by process `pid` and its living descendants, from
    /proc (Linux): a server's cost per request, apart from the benchmark client's on the same machine."""
    parents, used = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # ended while we looked
                continue
            parents[int(entry)] = int(fields[1])
            used[int(entry)] = int(fields[11]) + int(fields[12])
    tree, grown = {pid}, True
    while grown:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(used.get(member, 0) for member in tree) / os.sysconf("SC_CLK_TCK")
