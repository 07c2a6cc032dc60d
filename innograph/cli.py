"""The `innograph` command line: one click group, each command a thin wrapper over a function."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from innograph.bootstrap import InitSources, infer, initialise
from innograph.config import Settings, load_settings
from innograph.errors import InnographError
from innograph.formats import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, table
from innograph.stats import statistics
from innograph.store import open_store
from innograph.store.location import redacted

if TYPE_CHECKING:
    from innograph.loader.pipeline import LoadResult


class ReportingGroup(click.Group):
    """A group that prints innograph's own errors as one clear line and exits with status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InnographError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(1)


@click.group(cls=ReportingGroup)
@click.option("--store", "store", metavar="PATH|URL",
              help="Store directory, or sparql+http(s)://... of a SPARQL server "
                   "(default ./var/store, or INNOGRAPH_STORE).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML configuration file.")
@click.option("--base-iri", help="Namespace of instance IRIs (or INNOGRAPH_BASE_IRI).")
@click.version_option(package_name="innograph")
@click.pass_context
def main(ctx: click.Context, store: str | None, config_file: str | None, base_iri: str | None) -> None:
    """innograph: the knowledge graph of science and technology innovation programmes."""
    ctx.obj = load_settings(config_file, store=store, base_iri=base_iri)


existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command()
@click.option("--ontology", type=existing_file, help="Ontology to load instead of the packaged one.")
@click.option("--shapes", type=existing_file, help="SHACL shapes to load instead of the packaged ones.")
@click.option("--programme", type=existing_file, help="Programme graph to load instead of the packaged one.")
@click.pass_obj
def init(settings: Settings, ontology: Path | None, shapes: Path | None, programme: Path | None) -> None:
    """Create the store and load the ontology, shapes and programme graph; safe to run again."""
    report = initialise(settings, InitSources.packaged(ontology, shapes, programme))
    total = sum(report.triples_per_graph.values())
    graphs = len(report.triples_per_graph)
    click.echo(f"store {redacted(settings.store)} initialised: {total} triples in {graphs} graphs")


@main.command(name="infer")
@click.pass_obj
def infer_command(settings: Settings) -> None:
    """Recompute the materialised entailments from the ontology and the data."""
    click.echo(f"{infer(settings)} entailed triples")


@main.command()
@click.pass_obj
def stats(settings: Settings) -> None:
    """Show triples per named graph and instances per class."""
    graphs, classes = statistics(open_store(settings.store))
    click.echo(table(graphs))
    click.echo()
    click.echo(table(classes))


@main.command()
@click.argument("sparql")
@click.option("--format", "output", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle"]),
              default=None, help="Output format: a table on a terminal, JSON otherwise.")
