"""Linked data (issue 6): dereferenceable IRIs, RDF documents, the ontology, VoID, DCAT and dumps.

- `/id/<rest>` is the identifier of `<base_iri><rest>`: 303 See Other to `/page/<rest>` (HTML) or to
  `/data/<rest>` (RDF) by Accept; an empty Accept and `*/*` get the page. A named graph that nothing
  describes goes to its content in the graph store.
- `/data/<rest>` and `/data?iri=` are RDF documents: a resource's outbound and inbound triples and the labels
  of what it links to, in Turtle, N-Triples, RDF/XML or JSON-LD.
- `/ontology` serves the ontology by Accept (pyLODE HTML or RDF); `/def/<term>` answers 303 to it.
- `/.well-known/void` (VoID), `/catalog` (DCAT-AP), `/dumps/` and its files describe and carry the whole store.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, send_file
from rdflib import URIRef
from rdflib.namespace import FOAF
from werkzeug.urls import iri_to_uri

from innograph.config import Settings
from innograph.errors import InnographError, QueryError
from innograph.namespaces import IG
from innograph.service.dataset_description import Site, dcat_catalog, licence, void_description
from innograph.service.dataset_ontology import current_ontology, ontology_page, term_anchor
from innograph.service.dataset_rdf import DOCUMENTS, HTML, WITH_HTML, XHTML, document_response, new_graph, serialise
from innograph.service.dumps import BY_NAME, WAIT_SECONDS, Manifest, current_dumps
from innograph.service.negotiation import Offer, require
from innograph.service.resources import data_url, describe, page_url
from innograph.store import Store
from innograph.store.rdfio import is_valid_iri

blueprint = Blueprint("linked_data", __name__, template_folder="templates")

KNOWN = "ASK { { ?resource ?p ?o } UNION { ?s ?p ?resource } }"
PAGES = (HTML.media_type, XHTML.media_type)
INDEX = (HTML, Offer("application/json", "json"))
NOT_IN_IRIS = set(' <>"{}|\\^`') | {chr(c) for c in range(0x20)} | {"\x7f"}


class ResourceNotFound(InnographError):
    status = 404


def _store() -> Store:
    return current_app.extensions["innograph.store"]


def _settings() -> Settings:
    return current_app.config["INNOGRAPH"]


def _dumps() -> Manifest:
    """The current dumps and statistics; DUMPS_WAIT_SECONDS (tests) bounds how long a request waits for a build."""
    return current_dumps(_store(), _settings(), current_app.config.get("DUMPS_WAIT_SECONDS", WAIT_SECONDS))


@blueprint.after_request
def cors(response: Response) -> Response:
    """Linked data is read by other sites' browser tools too."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link, Location, ETag"
    return response


def _minted(rest: str) -> str:
    """The IRI `/id/<rest>` or `/data/<rest>` names; 404 for dot segments (traversal) and what is no IRI."""
    if any(segment in (".", "..") for segment in rest.split("/")) or NOT_IN_IRIS & set(rest):
        raise ResourceNotFound(f"no resource at {request.path}")
    iri = _settings().base_iri + rest
    if not is_valid_iri(iri):
        raise ResourceNotFound(f"no resource at {request.path}")
    return iri


def _see_other(location: str) -> Response:
    response = Response(status=303)
    response.headers["Location"] = location
    response.vary.add("Accept")
    return response


def _with_format(location: str, media_type: str) -> str:
    """Keep a `format=` override on the way to the document, for clients that cannot set Accept."""
    if not request.args.get("format"):
        return location
    alias = next(o.alias for o in DOCUMENTS if o.media_type == media_type)
    return f"{location}{'&' if '?' in location else '?'}{urlencode({'format': alias})}"


@blueprint.route("/id/<path:rest>")
def identifier(rest: str) -> Response:
    """303 to the page or the RDF document of a minted IRI, by Accept."""
    iri = _minted(rest)
    store = _store()
    if not store.query(KNOWN, {"resource": URIRef(iri)}).boolean:
        if iri in store.named_graphs():  # a graph nothing describes: its content, from the graph store
            return _see_other(request.script_root + "/rdf-graph-store?" + urlencode({"graph": iri}))
        raise ResourceNotFound(f"the store knows nothing about {iri}")
    media_type = require(WITH_HTML, request.headers.get("Accept"), request.args.get("format"))
    base = _settings().base_iri
    if media_type in PAGES:
        return _see_other(request.script_root + page_url(iri, base))
    return _see_other(_with_format(request.script_root + data_url(iri, base), media_type))


