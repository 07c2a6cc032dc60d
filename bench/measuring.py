"""What the benchmark scripts share: a free loopback port, waiting for a server, a median of runs."""

from __future__ import annotations

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