@click.pass_obj
def query(settings: Settings, sparql: str, output: str | None) -> None:
    """Run a SPARQL query against the union of all graphs."""
    output = output or ("table" if sys.stdout.isatty() else "json")
    store = open_store(settings.store)
    if output == "table":
        click.echo(table(store.query(sparql)))
        return
    media = RESULT_MEDIA_TYPES.get(output, RESULT_MEDIA_TYPES["json"])
    kind, _, body = store.serialized_query(sparql, None, media, GRAPH_MEDIA_TYPES[output])
    if output not in RESULT_MEDIA_TYPES and kind != "graph":
        raise click.UsageError(f"--format {output} is for CONSTRUCT and DESCRIBE results")
    click.echo(body.decode("utf-8"), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5568, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the SPARQL endpoint with gunicorn."""
    # Before anything imports prometheus_client's metrics: every worker then writes its counts to
    # this folder and /metrics adds them up, whichever worker answers.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="innograph-metrics-")
    from innograph.service.server import serve as run_server

    if not open_store(settings.store).exists():
        raise click.UsageError(f"no store at {redacted(settings.store)}: run `innograph init` first")
    click.echo(f"SPARQL endpoint: http://{host}:{port}/sparql   health: http://{host}:{port}/healthz", err=True)
    run_server(settings, host, port, workers)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", "mapping_file", type=existing_file, help="YAML mapping of sheet and column names.")
@click.option("--graph", help="Named graph to load into (one source only).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path), help="Write the problem report here.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.pass_obj
def load(settings: Settings, sources: tuple[Path, ...], mapping_file: Path | None, graph: str | None,
         dry_run: bool, report_json: Path | None, quiet: bool) -> None:
    """Load CSV folders or files, XLSX workbooks, JSON portfolios or RDF files, all or nothing."""
    from innograph.loader.pipeline import load as run_load

    result = reported(report_json, lambda: run_load(settings, list(sources), mapping_file=mapping_file, graph=graph,
                                                    dry_run=dry_run, progress=None if quiet else progress_printer()))
    if result.report.warnings:
        click.echo(result.report.to_table(), err=True)
    verb = "checked (dry run, nothing written)" if dry_run else "loaded"
    for name, count in result.triples.items():
        click.echo(f"{verb} {name}: {result.rows[name]} rows, {count} triples")
    where = "through an in-memory copy" if result.in_memory else "on disk alone (over load_in_memory_quads)"
    click.echo(f"{result.entailments} entailed triples; {result.seconds:.1f} s, worked {where}")


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mapping", "mapping_file", type=existing_file, help="YAML mapping of sheet and column names.")
@click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path), help="Write the problem report here.")
@click.pass_obj
def validate(settings: Settings, sources: tuple[Path, ...], mapping_file: Path | None,
             report_json: Path | None) -> None:
    """Run every check of a load without writing anything."""
    from innograph.loader.pipeline import load as run_load

    result = reported(report_json, lambda: run_load(settings, list(sources), mapping_file=mapping_file,
                                                    dry_run=True, progress=None))
    click.echo(result.report.to_table())


@main.command()
@click.argument("graph")
@click.pass_obj
def unload(settings: Settings, graph: str) -> None:
    """Remove a loaded source's graph, its provenance and its entailments."""
    from innograph.loader.pipeline import unload as run_unload

    click.echo(f"removed {graph}: {run_unload(settings, graph)} triples")


@main.command()
@click.pass_obj
def graphs(settings: Settings) -> None:
    """List the named graphs with their size and the load that wrote them."""
    from innograph.loader.listing import graph_listing

    click.echo(table(graph_listing(open_store(settings.store), settings)))


@main.command()
@click.option("--format", "syntax", type=click.Choice(["nquads", "trig", "turtle", "ntriples", "rdfxml", "jsonld"]),
              default="nquads", help="RDF syntax of the dump.")
@click.option("--graph", help="Dump one named graph only (required for syntaxes without graphs).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.pass_obj
def dump(settings: Settings, syntax: str, graph: str | None, output: Path | None) -> None:
    """Serialise the store, or one graph, in an RDF syntax."""
    from innograph.store.rdfio import syntax_for

    body = open_store(settings.store).dump(syntax_for(syntax), graph)
    if output:
        output.write_bytes(body)
    else:
        click.echo(body.decode("utf-8"), nl=False)


@main.command()
@click.option("--projects", type=click.IntRange(min=1), required=True, help="How many projects to generate.")
@click.option("--seed", type=int, default=5568, show_default=True, help="Seed: the same seed gives the same files.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def generate(projects: int, seed: int, out_dir: Path) -> None:
    """Write a deterministic synthetic portfolio in the CSV templates."""
    from innograph.loader.generate import generate_portfolio

    counts = generate_portfolio(out_dir, projects=projects, seed=seed)
    click.echo(", ".join(f"{n} {table}" for table, n in counts.items()) + f" written to {out_dir}")


def reported(path: Path | None, run: Callable[[], LoadResult]) -> LoadResult:
    """Run a load and write its JSON problem report to `path`, whether it succeeds or is refused."""
    from innograph.loader.report import LoadRefused

    try:
        result = run()
    except LoadRefused as refused:
        if path:
            path.write_text(refused.report.to_json(), encoding="utf-8")
        raise
    if path:
        path.write_text(result.report.to_json(), encoding="utf-8")
    return result


def progress_printer() -> Callable[[str], None] | None:
    """Stage messages with elapsed time on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    return lambda message: click.echo(f"[{time.monotonic() - started:6.1f} s] {message}", err=True)


@main.command()
@click.pass_obj
def dumps(settings: Settings) -> None:
    """Write the dumps and dataset statistics of the current data, as /dumps/ serves them."""
    from innograph.service.dumps import build_dumps

    build_dumps(open_store(settings.store), settings, click.echo)


@main.command()
@click.option("--from", "source", required=True, metavar="STORE", help="Store to copy from (directory or URL).")
@click.option("--to", "target", required=True, metavar="STORE", help="Store to copy to (directory or URL).")
@click.pass_obj
def copy(settings: Settings, source: str, target: str) -> None:
    """Copy every named graph from one store to another; the target ends up holding exactly the same."""
    from innograph.store.copying import copy_store

    origin = open_store(source)
    if not origin.exists():
        raise click.UsageError(f"no store at {redacted(source)}")
    written = copy_store(origin, open_store(target), progress_printer())
    click.echo(f"copied {len(written)} graphs, {sum(written.values())} triples, "
               f"from {redacted(source)} to {redacted(target)}")


@main.command()
@click.pass_obj
def recover(settings: Settings) -> None:
    """Undo what an interrupted write left half done on a SPARQL server store, and free it for writers."""
    store = open_store(settings.store)
    if not hasattr(store, "recover"):
        click.echo("the embedded store needs no recovery: an interrupted write never becomes current")
        return
    click.echo(f"{store.recover()} journalled change(s) undone; the store is free for writers")


def _register_library_commands() -> None:
    """The query library's commands live with the library; the group is the one entry point."""
    from innograph.queries.commands import list_queries, run_query

    main.add_command(list_queries)
    main.add_command(run_query)


_register_library_commands()
