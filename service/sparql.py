"""The SPARQL 1.1 Protocol endpoint at /sparql: queries by GET and POST, and the service description."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from rdflib import URIRef

from innograph.errors import QueryError
from innograph.queries.cache import ResultCache
from innograph.service.authorization import require_write_token
from innograph.service.description import service_description
from innograph.service.errors import NotAcceptable, UnsupportedMediaType
from innograph.service.negotiation import GRAPHS, RESULTS, choose, require
from innograph.service.writing import Update, write_in_child
from innograph.sparql_text import has_keyword, with_row_limit, with_using
from innograph.store import QueryDataset, Store
from innograph.store.rdfio import is_valid_iri, sparql_term

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
ROWS_CUT_HEADER = "Innograph-Rows-Cut"
"""Present when the answer was cut at the row cap; its value is the cap (README: result_row_cap)."""
CACHE_HEADER = "Innograph-Cache"
"""'hit' when the answer was kept from an identical request on the same version of the data, else 'miss'."""
CORS_HEADERS = {"Access-Control-Allow-Origin": "*",
                "Access-Control-Expose-Headers": f"{ROWS_CUT_HEADER}, {CACHE_HEADER}"}
QUERY_VIEW = "sparql.sparql"
"""Flask's name of the query view: the endpoint label of its requests in /metrics."""


def get_store() -> Store:
    """The store this app serves, opened once per app; it follows the store's CURRENT generation."""
    return current_app.extensions["innograph.store"]


@blueprint.after_request
def vary_and_cors(response: Response) -> Response:
    """Every answer depends on Accept, and browser tools of other agencies may read it."""
    response.vary.add("Accept")
    response.headers.update(CORS_HEADERS)
    return response


@blueprint.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, update = _operation()
    if update is not None:
        return _update(update)
    if query is None:
        return _description()
    return _answer(query, _dataset())


def _operation() -> tuple[str | None, str | None]:
    """The query or update of a request, by the protocol's three ways of sending one."""
    if request.method == "GET":
        if "update" in request.args:
            raise QueryError("an update is sent by POST, never by GET")
        return _single("query", request.args.getlist("query")), None
    content_type = (request.mimetype or "").lower()
    if content_type == FORM:
        query = _single("query", request.form.getlist("query"))
        update = _single("update", request.form.getlist("update"))
        if query is not None and update is not None:
            raise QueryError("a request carries a query or an update, not both")
        if query is None and update is None:
            raise QueryError("the form has neither a 'query' nor an 'update' parameter")
        return query, update
    if content_type == QUERY_BODY:
        return _body(), None
    if content_type == UPDATE_BODY:
        return None, _body()
    raise UnsupportedMediaType(f"POST needs Content-Type {FORM}, {QUERY_BODY} or {UPDATE_BODY}, "
                               f"not {content_type or 'none'}")


