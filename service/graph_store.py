"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store: GET and HEAD for all, writes with the token."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from innograph.bootstrap import refresh_entailments
from innograph.errors import InnographError, QueryError
from innograph.service.authorization import require_write_token
from innograph.service.errors import Forbidden, UnsupportedMediaType
from innograph.service.negotiation import GRAPHS, require
from innograph.store import QueryDataset, Store
from innograph.store.rdfio import SYNTAXES, ParsedRdf, parse_rdf, syntax_for

blueprint = Blueprint("graph_store", __name__)
DEFAULT_GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class GraphNotFound(InnographError):
    status = 404


def _store() -> Store:
    return current_app.extensions["innograph.store"]


def _target() -> str | None:
    """The graph IRI named by `graph=`, or None for `default`; exactly one of the two."""
    graph, default = request.args.getlist("graph"), "default" in request.args
    if len(graph) + int(default) != 1:
        raise QueryError("name exactly one graph: ?graph=IRI or ?default")
    return graph[0] if graph else None


@blueprint.route("/rdf-graph-store", methods=["GET", "HEAD"])
def read() -> Response:
    graph = _target()
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
def write() -> Response:
    settings = current_app.config["INNOGRAPH"]
    require_write_token(request, settings)
    graph = _target()
    if graph is None:
        raise Forbidden("the default graph is not written through the graph store; name a graph")
    if settings.graphs.is_managed(graph):
        raise Forbidden(f"{graph} is managed by innograph itself")
    store = _store()
    existed = graph in store.named_graphs()
    if request.method == "DELETE" and not existed:
        raise GraphNotFound(f"no graph {graph} in the store")
    content = None if request.method == "DELETE" else _body(graph)
    with store.transaction() as writer:
        if content is None:
            writer.drop_graph(graph)
        elif request.method == "PUT":
            writer.replace_graph(graph, content)
        else:
            writer.add_to_graph(graph, content)
        refresh_entailments(writer, settings.graphs)
    return Response(status=201 if content is not None and not existed else 204)


def _body(graph: str) -> ParsedRdf:
    """The request body parsed in the syntax its Content-Type names; 400 with line and column if broken."""
    media_type = (request.mimetype or "").lower()
    syntax = next((s for s in SYNTAXES.values() if s.media_type == media_type), None)
    if syntax is None:
        known = ", ".join(s.media_type for s in SYNTAXES.values())
        raise UnsupportedMediaType(f"send the graph as one of {known}, not {media_type or 'no content type'}")
    return parse_rdf(request.get_data(cache=False), syntax, source="the request body", base_iri=graph)
