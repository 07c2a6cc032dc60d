"""Load, validate and unload sources: read, map, check, write, infer, validate, publish — or nothing.

Every row is checked before the store is touched. The graphs are then written into the store's
next generation, the entailments recomputed there and the new data validated against the shapes;
only if all of that succeeds is the generation published.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from innograph import __version__
from innograph.bootstrap import refresh_entailments, stored_graph, works_in_memory
from innograph.config import Settings
from innograph.errors import InputError, StoreError
from innograph.loader.context import Context
from innograph.loader.convert import convert
from innograph.loader.iris import slug
from innograph.loader.mapping import Mapping, load_mapping
from innograph.loader.provenance import SourceFile, forget_provenance, record_provenance
from innograph.loader.readers import TABULAR_SUFFIXES, read_tabular
from innograph.loader.report import LoadRefused, Problem, Report
from innograph.loader.tables import TABLES
from innograph.ontology.shacl_sparql import compile_shapes, sparql_violations
from innograph.processes import is_running
from innograph.store import Store, Writer, open_store
from innograph.store.location import is_remote
from innograph.store.rdfio import ParsedRdf, TriplesFile, iri, parse_file, syntax_for

Progress = Callable[[str], None]


@dataclass
class Source:
    """One thing being loaded: a file or a folder of CSV tables, and the graph it goes to."""

    path: Path
    graph: str
    mapping: Mapping
    content: ParsedRdf | TriplesFile | None = None
    rows_read: int = 0
    origins: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return sorted(self.path.glob("*.csv")) if self.path.is_dir() else [self.path]


@dataclass
class LoadResult:
    """What a load wrote, per graph."""

    triples: dict[str, int]
    rows: dict[str, int]
    report: Report
    seconds: float
    entailments: int = 0
    in_memory: bool = True
    """Whether the load worked through an in-memory copy of the store, or on disk alone."""


class _DryRun(Exception):
    """Raised inside the transaction to discard a dry run's generation."""


def graph_for(path: Path, settings: Settings, explicit: str | None) -> str:
    """The named graph a source goes into: given, or minted from the file or folder name."""
    if explicit is None:
        return settings.graphs.source(slug(path.name))
    try:
        iri(explicit)
    except ValueError as error:
        raise InputError(f"--graph is not an IRI: {error}") from None
    if settings.graphs.is_managed(explicit):
        raise InputError(f"--graph {explicit} is managed by innograph itself; choose another graph")
    return explicit


def _order(path: Path) -> tuple[int, str]:
    """Tables are read organisations first, so later tables can refer to earlier ones."""
    names = list(TABLES)
    return (names.index(path.stem) if path.stem in names else len(names), str(path))


def mapping_for(path: Path, explicit: Path | None) -> Mapping:
    """The mapping named on the command line, else a folder's own `mapping.yaml`, else the templates'."""
    if explicit is None and path.is_dir() and (path / "mapping.yaml").exists():
        return load_mapping(path / "mapping.yaml")
    return load_mapping(explicit)


def prepare(paths: list[Path], settings: Settings, store: Store, mapping_file: Path | None, graph: str | None,
            report: Report, scratch: Path, show_progress: bool = False) -> list[Source]:
    """Read, map and check every source; problems go to `report`, nothing is written to the store.

    A tabular source's triples are written to N-Triples files in the folder `scratch`, so that
    a large portfolio is never held in memory as terms.
    """
    if graph and len(paths) > 1:
        raise InputError("--graph names one graph: give one source")
    context = Context.from_store(store if store.exists() else None)
    sources = []
    for number, path in enumerate(sorted(paths, key=_order)):
        source = Source(path, graph_for(path, settings, graph), mapping_for(path, mapping_file))
        if not path.exists():
            report.error(str(path), "file.missing", "no such file or folder")
        elif path.is_dir() or path.suffix.lower() in TABULAR_SUFFIXES:
            conversion = convert(read_tabular(path, source.mapping, report), settings.base_iri, context, report,
                                 str(path), scratch / f"source-{number}", show_progress)
            source.content, source.rows_read = conversion.graph, conversion.rows_read
            source.origins = conversion.origins
        else:
            try:
                source.content = parse_file(path, syntax_for(path), untrusted=True)
                source.rows_read = len(source.content)
            except InputError as error:
                column = str(error.position.column) if error.position.column else None
                report.add(Problem(str(path), "rdf.syntax", error.reason, column=column, line=error.position.line))
        sources.append(source)
    return sources


