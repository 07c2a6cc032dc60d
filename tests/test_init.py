"""`innograph init`: idempotent, and all-or-nothing on bad input with a position in the message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from innograph.bootstrap import InitSources, initialise, programme_file
from innograph.config import Settings
from innograph.errors import InputError
from innograph.ontology import ontology_file
from innograph.store import open_store
from innograph.store.rdfio import syntax_for

pytestmark = pytest.mark.backends


def dump(settings: Settings) -> bytes:
    return open_store(settings.store).dump(syntax_for("nquads"))


def sorted_dump(settings: Settings) -> list[bytes]:
    """The store's content with blank node labels left as they are and lines in a stable order."""
    return sorted(dump(settings).splitlines())


def test_init_creates_the_store_and_prints_a_summary(cli, settings: Settings) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert "initialised" in result.output
    assert open_store(settings.store).exists()


def test_running_init_twice_leaves_the_triple_count_unchanged(cli, settings: Settings) -> None:
    cli("init")
    first = open_store(settings.store).triple_count()
    cli("init")
    assert open_store(settings.store).triple_count() == first > 1000


def test_stats_lists_graphs_and_classes(cli) -> None:
    cli("init")
    result = cli("stats")
    assert result.exit_code == 0
    assert "graph/programme/5568" in result.output
    assert re.search(r"^ig:ResearchBase\s+8$", result.output, re.MULTILINE)


def corrupt(source: Path, target: Path, line: int, replacement: str) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = replacement
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("option", ["--ontology", "--programme"])
def test_a_corrupted_file_is_reported_with_file_line_and_column_and_nothing_changes(
        cli, settings: Settings, tmp_path: Path, option: str) -> None:
    cli("init")
    before = sorted_dump(settings)
    original = ontology_file() if option == "--ontology" else programme_file()
    lines = original.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().endswith(" ;") and i > 40)
    bad = corrupt(original, tmp_path / f"bad{original.suffix}", line, lines[line - 1].replace(" ;", " ;;; ]"))
    result = cli("init", option, str(bad))
    assert result.exit_code != 0
    assert str(bad) in result.output
    assert f"line {line}" in result.output
    assert "column" in result.output
    assert sorted_dump(settings) == before


def test_a_programme_that_breaks_the_shapes_is_refused_and_nothing_changes(
        cli, settings: Settings, tmp_path: Path) -> None:
    cli("init")
    before = sorted_dump(settings)
    text = programme_file().read_text(encoding="utf-8")
    bad = tmp_path / "no-code.ttl"
    bad.write_text(text.replace('ig:code "B2"', 'ig:code 2'), encoding="utf-8")
    result = cli("init", "--programme", str(bad))
    assert result.exit_code != 0
    assert "base/tibetan-medicine" in result.output
    assert sorted_dump(settings) == before


def test_init_into_a_fresh_store_fails_cleanly_on_bad_input(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> ", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ttl, line 1"):
        initialise(settings, InitSources.packaged(programme=bad))
    assert not open_store(settings.store).exists()
