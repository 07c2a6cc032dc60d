"""The query library over HTTP: /api/queries, /api/queries/NAME and the OpenAPI description."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from innograph.errors import InnographError
from innograph.queries.cache import PlainAnswer, ResultCache
from innograph.queries.catalogue import RESERVED_NAMES, NamedQuery, load_library, metadata
from innograph.queries.network import NETWORK_FORMATS, render_network
from innograph.queries.parameters import ParameterError
from innograph.queries.running import Engine, plain_json, prepare
from innograph.service.frontend import RELATIONS
from innograph.service.negotiation import Offer, require
from innograph.service.openapi import openapi_document

blueprint = Blueprint("query_api", __name__)

PLAIN_JSON = Offer("application/json", "json")
TABLES = (PLAIN_JSON, Offer("text/csv", "csv"), Offer("text/tab-separated-values", "tsv"),
          Offer("application/sparql-results+json", "sparql-json"), Offer("application/sparql-results+xml", "xml"))
# An edge list is CSV too, so `Accept: text/csv` means the table and only `format=edges` asks for edges.
NETWORKS = tuple(Offer(media, alias) for alias, media in NETWORK_FORMATS.items() if alias != "edges")
EDGES = "edges"
FORMAT_PARAMETER = "format"
PAGE, PAGE_SIZE = "page", "page_size"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 1000, 10000


class QueryNotFound(InnographError):
    status = 404


def service_engine() -> Engine:
    """Library queries go through the same killable query process, time limit and memory cap as /sparql,
    and their answers are kept per data version (queries/cache.py)."""
    return _cache().wrap(_executor_engine(), current_app.extensions["innograph.store"].data_version)


def plain_answers() -> Callable[[str], PlainAnswer]:
    """Like service_engine, for answers kept as parsed plain rows."""
    return _cache().plain(_executor_engine(), current_app.extensions["innograph.store"].data_version)


def _executor_engine() -> Engine:
    """The query process without a row cap: library answers are whole, and JSON ones come in pages."""
    executor = current_app.extensions["innograph.executor"]
    return lambda sparql, media_type: executor.run(sparql, media_type, "text/turtle", None)[2]


def _cache() -> ResultCache:
    return current_app.extensions.setdefault("innograph.query_cache", ResultCache())


def named_query(name: str) -> NamedQuery:
    library = load_library()
    if name not in library:
        raise QueryNotFound(f"no query named {name!r}; GET /api/queries lists them")
    return library[name]


@blueprint.after_request
def vary_and_cors(response: Response) -> Response:
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.route("/api/queries")
def list_queries() -> Response:
    return _json([dict(metadata(q), url=f"{request.url_root}api/queries/{q.name}") for q in load_library().values()])


@blueprint.route("/api/queries/<name>")
def answer(name: str) -> Response:
    query = named_query(name)
    alias = request.args.get(FORMAT_PARAMETER)
    offers = TABLES + (NETWORKS if query.network else ())
    media_type = EDGES if alias == EDGES and query.network else require(offers, request.headers.get("Accept"), alias)
    given = {key: value for key, value in request.args.items() if key not in RESERVED_NAMES}
    _refuse_repeated()
    paging = _paging()  # checked for every format, though only JSON answers come in pages
    engine = service_engine()
    prepared = prepare(query, given, engine)
    if media_type == PLAIN_JSON.media_type:
        return _json(_page(name, prepared.values, *plain_answers()(prepared.sparql), *paging))
    if query.network and media_type in (EDGES, *(offer.media_type for offer in NETWORKS)):
        format_name = next((o.alias for o in NETWORKS if o.media_type == media_type), EDGES)
        body = render_network(format_name, query.network, plain_answers()(prepared.sparql)[1])
        extension = "edges.csv" if format_name == EDGES else format_name
        return _download(body, NETWORK_FORMATS[format_name], f"{name}.{extension}")
    body = engine(prepared.sparql, media_type)
    if media_type in ("text/csv", "text/tab-separated-values"):
        return _download(body, media_type, f"{name}.{'csv' if media_type == 'text/csv' else 'tsv'}")
    return Response(body, content_type=f"{media_type}; charset=utf-8")


def _paging() -> tuple[int, int]:
    """The page number and size asked for."""
    return _page_argument(PAGE, 1, 1, 10**9), _page_argument(PAGE_SIZE, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)


def _page(name: str, values: dict[str, str], columns: list[str], rows: list[dict[str, Any]],
          number: int, size: int) -> dict[str, Any]:
    """One page of the rows, with the link to the next; CSV and TSV downloads have every row."""
    start = (number - 1) * size
    document = plain_json(name, values, columns, rows[start:start + size])
    following = None
    if start + size < len(rows):
        arguments = {**request.args.to_dict(), PAGE: str(number + 1), PAGE_SIZE: str(size)}
        following = f"{request.base_url}?{urlencode(arguments)}"
    document.update(row_count=len(rows), page=number, page_size=size, next=following)
    return document


def _page_argument(key: str, default: int, low: int, high: int) -> int:
    text = request.args.get(key, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ParameterError(key, f"{text!r} is not a whole number from {low} to {high}")
    return int(text)


@blueprint.route("/api/openapi.json")
def openapi() -> Response:
    return _json(openapi_document(load_library(), request.url_root.rstrip("/"), list(RELATIONS)))


def _refuse_repeated() -> None:
    """A parameter given twice is ambiguous; say so rather than silently take one."""
    for key in request.args:
        if len(request.args.getlist(key)) > 1:
            raise ParameterError(key, "give one value, not several")


def _json(document: object) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8")


def _download(body: bytes, media_type: str, filename: str) -> Response:
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
