"""Pages built on bundled front-end packages (issue 6): the YASGUI query page and the network view.

The packages come from npm at build time (frontend/, `make` runs it) into static/vendor/, so the pages load
nothing from another host. The network view draws, with Cytoscape.js, the resources linked to one resource
by the programme's innovation relations, one or two hops out, from the JSON of /api/network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from rdflib import URIRef
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from innograph.errors import InnographError
from innograph.namespaces import IG
from innograph.queries.catalogue import LibraryError, NamedQuery, load_library
from innograph.queries.running import prepare
from innograph.service.resources import labels_of, page_url
from innograph.store import Reader
from innograph.store.rdfio import sparql_term

blueprint = Blueprint("frontend", __name__, template_folder="templates")

NODE_CAP = 300
"""Most nodes a network answer holds (the app's NETWORK_NODE_CAP overrides it); the nearest are kept."""
ROW_LIMIT = 20000
"""Most links read per hop, so that one hub cannot make a request slow."""
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css", "cytoscape.min.js")


class BadNetworkRequest(InnographError):
    status = 400


class UnknownResource(InnographError):
    status = 404


@dataclass(frozen=True)
class Relation:
    """A link the network view draws: always read in the property's own direction."""

    key: str
    en: str
    zh: str
    symmetric: bool = False

    @property
    def iri(self) -> URIRef:
        return IG[self.key]


RELATIONS = {r.key: r for r in (
    Relation("participant", "participant", "参与单位"),
    Relation("leadOrganization", "lead organization", "牵头单位"),
    Relation("collaboratesWith", "collaborates with", "合作", symmetric=True),
    Relation("partOf", "part of", "所属组成部分"),
    Relation("hasFocusArea", "has focus area", "重点领域"),
    Relation("locatedIn", "located in", "位于"),
)}
"""The relations of the ontology between organisations, projects, components, focus areas and places; labels
as the ontology gives them."""

NODE_CLASSES = (
    ("research-base", IG.ResearchBase, "Research base", "研发创新基地"),
    ("component", IG.ProgrammeComponent, "Programme component", "计划组成部分"),
    ("project", IG.Project, "Project", "项目"),
    ("organisation", IG.Organization, "Organisation", "机构"),
    ("focus-area", IG.FocusArea, "Focus area", "重点支持领域"),
    ("place", IG.Place, "Place", "地点"),
)
"""A node's class in the view: the first of these it is an instance of (subclasses are entailed), else "other"."""

LINKS = f"""PREFIX ig: <{IG}>
SELECT DISTINCT ?s ?p ?o WHERE {{
  {{ #NODES_AS_S# #RELATIONS# ?s ?p ?o }} UNION {{ #NODES_AS_O# #RELATIONS# ?s ?p ?o }}
  FILTER(isIRI(?s) && isIRI(?o) && ?s != ?o)
  FILTER(?p != ig:locatedIn || NOT EXISTS {{ ?s ig:locatedIn ?between . ?between ig:locatedIn ?o }})
}} LIMIT {ROW_LIMIT}"""
"""Links of the relations at either end of the nodes; of ig:locatedIn (transitive) only the direct ones."""
TYPES = "SELECT ?node ?class WHERE { #NODES# #CLASSES# ?node a ?class }"
KNOWN = "ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }"
STARTING_POINTS = "SELECT ?node WHERE { ?node a ?class }"


def _values(variable: str, terms: Iterable[URIRef]) -> str:
    """A VALUES block of IRIs, each written by the RDF library, so no input can break out of it."""
    return f"VALUES ?{variable} {{ {' '.join(sparql_term(t) for t in terms)} }}"


@dataclass
class Network:
    """The nodes around one resource, nearest first, with the links among them."""

    start: URIRef
    distance: dict[URIRef, int] = field(default_factory=dict)
    links: set[tuple[URIRef, str, URIRef]] = field(default_factory=set)
    cut: bool = False


def neighbourhood(reader: Reader, start: URIRef, hops: int, relations: list[Relation], cap: int) -> Network:
    """Breadth first from `start` along `relations`, keeping the `cap` nearest nodes and the links among them."""
    network = Network(start, {start: 0})
    frontier: list[URIRef] = [start]
    walked: set[URIRef] = set()
    for hop in range(1, hops + 1):
        if not frontier or len(network.distance) > cap:
            break
        walked.update(frontier)
        reached = []
        for s, relation, o in _links(reader, frontier, relations):
            network.links.add((s, relation, o))
            for end in (s, o):
                if end not in network.distance:
                    network.distance[end] = hop
                    reached.append(end)
        frontier = reached
    nearest_first = sorted(network.distance, key=lambda n: (network.distance[n], str(n)))
    network.cut = len(nearest_first) > cap
    network.distance = {n: network.distance[n] for n in nearest_first[:cap]}
    outer = [n for n in network.distance if n not in walked]
    if outer:  # links among the outermost ring were not read by the walk
        network.links |= set(_links(reader, outer, relations))
    network.links = _kept_links(network.links, network.distance)
    return network


def _links(reader: Reader, nodes: list[URIRef], relations: list[Relation]) -> list[tuple[URIRef, str, URIRef]]:
    """(subject, relation key, object) of every link of `relations` touching `nodes`."""
    found = []
    predicates = _values("p", (r.iri for r in relations))
    by_iri = {str(r.iri): r for r in relations}
    for start in range(0, len(nodes), 500):
        chunk = nodes[start:start + 500]
        text = (LINKS.replace("#NODES_AS_S#", _values("s", chunk)).replace("#NODES_AS_O#", _values("o", chunk))
                .replace("#RELATIONS#", predicates))
        for s, p, o in reader.query(text).rows:
            relation = by_iri[str(p)]
            ends = sorted((s, o), key=str) if relation.symmetric else (s, o)
            found.append((URIRef(str(ends[0])), relation.key, URIRef(str(ends[1]))))
    return found


def _kept_links(links: set[tuple[URIRef, str, URIRef]], kept: dict[URIRef, int]) -> set[tuple[URIRef, str, URIRef]]:
    """Links between kept nodes; a participant link is dropped where the same pair has a lead link."""
    inside = {(s, r, o) for s, r, o in links if s in kept and o in kept}
    leads = {(s, o) for s, r, o in inside if r == "leadOrganization"}
    return {(s, r, o) for s, r, o in inside if not (r == "participant" and (s, o) in leads)}


def node_classes(reader: Reader, nodes: list[URIRef]) -> dict[URIRef, str]:
    """The view's class of each node."""
    rank = {str(iri): (position, name) for position, (name, iri, _, _) in enumerate(NODE_CLASSES)}
    best: dict[URIRef, tuple[int, str]] = {}
    classes = _values("class", (iri for _, iri, _, _ in NODE_CLASSES))
    for start in range(0, len(nodes), 500):
        text = TYPES.replace("#NODES#", _values("node", nodes[start:start + 500])).replace("#CLASSES#", classes)
        for node, kind in reader.query(text).rows:
            key = URIRef(str(node))
            best[key] = min(best.get(key, (len(NODE_CLASSES), "other")), rank[str(kind)])
    return {node: best.get(node, (0, "other"))[1] for node in nodes}


def elements(reader: Reader, network: Network, base_iri: str) -> dict[str, list[dict[str, Any]]]:
    """The network as Cytoscape.js elements: nodes with labels, class, page and hop; links with their relation."""
    nodes = list(network.distance)
    names = labels_of(reader, set(nodes))
    kinds = node_classes(reader, nodes)
    node_data = []
    for node in nodes:
        labels = names.get(str(node), {})
        fallback = str(node).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        node_data.append({"data": {
            "id": str(node), "label": labels.get("en") or labels.get("zh") or labels.get("") or fallback,
            "label_en": labels.get("en"), "label_zh": labels.get("zh"), "class": kinds[node],
            "url": page_url(str(node), base_iri), "hop": network.distance[node]}})
    edge_data = [{"data": {"id": f"{relation}:{s} {o}", "source": str(s), "target": str(o), "relation": relation,
                           "label": RELATIONS[relation].en}}
                 for s, relation, o in sorted(network.links, key=lambda link: (link[1], str(link[0]), str(link[2])))]
    return {"nodes": node_data, "edges": edge_data}


@dataclass(frozen=True)
class NetworkRequest:
    iri: URIRef
    hops: int
    relations: list[Relation]


def parse_network_request(args: MultiDict[str, str]) -> NetworkRequest:
    """The resource, hops and relations asked for; BadNetworkRequest (400) says what is wrong."""
    iri = (args.get("iri") or "").strip()
    if not iri:
        raise BadNetworkRequest("give the IRI of a resource: iri=<IRI>")
    try:
        sparql_term(URIRef(iri))
    except ValueError as problem:
        raise BadNetworkRequest(f"not an IRI: {iri!r} ({problem})") from None
    hops = args.get("hops", "1")
    if hops not in ("1", "2"):
        raise BadNetworkRequest(f"hops is 1 or 2, not {hops!r}")
    keys = [key for value in args.getlist("relation") for key in value.split(",") if key]
    unknown = [key for key in keys if key not in RELATIONS]
    if unknown:
        raise BadNetworkRequest(f"no relation {unknown[0]!r}; the relations are: " + ", ".join(RELATIONS))
    relations = [RELATIONS[key] for key in RELATIONS if key in keys] if keys else list(RELATIONS.values())
    return NetworkRequest(URIRef(iri), int(hops), relations)


def _reader() -> Reader:
    return current_app.extensions["innograph.store"]


def _node_cap() -> int:
    return int(current_app.config.get("NETWORK_NODE_CAP", NODE_CAP))


def _check_known(iri: URIRef) -> None:
    """UnknownResource (404) when the store has no statement with `iri` as subject or object."""
    if not _reader().query(KNOWN, {"node": iri}).boolean:
        raise UnknownResource(f"the store has no statement about <{iri}>")


def network_answer(asked: NetworkRequest) -> dict[str, Any]:
    """The JSON of /api/network for one request."""
    _check_known(asked.iri)
    reader, cap = _reader(), _node_cap()
    network = neighbourhood(reader, asked.iri, asked.hops, asked.relations, cap)
    return {
        "iri": str(asked.iri), "hops": asked.hops, "relations": [r.key for r in asked.relations],
        "node_cap": cap, "cut": network.cut, "node_count": len(network.distance),
        "edge_count": len(network.links),
        "elements": elements(reader, network, current_app.config["INNOGRAPH"].base_iri),
    }


@blueprint.route("/api/network")
def network_api() -> Response:
    return jsonify(network_answer(parse_network_request(request.args)))


@blueprint.route("/network")
def network_page() -> tuple[str, int]:
    """The view's page: the filters as a form that works without script, and the graph drawn by network.js."""
    base_iri = current_app.config["INNOGRAPH"].base_iri
    context: dict[str, Any] = {"relations": list(RELATIONS.values()), "classes": NODE_CLASSES,
                               "vendor_built": vendor_built(), "error": None, "asked": None}
    if not request.args.get("iri"):
        return render_template("network.html", starting_points=_starting_points(), **context), 200
    try:
        asked = parse_network_request(request.args)
        _check_known(asked.iri)
    except InnographError as problem:
        return render_template("network.html", starting_points=[], **{**context, "error": problem.message}), \
            problem.status
    names = labels_of(_reader(), {asked.iri}).get(str(asked.iri), {})
    chosen = [r.key for r in asked.relations]
    api = url_for("frontend.network_api") + "?" + urlencode({"iri": str(asked.iri), "hops": asked.hops})
    return render_template(
        "network.html", starting_points=[], **{**context, "asked": asked}, chosen=chosen, names=names,
        page=page_url(str(asked.iri), base_iri), api=api, cap=_node_cap(),
    ), 200


def _starting_points() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """Research bases and focus areas to start from: (heading, Chinese heading, [(link, label, Chinese label)])."""
    groups = []
    for kind, heading, heading_zh in ((IG.ResearchBase, "Research bases", "研发创新基地"),
                                      (IG.FocusArea, "Focus areas", "重点支持领域")):
        nodes = [URIRef(str(row[0])) for row in _reader().query(STARTING_POINTS, {"class": kind}).rows]
        names = labels_of(_reader(), set(nodes))
        points = [("/network?" + urlencode({"iri": str(node)}), names.get(str(node), {}).get("en", str(node)),
                   names.get(str(node), {}).get("zh", "")) for node in nodes]
        groups.append((heading, heading_zh, sorted(points, key=lambda point: point[1])))
    return groups


@blueprint.route("/query")
def query_editor() -> str:
    return render_template("query_editor.html", examples=editor_examples(), vendor_built=vendor_built())


def vendor_built() -> bool:
    """Whether the front-end build has put the packages in static/vendor/ (pages say how to build them if not)."""
    static = Path(current_app.blueprints["query_pages"].static_folder or "")
    return all((static / "vendor" / name).is_file() for name in VENDOR_FILES)


@dataclass(frozen=True)
class Example:
    name: str
    title: dict[str, str]
    sparql: str


@cache
def editor_examples() -> list[Example]:
    """The query library as editor examples."""
    return [Example(q.name, q.title, example_sparql(q)) for q in load_library().values()]


def example_sparql(query: NamedQuery) -> str:
    """The query's text for the editor: its `#+` header replaced by a short comment, and the defaults of its
    parameters bound in its VALUES block (and LIMIT), so it runs as it stands unless a parameter is required."""
    body = "\n".join(line for line in query.sparql.splitlines() if not line.startswith("#+")).strip("\n") + "\n"
    optional = replace(query, sparql=body, parameters=tuple(p for p in query.parameters if not p.required))
    lines = [f"# {query.title['en']} · {query.title['zh']}", f"# {query.description['en']}"]
    for p in query.parameters:
        where = "the LIMIT" if p.is_limit else "the VALUES block"
        if p.required:
            lines.append(f"# ?{p.name} (required): {p.description['en']}; bind it first: "
                         f"add VALUES ?{p.name} {{ <IRI> }} at the start of the WHERE block")
        elif p.default is not None:
            lines.append(f"# ?{p.name} = {p.default} in {where}: {p.description['en']}")
        else:
            lines.append(f"# ?{p.name} (optional, unbound): {p.description['en']}")
    return "\n".join(lines) + "\n" + prepare(optional, {}, _no_lookups).sparql


def _no_lookups(sparql: str, media_type: str) -> bytes:
    raise LibraryError("a default of an IRI parameter needs the store; examples are built without it")