def _single(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        raise QueryError(f"the '{name}' parameter appears {len(values)} times; send exactly one")
    return values[0] if values else None


def _body() -> str:
    """The body of a direct POST, which the protocol requires to be UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise QueryError(f"a query or update is sent as UTF-8, not {charset}")
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"the request body is not UTF-8: {error}") from None


def _parameter_values(name: str) -> tuple[str, ...]:
    """A protocol parameter's values, from the URL and, for a form, from the form."""
    form = request.form.getlist(name) if request.method == "POST" and request.mimetype == FORM else []
    return tuple(request.args.getlist(name) + form)


def _dataset() -> QueryDataset | None:
    """The protocol's dataset parameters of a query."""
    defaults, named = _parameter_values("default-graph-uri"), _parameter_values("named-graph-uri")
    return QueryDataset(defaults, named) if defaults or named else None


def _answer(query: str, dataset: QueryDataset | None) -> Response:
    """The answer of a query, kept per version of the data so a repeated request costs no engine time.

    An identical request on the same data version gets the same bytes: a GET is kept under its raw
    request (raw_request_key), which service/kept_answers.py looks up before Flask runs, and any other
    method under its text, dataset, Accept, format= and base. The kept answer was checked by the guard
    when it was computed, and errors are never kept. The version is read before the query runs
    (queries/cache.py says why).
    """
    accept, alias, base_iri = request.headers.get("Accept"), request.args.get("format"), _base_iri()
    key = raw_request_key(request.environ) if request.method == "GET" else ("sparql", query, accept, alias, dataset,
                                                                             base_iri)
    computed = False

    def compute() -> tuple[tuple[str, bytes, bool], int]:
        nonlocal computed
        computed = True
        media_type, body, cut = _computed_answer(query, dataset, accept, alias, base_iri)
        return (media_type, body, cut), len(body)

    settings = current_app.config["INNOGRAPH"]
    version = get_store().data_version() if settings.answer_cache_mb else None
    media_type, body, cut = answer_cache(current_app).remember(version, key, compute)
    return Response(body, headers=answer_headers(media_type, cut, settings.result_row_cap, kept=not computed))


def raw_request_key(environ: Mapping[str, Any]) -> tuple[Hashable, ...]:
    """Everything a GET query's answer depends on besides the data, as the client sent it: the query
    string (query, dataset, format=), Accept, and the address the base IRI is made of. Equal keys are
    equal requests; a request spelled differently is only a miss."""
    return ("sparql GET", *(environ.get(name) for name in ("QUERY_STRING", "HTTP_ACCEPT", "wsgi.url_scheme",
                                                           "HTTP_HOST", "SERVER_NAME", "SERVER_PORT",
                                                           "SCRIPT_NAME", "PATH_INFO")))


def answer_headers(media_type: str, cut: bool, row_cap: int, *, kept: bool) -> list[tuple[str, str]]:
    """The headers of a query's answer, whether Flask sends it or service/kept_answers.py does."""
    headers = [("Content-Type", f"{media_type}; charset=utf-8"), ("Vary", "Accept"), *CORS_HEADERS.items(),
               (CACHE_HEADER, "hit" if kept else "miss")]
    if cut:
        headers.append((ROWS_CUT_HEADER, str(row_cap)))
    return headers


def answer_cache(app: Flask) -> ResultCache:
    """The worker's kept /sparql answers; at most answer_cache_mb (0 keeps nothing)."""
    cache = app.extensions.get("innograph.answer_cache")
    if cache is None:
        limit = app.config["INNOGRAPH"].answer_cache_mb << 20
        cache = app.extensions.setdefault("innograph.answer_cache", ResultCache(max_entries=1024, max_bytes=limit))
    return cache


def _computed_answer(query: str, dataset: QueryDataset | None, accept: str | None, alias: str | None,
                     base_iri: str | None) -> tuple[str, bytes, bool]:
    """(media type, body, whether the rows were cut at the cap) of a query run in the query process."""
    kind = current_app.extensions["innograph.executor"].inspect(query, current_app.config["INNOGRAPH"])
    if kind is not None:  # known before running: refuse an unacceptable format without doing the work
        require(GRAPHS if kind == "graph" else RESULTS, accept, alias)
    results_type = choose(RESULTS, accept, alias)
    graph_type = choose(GRAPHS, accept, alias)
    if results_type is None and graph_type is None:
        require(RESULTS + GRAPHS, accept, alias)
    executor = current_app.extensions["innograph.executor"]
    row_cap = current_app.config["INNOGRAPH"].result_row_cap
    capped = False
    if kind == "select" and row_cap > 0:
        query, capped = with_row_limit(query, row_cap)
    kind, media_type, body, cut = executor.run(query, results_type or RESULTS[0].media_type,
                                               graph_type or GRAPHS[0].media_type, dataset, row_cap if capped else 0,
                                               base_iri)
    if (kind == "graph" and graph_type is None) or (kind != "graph" and results_type is None):
        offers = GRAPHS if kind == "graph" else RESULTS
        available = ", ".join(o.media_type for o in offers)
        raise NotAcceptable(f"none of the requested formats fits this {'graph' if kind == 'graph' else 'result'}; "
                            f"available: {available}")
    return media_type, body, cut


def _update(text: str) -> Response:
    """Run an update with the write token: the whole update and the new entailments, or nothing."""
    settings = current_app.config["INNOGRAPH"]
    require_write_token(request, settings)
    current_app.extensions["innograph.executor"].inspect(text, settings, update=True)
    write_in_child(settings, Update(_with_update_dataset(text), _base_iri()))
    return Response(status=204)


def _with_update_dataset(text: str) -> str:
    """The update with the protocol's using-graph-uri and using-named-graph-uri as USING clauses."""
    using, using_named = _parameter_values("using-graph-uri"), _parameter_values("using-named-graph-uri")
    if not using and not using_named:
        return text
    if has_keyword(text, "USING") or has_keyword(text, "WITH"):
        raise QueryError("the update names its dataset (USING or WITH) and the request names one too "
                         "(using-graph-uri or using-named-graph-uri): send one of the two")
    for iri in (*using, *using_named):
        if not is_valid_iri(iri):
            raise QueryError(f"not an absolute IRI: {iri!r}")
    return with_using(text, [sparql_term(URIRef(i)) for i in using], [sparql_term(URIRef(i)) for i in using_named])


def _base_iri() -> str | None:
    """The base of relative IRIs in a request without BASE: the endpoint's own address, as the protocol
    suggests; None if the address the client used (its Host header) is not a usable IRI."""
    url = request.base_url
    return url if is_valid_iri(url) else None


def _description() -> Response:
    media_type = require(GRAPHS, request.headers.get("Accept"), request.args.get("format"))
    graph = service_description(request.base_url, get_store())
    syntax = {"text/turtle": "turtle", "application/n-triples": "nt", "application/n-quads": "nquads",
              "application/trig": "trig", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media_type]
    return Response(graph.serialize(format=syntax, encoding="utf-8"), content_type=f"{media_type}; charset=utf-8")
