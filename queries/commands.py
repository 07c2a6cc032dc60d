"""`innograph queries` and `innograph run`: the query library on the command line."""

from __future__ import annotations

import json
import sys

import click

from innograph.config import Settings
from innograph.formats import RESULT_MEDIA_TYPES, table
from innograph.queries.catalogue import load_library, metadata
from innograph.queries.network import NETWORK_FORMATS, render_network
from innograph.queries.running import Engine, plain_json, prepare, run, run_plain
from innograph.store import open_reader

RUN_FORMATS = ["table", "csv", "tsv", "json", "sparql-json", "xml", *NETWORK_FORMATS]


def store_engine(settings: Settings) -> Engine:
    """Queries answered by the on-disk store, as the command line does."""
    reader = open_reader(settings.store, in_memory=False)
    return lambda sparql, media_type: reader.serialized_query(sparql, None, media_type, "text/turtle")[2]


@click.command(name="queries")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_queries(output: str) -> None:
    """List the named queries of the library with their parameters."""
    library = load_library()
    if output == "json":
        click.echo(json.dumps([metadata(q) for q in library.values()], ensure_ascii=False, indent=2))
        return
    for query in library.values():
        click.echo(f"{query.name}  {query.title['en']} / {query.title['zh']}")
        for p in query.parameters:
            kind = f"IRI of {p.class_iri}" if p.type == "iri" else p.type
            extra = " required" if p.required else (f" default {p.default}" if p.default is not None else "")
            click.echo(f"    --param {p.name}=…  {kind}{extra}: {p.description['en']}")


@click.command(name="run")
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter value; repeat for more.")
@click.option("--format", "output", type=click.Choice(RUN_FORMATS), default=None,
              help="Output format: a table on a terminal, JSON otherwise; graphml, gexf and edges for networks.")
@click.pass_obj
def run_query(settings: Settings, name: str, params: tuple[str, ...], output: str | None) -> None:
    """Run the named query NAME with its parameters bound to the given values."""
    library = load_library()
    if name not in library:
        raise click.UsageError(f"no query named {name!r}; `innograph queries` lists them")
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param {item!r}: write KEY=VALUE")
        given[key.strip()] = value
    query = library[name]
    output = output or ("table" if sys.stdout.isatty() else "json")
    if output in NETWORK_FORMATS and query.network is None:
        raise click.UsageError(f"'{name}' is not network-shaped; --format {output} is for "
                               + ", ".join(n for n, q in library.items() if q.network))
    engine = store_engine(settings)
    prepared = prepare(query, given, engine)
    if output in ("csv", "tsv", "xml", "sparql-json"):
        media_type = RESULT_MEDIA_TYPES["json" if output == "sparql-json" else output]
        click.echo(engine(prepared.sparql, media_type).decode("utf-8"), nl=False)
        return
    if output == "table":
        click.echo(table(run(prepared, engine)))
        return
    columns, rows = run_plain(prepared, engine)
    if output == "json":
        click.echo(json.dumps(plain_json(name, prepared.values, columns, rows), ensure_ascii=False, indent=2))
    else:
        assert query.network is not None
        sys.stdout.buffer.write(render_network(output, query.network, rows))