def load(settings: Settings, paths: list[Path], *, mapping_file: Path | None = None, graph: str | None = None,
         dry_run: bool = False, progress: Progress | None = None) -> LoadResult:
    """Load sources into the store atomically, or raise LoadRefused with every problem found."""
    started = time.monotonic()
    started_at = datetime.now(UTC)
    store = open_store(settings.store)
    if not store.exists():
        raise StoreError(f"no store at {settings.store}: run `innograph init` first")
    report = Report()
    with _scratch_folder(settings) as scratch:
        _say(progress, "reading and checking")
        sources = prepare(paths, settings, store, mapping_file, graph, report, Path(scratch),
                          show_progress=progress is not None)
        if report.errors:
            raise LoadRefused(report)
        result = LoadResult({}, {}, report, 0.0)
        with contextlib.suppress(_DryRun):  # a dry run raises it to discard the generation it wrote
            _write(store, settings, sources, result, started_at, dry_run, progress)
    result.seconds = time.monotonic() - started
    return result


def _write(store: Store, settings: Settings, sources: list[Source], result: LoadResult, started_at: datetime,
           dry_run: bool, progress: Progress | None) -> None:
    """Write, infer, validate and record provenance in one transaction; raise to leave the store as it was."""
    incoming = sum(len(s.content) if isinstance(s.content, ParsedRdf) else s.content.count
                   for s in sources if s.content is not None)
    result.in_memory = works_in_memory(store, settings, incoming)
    with store.transaction(in_memory=result.in_memory) as writer:
        for source in sources:
            assert source.content is not None
            _say(progress, f"writing {source.graph}")
            result.triples[source.graph] = writer.replace_graph(source.graph, source.content)
            result.rows[source.graph] = source.rows_read
            source.content = None  # written: its quads are not held through inference and the shapes
        _say(progress, "inferring")
        result.entailments = refresh_entailments(writer, settings.graphs)
        _say(progress, "validating against the shapes")
        _validate_against_shapes(writer, settings, sources, result.report)
        if result.report.errors:
            raise LoadRefused(result.report)
        _say(progress, "recording provenance")
        for source in sources:
            files = [SourceFile.read(p) for p in source.files]
            record_provenance(writer, settings, source.graph, files, source.mapping, started_at,
                              datetime.now(UTC), source.rows_read, result.triples[source.graph], __version__)
        if dry_run:
            raise _DryRun
        _say(progress, "publishing")


def _scratch_folder(settings: Settings) -> tempfile.TemporaryDirectory[str]:
    """A folder for the converted triples: in an embedded store's folder (its disk, not a small or in-memory
    /tmp), where the folders of loaders that were killed are removed first; else the system's temporary folder."""
    if is_remote(settings.store):
        return tempfile.TemporaryDirectory(prefix="innograph-load-")
    for left in Path(settings.store).glob("load-*-*"):
        if not is_running(int(left.name.split("-")[1])):
            shutil.rmtree(left, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"load-{os.getpid()}-", dir=settings.store)


def unload(settings: Settings, graph: str) -> int:
    """Remove one source's graph, its provenance and (by recomputing) its entailments."""
    store = open_store(settings.store)
    if graph not in store.named_graphs():
        raise InputError(f"no graph {graph!r} in the store; `innograph graphs` lists them")
    if settings.graphs.is_managed(graph):
        raise InputError(f"{graph} is not a loaded source; `innograph init` manages it")
    removed = store.triple_count(graph)
    with store.transaction(in_memory=works_in_memory(store, settings)) as writer:
        writer.drop_graph(graph)
        forget_provenance(writer, settings, graph)
        refresh_entailments(writer, settings.graphs)
    return removed


def _validate_against_shapes(writer: Writer, settings: Settings, sources: list[Source], report: Report) -> None:
    """SHACL, compiled to SPARQL, over the new graphs' subjects, seeing the whole store and its entailments."""
    checks = compile_shapes(stored_graph(writer, settings.graphs.shapes), [source.graph for source in sources])
    where = ChainMap(*(source.origins for source in sources))  # not copied: millions of rows at scale
    for violation in sparql_violations(writer, checks):
        file, row = where[violation["focus"]][:2] if violation["focus"] in where else (
            ", ".join(str(s.path) for s in sources), None)
        report.error(file, f"shacl:{violation['constraint']}", f"{violation['focus']}: {violation['message']}",
                     row, violation["path"].rsplit("/", 1)[-1] or None, violation["value"] or None)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)
