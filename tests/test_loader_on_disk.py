"""A load into a store too large to copy into memory works on disk alone, and writes the same data.

`load_in_memory_quads` sets the largest store a load works on through an in-memory copy; a larger
one is written, inferred and validated on disk, so memory stays bounded whatever the size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from innograph.bootstrap import infer, initialise, works_in_memory
from innograph.config import Settings
from innograph.loader.pipeline import load, unload
from innograph.loader.report import LoadRefused
from innograph.store import open_store
from innograph.store.rdfio import syntax_for

from .backends import dump_without_provenance, same_dataset

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def without_provenance(settings: Settings) -> bytes:
    return b"\n".join(dump_without_provenance(settings.store, settings.graphs.provenance))


def test_a_load_over_the_limit_works_on_disk_alone(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    assert works_in_memory(store, Settings(), incoming=1_000)
    assert not works_in_memory(store, Settings(load_in_memory_quads=1_999), incoming=1_000)
    assert not works_in_memory(store, Settings(load_in_memory_quads=0), incoming=1)


def test_a_load_on_disk_writes_exactly_what_a_load_through_memory_writes(tmp_path: Path) -> None:
    through_memory = Settings(store=str(tmp_path / "memory"))
    on_disk = Settings(store=str(tmp_path / "disk"), load_in_memory_quads=0)
    results = []
    for settings in (through_memory, on_disk):
        initialise(settings)
        results.append(load(settings, [DEMO]))
    assert results[0].in_memory and not results[1].in_memory
    assert results[0].triples == results[1].triples
    assert results[0].entailments == results[1].entailments > 1000
    assert same_dataset(without_provenance(through_memory), without_provenance(on_disk))


def test_a_load_on_disk_refused_by_the_shapes_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """The shapes are checked after writing and inferring, so the refusal comes from inside the transaction."""
    settings = Settings(store=str(tmp_path / "store"), load_in_memory_quads=0)
    initialise(settings)
    load(settings, [DEMO])
    before = open_store(settings.store).dump(syntax_for("nquads"))
    orphan = tmp_path / "orphan.ttl"
    orphan.write_text('<https://w3id.org/innograph/id/project/orphan> a <https://w3id.org/innograph/def/Project> ; '
                      '<http://www.w3.org/2000/01/rdf-schema#label> "A project of no programme component"@en .\n',
                      encoding="utf-8")
    with pytest.raises(LoadRefused) as refused:
        load(settings, [orphan])
    assert any(p.rule.startswith("shacl:") and "orphan" in p.message for p in refused.value.report.errors)
    assert open_store(settings.store).dump(syntax_for("nquads")) == before


def test_infer_and_unload_work_on_disk_alone_too(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), load_in_memory_quads=0)
    initialise(settings)
    before = without_provenance(settings)
    load(settings, [DEMO])
    entailed = open_store(settings.store).triple_count(settings.graphs.entailments)
    assert infer(settings) == entailed
    unload(settings, settings.graphs.source("demo"))
    assert same_dataset(without_provenance(settings), before)
