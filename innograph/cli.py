"""The `innograph` command line: one click group, each command a thin wrapper over a function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from innograph.bootstrap import InitSources, infer, initialise
from innograph.config import Settings, load_settings
from innograph.errors import InnographError
from innograph.formats import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, table
from innograph.stats import statistics
from innograph.store import open_store


class ReportingGroup(click.Group):
    """A group that prints innograph's own errors as one clear line and exits with status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InnographError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(1)


@click.group(cls=ReportingGroup)
@click.option("--store", "store", metavar="PATH", help="Store directory (default ./var/store, or INNOGRAPH_STORE).")
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
    click.echo(f"store {settings.store} initialised: {total} triples in {len(report.triples_per_graph)} graphs")


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
    _, _, body = store.serialized_query(sparql, None, media, GRAPH_MEDIA_TYPES[output])
    click.echo(body.decode("utf-8"), nl=False)
