"""A load killed with SIGKILL while it writes leaves the store as it was, and the next load works."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from innograph.config import Settings
from innograph.store import open_store

SMALL = Path(__file__).parent / "fixtures" / "loader" / "small"
WAIT_SECONDS = 60

Cli = Callable[..., Result]


def generation_names(store: Path) -> set[str]:
    return {entry.name for entry in (store / "generations").iterdir()}


def test_a_load_killed_while_writing_leaves_the_store_as_it_was(cli: Cli, settings: Settings, tmp_path: Path) -> None:
    portfolio = tmp_path / "large"
    assert cli("generate", "--projects", "3000", "--seed", "1", str(portfolio)).exit_code == 0
    assert cli("init").exit_code == 0
    store = Path(settings.store)
    before = cli("dump", "--format", "nquads").stdout_bytes
    published = generation_names(store)

    loader = subprocess.Popen([sys.executable, "-c", "from innograph.cli import main; main()",
                               "--store", settings.store, "load", "--quiet", str(portfolio)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while generation_names(store) == published and loader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert loader.poll() is None, "the load ended before it was seen writing a new generation"
        assert generation_names(store) != published, f"no new generation within {WAIT_SECONDS} s"
        loader.send_signal(signal.SIGKILL)
        assert loader.wait(timeout=30) == -signal.SIGKILL
    finally:
        if loader.poll() is None:
            loader.kill()
            loader.wait()
    half_written = generation_names(store) - published
    assert half_written, "the killed load left no generation behind: it was not caught while writing"

    assert open_store(settings.store).exists()
    assert cli("dump", "--format", "nquads").stdout_bytes == before

    later = cli("load", str(SMALL))
    assert later.exit_code == 0, later.output
    assert settings.graphs.source("small") in open_store(settings.store).named_graphs()
    assert not half_written & generation_names(store), "the killed load's generation was not cleaned up"
