"""Web pages of the query library: the list, and a page per query with a form, results and its SPARQL."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from rdflib import URIRef

from innograph.errors import InnographError
from innograph.formats import short
from innograph.queries.catalogue import NamedQuery, Parameter, load_library
from innograph.queries.running import SPARQL_JSON, Engine, parse_results, prepare, run
from innograph.service.query_api import named_query, service_engine
from innograph.store.binding import with_values

blueprint = Blueprint("query_pages", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static")

SHOWN_ROWS = 1000
CHOICES = (
    "PREFIX ig: <https://w3id.org/innograph/def/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?value ?code ?label WHERE {\n"
    "  ?value a ?class .\n"
    "  OPTIONAL { ?value ig:code ?code }\n"
    "  OPTIONAL { ?value rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), \"en\")) }\n"
    "} ORDER BY ?code ?label LIMIT 200"
)


@blueprint.route("/queries")
def library() -> str:
    return render_template("queries.html", queries=list(load_library().values()))


@blueprint.route("/queries/<name>")
def query_page(name: str) -> tuple[str, int]:
    query = named_query(name)
    engine = service_engine()
    given = {p.name: request.args[p.name] for p in query.parameters if request.args.get(p.name)}
    submitted = "run" in request.args or not any(p.required for p in query.parameters)
    result, error, sparql, status = None, None, query.sparql, 200
    if submitted:
        try:
            prepared = prepare(query, given, engine)
            sparql = prepared.sparql
            result = run(prepared, engine)
        except InnographError as problem:
            error, status = problem.message, problem.status
    download = f"/api/queries/{name}?" + urlencode({**given, "format": "csv"})
    return render_template(
        "query.html", query=query, given=given, result=result, error=error, sparql=sparql,
        shown_rows=SHOWN_ROWS, download=download, short=short, choices=_choices(query, engine),
        network_formats=["graphml", "gexf", "edges"] if query.network else [],
        api=f"/api/queries/{name}?" + urlencode(given),
    ), status


def _choices(query: NamedQuery, engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """Suggestions for IRI parameters: the instances of the class, by code or IRI, labelled."""
    suggestions: dict[str, list[tuple[str, str]]] = {}
    for parameter in query.parameters:
        if parameter.type == "iri" and parameter.class_iri:
            suggestions[parameter.name] = _instances(parameter, engine)
    return suggestions


def _instances(parameter: Parameter, engine: Engine) -> list[tuple[str, str]]:
    result = parse_results(engine(with_values(CHOICES, {"class": URIRef(str(parameter.class_iri))}), SPARQL_JSON))
    options = []
    for value, code, label in result.rows:
        shown = " · ".join(str(part) for part in (code, label) if part is not None) or str(value)
        options.append((str(code) if code is not None else str(value), shown))
    return options
