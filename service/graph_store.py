"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store: GET and HEAD for all, writes with the token."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, current_app, request

from innograph.errors import InnographError, QueryError
from innograph.service.authorization import require_write_token
from innograph.service.errors import Forbidden, UnsupportedMediaType
from innograph.service.negotiation import GRAPHS, require
from innograph.service.writing import GraphWrite, write_in_child
from innograph.store import QueryDataset, Store
from innograph.store.rdfio import SYNTAXES, ParsedRdf, is_valid_iri, parse_rdf, syntax_for

blueprint = Blueprint("graph_store", __name__)
DEFAULT_GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class GraphNotFound(InnographError):
    status = 404


def _store() -> Store:
    return current_app.extensions["innograph.store"]


def _target(direct: str | None) -> str | None:
    """The graph IRI: the request's own URL under /rdf-graph-store/ (direct identification), or the one
    named by `graph=`, or None for `default` (indirect); exactly one of these."""
    graph, default = request.args.getlist("graph"), "default" in request.args
    if direct is not None:
        if graph or default:
            raise QueryError("a graph addressed by its own URL takes neither ?graph= nor ?default")
        if not is_valid_iri(request.base_url):
            raise QueryError(f"{request.base_url!r} cannot name a graph")
        return request.base_url
    if len(graph) + int(default) != 1:
        raise QueryError("name exactly one graph: ?graph=IRI or ?default")
    if graph and not is_valid_iri(graph[0]):
        raise QueryError(f"?graph= needs an absolute IRI, not {graph[0]!r}")
    return graph[0] if graph else None


@blueprint.route("/rdf-graph-store", methods=["GET", "HEAD"])
@blueprint.route("/rdf-graph-store/<path:direct>", methods=["GET", "HEAD"])
def read(direct: str | None = None) -> Response:
    graph = _target(direct)
    media_type = require(GRAPHS, request.headers.get("Accept"), request.args.get("format"))
    store = _store()
    if graph is None:
        _, _, body = store.serialized_query(DEFAULT_GRAPH_TRIPLES, None, "application/sparql-results+json",
                                            media_type, QueryDataset())
    elif graph not in store.named_graphs():
        raise GraphNotFound(f"no graph {graph} in the store")
    else:
        body = store.dump(syntax_for(media_type), graph)
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    return response


@blueprint.route("/rdf-graph-store", methods=["PUT", "POST", "DELETE"])
@blueprint.route("/rdf-graph-store/<path:direct>", methods=["PUT", "POST", "DELETE"])
def write(direct: str | None = None) -> Response:
    settings = current_app.config["INNOGRAPH"]
    require_write_token(request, settings)
    if direct is None and request.method == "POST" and not request.args:
        return _create()
    graph = _target(direct)
    if graph is None:
        raise Forbidden("the default graph is not written through the graph store; name a graph")
    if settings.graphs.is_managed(graph):
        raise Forbidden(f"{graph} is managed by innograph itself")
    store = _store()
    existed = graph in store.named_graphs()
    if request.method == "DELETE" and not existed:
        raise GraphNotFound(f"no graph {graph} in the store")
    contents = [] if request.method == "DELETE" else _contents(graph)
    write_in_child(settings, GraphWrite.of(request.method, graph, contents))
    return Response(status=201 if request.method != "DELETE" and not existed else 204)


def _create() -> Response:
    """A POST to the graph store itself: the body becomes a new graph, named by a URL of this service."""
    graph = f"{request.url_root}rdf-graph-store/{uuid.uuid4()}"
    write_in_child(current_app.config["INNOGRAPH"], GraphWrite.of("POST", graph, _contents(graph)))
    response = Response(status=201)
    response.headers["Location"] = graph
    return response


def _contents(graph: str) -> list[ParsedRdf]:
    """The request body parsed in the syntax its Content-Type names, or each part of a multipart/form-data
    POST in its own; 400 with line and column if broken."""
    if request.method == "POST" and request.mimetype == "multipart/form-data":
        parts = list(request.files.values())
        if not parts:
            raise QueryError("the multipart/form-data body has no file parts")
        return [_parsed(part.read(), part.mimetype, f"the part {part.filename or part.name!r}", graph)
                for part in parts]
    return [_parsed(request.get_data(cache=False), request.mimetype, "the request body", graph)]


def _parsed(data: bytes, media_type: str | None, source: str, graph: str) -> ParsedRdf:
    media_type = (media_type or "").lower()
    syntax = next((s for s in SYNTAXES.values() if s.media_type == media_type), None)
    if syntax is None:
        known = ", ".join(s.media_type for s in SYNTAXES.values())
        raise UnsupportedMediaType(f"send the graph as one of {known}, not {media_type or 'no content type'}")
    return parse_rdf(data, syntax, source=source, base_iri=graph, untrusted=True)