@blueprint.route("/data")
@blueprint.route("/data/<path:rest>")
def data(rest: str | None = None) -> Response:
    """The RDF document of a resource: outbound and inbound triples, and labels of everything linked."""
    if rest is None:
        iri = request.args.get("iri", "")
        if not is_valid_iri(iri):
            raise QueryError("name the resource with ?iri= and an absolute IRI, or use /data/<path> for "
                             f"IRIs under {_settings().base_iri}")
    else:
        iri = _minted(rest)
    media_type = require(DOCUMENTS, request.headers.get("Accept"), request.args.get("format"))
    store = _store()
    version = store.data_version()
    description = describe(store, iri, _settings().graphs)
    if description is None:
        raise ResourceNotFound(f"the store knows nothing about {iri}")
    document = request.base_url + ("" if rest is not None else "?" + urlencode({"iri": iri}))
    graph = new_graph(description.triples())
    graph.add((URIRef(document), FOAF.primaryTopic, URIRef(iri)))
    response = document_response(serialise(graph, media_type), media_type, request, version)
    response.headers["Link"] = f'<{iri_to_uri(iri)}>; rel="describes"'
    return response


@blueprint.route("/ontology")
def ontology() -> Response:
    """The ontology by Accept: its pyLODE page, or its RDF."""
    media_type = require(WITH_HTML, request.headers.get("Accept"), request.args.get("format"))
    store = _store()
    version = store.data_version()
    document = current_ontology(store, _settings().graphs, version)
    if media_type in PAGES:
        return document_response(ontology_page(document).encode("utf-8"), HTML.media_type, request, version)
    return document_response(document.serialised(media_type), media_type, request, version)


@blueprint.route("/def/")
@blueprint.route("/def/<path:term>")
def term(term: str | None = None) -> Response:
    """The term namespace: 303 to the ontology, at the term's own section of the page for browsers."""
    media_type = require(WITH_HTML, request.headers.get("Accept"), request.args.get("format"))
    store = _store()
    document = current_ontology(store, _settings().graphs, store.data_version())
    location = request.script_root + "/ontology"
    if term is not None and not document.has_term(str(IG) + term):
        raise ResourceNotFound(f"the ontology has no term {IG}{term}")
    if media_type not in PAGES:
        return _see_other(_with_format(location, media_type))
    anchor = term_anchor(document, str(IG) + term) if term is not None else None
    return _see_other(location + (f"#{anchor}" if anchor else ""))


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset."""
    media_type = require(DOCUMENTS, request.headers.get("Accept"), request.args.get("format"))
    manifest = _dumps()
    graph = void_description(manifest, Site(request.url_root), _settings())
    return document_response(serialise(graph, media_type), media_type, request, manifest.generation)


@blueprint.route("/catalog")
def catalog() -> Response:
    """The DCAT-AP catalog: the dataset, its distributions and the SPARQL service."""
    media_type = require(DOCUMENTS, request.headers.get("Accept"), request.args.get("format"))
    manifest = _dumps()
    graph = dcat_catalog(manifest, Site(request.url_root), _settings())
    return document_response(serialise(graph, media_type), media_type, request, manifest.generation)


@blueprint.route("/dumps/")
def dumps_index() -> Response | str:
    """The dumps with their sizes and SHA-256, as a page or as JSON."""
    media_type = require(INDEX, request.headers.get("Accept"), request.args.get("format"))
    manifest = _dumps()
    root = request.url_root
    files = [{"name": f.name, "url": f"{root}dumps/{f.name}", "title": f.kind.title, "media_type": f.kind.served_as,
              "content_media_type": f.kind.media_type, "size": f.size, "sha256": f.sha256} for f in manifest.files]
    index = {"generation": manifest.generation, "created": manifest.created, "files": files,
             "license": str(licence(_settings())), "void": f"{root}.well-known/void", "catalog": f"{root}catalog",
             "sparql": f"{root}sparql"}
    if media_type == HTML.media_type:
        body = render_template("ld_dumps.html", index=index, statistics=manifest.statistics)
    else:
        body = json.dumps(index, ensure_ascii=False, indent=1)
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    return response


@blueprint.route("/dumps/<path:name>")
def dump_file(name: str) -> Response:
    """One dump file, with its length, SHA-256 as ETag and modification time; 404 for any other name."""
    if name not in BY_NAME:
        raise ResourceNotFound(f"no dump named {name!r}; /dumps/ lists them")
    for _ in range(2):  # a load may publish, and the old files go, between reading the manifest and opening
        manifest = _dumps()
        file = manifest.file(name)
        try:
            return _send(manifest.path(name), BY_NAME[name].served_as, file.sha256 if file else None)
        except FileNotFoundError:
            continue
    raise ResourceNotFound(f"the dump {name} is being replaced; try again")


def _send(path: Path, media_type: str, sha256: str | None) -> Response:
    return send_file(path, mimetype=media_type, etag=sha256 or True, conditional=True, download_name=path.name)
