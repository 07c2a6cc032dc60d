"""A load killed with SIGKILL while it writes leaves the store as it was, and the next load works."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from innograph.config import Settings
from innograph.store import open_store

from .backends import dump_without_provenance

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
    assert not [p.name for p in store.iterdir() if p.name.startswith(("load-", "scratch-"))], \
        "the killed load's working files were not cleaned up"


def quads_without_provenance(settings: Settings) -> set[bytes]:
    return set(dump_without_provenance(settings.store, settings.graphs.provenance))


def test_a_load_killed_at_any_of_20_points_leaves_the_old_data_or_the_new(
        cli: Cli, settings: Settings, tmp_path: Path) -> None:
    """Kill points spread from the loader's start-up to after its end (seeded, so CI repeats them)."""
    portfolio = tmp_path / "portfolio"
    assert cli("generate", "--projects", "300", "--seed", "7", str(portfolio)).exit_code == 0
    assert cli("init").exit_code == 0
    pristine = tmp_path / "pristine"
    shutil.copytree(settings.store, pristine)
    old = quads_without_provenance(settings)
    command = [sys.executable, "-c", "from innograph.cli import main; main()", "--store", settings.store,
               "load", "--quiet", str(portfolio)]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    whole_load = time.monotonic() - started
    new = quads_without_provenance(settings)
    assert new != old

    chance = random.Random(5568)
    delays = sorted(chance.uniform(0.05, 1.2 * whole_load) for _ in range(20))
    outcomes = []
    for delay in delays:
        shutil.rmtree(settings.store)
        shutil.copytree(pristine, settings.store)
        loader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=30)
        assert open_store(settings.store).exists()
        found = quads_without_provenance(settings)
        assert found in (old, new), f"killed after {delay:.2f} s: the store holds neither the old nor the new data"
        outcomes.append("new" if found == new else "old")
    assert {"old", "new"} <= set(outcomes), f"kills at {delays} all gave {outcomes[0]}: widen the spread"
