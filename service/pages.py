"""Web pages to browse the graph (issue 6): home, a page per resource and per class, search.

Pages read the store through `describe` and a few bound queries. Labels and headings follow the
language chosen with the switch (a cookie the server reads); a resource's own labels are shown in
both languages. Links that only the entailments graph holds are marked as inferred, with the
rules that derive them (`ontology/explanation.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, redirect, render_template, request
from flask.ctx import _AppCtxGlobals
from flask.typing import ResponseReturnValue
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from innograph.formats import short
from innograph.namespaces import IG, PREFIXES, sparql_prefixes
from innograph.ontology.explanation import Explanation, explain_all, ontology_rules
from innograph.service.resources import (
    LABEL_PROPERTIES,
    MAX_LINKS,
    Description,
    Statement,
    data_url,
    describe,
    labels_of,
    page_url,
)
from innograph.store import Reader, Store, Triple
from innograph.store.rdfio import iri as checked_iri
from innograph.store.rdfio import sparql_term

blueprint = Blueprint("pages", __name__, template_folder="templates")

LANGUAGES = ("en", "zh")
LANGUAGE_COOKIE = "lang"
GROUP_SIZE = 20
CLASS_PAGE_SIZE = 50
SEARCH_LIMIT = 2000
SHOWN_PER_CLASS = 50
NETWORK_TYPES = {IG.Organization, IG.Project, IG.ResearchBase, IG.FocusArea}
CLASS_TYPES = {URIRef(PREFIXES["owl"] + "Class"), URIRef(PREFIXES["rdfs"] + "Class")}
COMPONENT_CLASSES = (IG.Action, IG.Platform, IG.SpecialProject, IG.ResearchBase)
SKOS_DEFINITION = URIRef(PREFIXES["skos"] + "definition")

CODES = sparql_prefixes() + "SELECT ?thing ?code WHERE { ?thing ig:code ?code }"
PARTICIPATIONS = sparql_prefixes() + """SELECT ?thing ?project ?role WHERE {
  ?thing ig:concernsProject ?project OPTIONAL { ?thing ig:hasRole ?role } }"""
INSTANCES = sparql_prefixes() + """
SELECT ?x (SAMPLE(?c) AS ?code) (MIN(IF(?g = ?entailments, 1, 0)) AS ?inferred) WHERE {
  GRAPH ?g { ?x a ?class } OPTIONAL { ?x ig:code ?c } } GROUP BY ?x"""
CLASS_NEIGHBOURS = sparql_prefixes() + """SELECT ?direction ?other WHERE {
  { ?class rdfs:subClassOf ?other BIND("super" AS ?direction) }
  UNION { ?other rdfs:subClassOf ?class BIND("sub" AS ?direction) }
  FILTER(isIRI(?other) && ?other != ?class) }"""
SEARCH = sparql_prefixes() + """SELECT ?x ?text ?type ?tg WHERE {
  { ?x rdfs:label|skos:prefLabel|ig:code ?text }
  FILTER(isLiteral(?text) && CONTAINS(LCASE(STR(?text)), ?needle))
  OPTIONAL { GRAPH ?tg { ?x a ?type } }
} LIMIT """ + str(SEARCH_LIMIT)


@dataclass
class Item:
    """One thing a page lists: a linked resource or a literal value, marked when only inference says it."""

    node: Node
    text: str
    href: str | None = None
    code: str | None = None
    inferred: bool = False
    reasons: list[Explanation] = field(default_factory=list)
    lang: str | None = None


@dataclass
class Group:
    """The values of one property, outbound or inbound, one page of them at a time."""

    key: str
    predicate: URIRef
    name: str
    items: list[Item]
    total: int
    page: int
    pages: int

    @property
    def anchor(self) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.key)

    @property
    def first(self) -> int:
        return (self.page - 1) * GROUP_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.page * GROUP_SIZE, self.total)


@dataclass
class Names:
    """What people read for nodes: labels by language, and codes, as read for one page."""

    labels: dict[str, dict[str, str]]
    codes: dict[str, str] = field(default_factory=dict)

    def label(self, node: Node) -> str | None:
        return in_language(self.labels.get(str(node), {}))

    def text(self, node: Node) -> str:
        """A node's label in the chosen language, else its code, else its IRI after the base, or shortened."""
        if isinstance(node, Literal):
            return str(node)
        base = current_app.config["INNOGRAPH"].base_iri
        found = self.label(node) or self.codes.get(str(node))
        return found or (str(node)[len(base):] if str(node).startswith(base) else short(node))

    def item(self, node: Node, inferred: bool = False) -> Item:
        href = page_url(str(node), current_app.config["INNOGRAPH"].base_iri) if isinstance(node, URIRef) else None
        language = node.language if isinstance(node, Literal) else None
        return Item(node, self.text(node), href, self.codes.get(str(node)), inferred, [], language)


def in_language(texts: dict[str, str]) -> str | None:
    """The text in the chosen language, else in English, else in any language."""
    return texts.get(g.lang) or texts.get("en") or next(iter(texts.values()), None)


def reader() -> Store:
    return current_app.extensions["innograph.store"]


def with_things(query: str, things: Iterable[Node]) -> str:
    """`query` restricted to the given IRIs as ?thing, each written as a term by the RDF library."""
    values = " ".join(sparql_term(t) for t in sorted({t for t in things if isinstance(t, URIRef)}))
    return query.replace("WHERE {", f"WHERE {{ VALUES ?thing {{ {values} }}", 1)


def names_of(store: Reader, things: Iterable[Node], labels: dict[str, dict[str, str]] | None = None) -> Names:
    """Labels (unless already read) and codes of `things`."""
    things = set(things)
    codes = {str(thing): str(code) for thing, code in store.query(with_things(CODES, things)).rows}
    return Names(labels_of(store, things) if labels is None else labels, codes)


def natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that puts A2 before A10 and ignores case."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text.casefold()))


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def class_url(node: Node) -> str:
    return "/class?" + urlencode({"iri": str(node)})


def own_labels(outbound: list[Statement]) -> list[tuple[str, str]]:
    """A resource's own labels as (language, text), in every language it has."""
    return sorted({(s.other.language or "", str(s.other)) for s in outbound
                   if s.predicate in LABEL_PROPERTIES and isinstance(s.other, Literal)})


def explain_items(store: Reader, items: dict[Triple, Item]) -> None:
    """Give each inferred item the reasons its triple holds."""
    wanted = {triple: item for triple, item in items.items() if item.inferred}
    if wanted:
        rules = ontology_rules(store, current_app.config["INNOGRAPH"].graphs.ontology)
        for triple, reasons in explain_all(store, rules, wanted).items():
            wanted[triple].reasons = reasons


class PageGlobals(_AppCtxGlobals):
    """Flask's `g`, whose `lang` is worked out from the request the first time a page asks for it, so that
    /sparql and the other machine surfaces do not pay for it on every request."""

    @property
    def lang(self) -> str:
        if "_lang" not in self.__dict__:
            self.__dict__["_lang"] = choose_language()
        return self.__dict__["_lang"]


def choose_language() -> str:
    """The language of labels and headings: the visitor's choice, else the browser's, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else request.accept_languages.best_match(LANGUAGES, "en")


@blueprint.post("/language")
def set_language() -> ResponseReturnValue:
    """Remember the language chosen with the switch and go back to the page it was chosen on."""
    target = request.form.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = redirect(target, 303)
    if (language := request.form.get("lang")) in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@blueprint.route("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """A small icon, so that browsers asking for one get an answer rather than a 404 in their console."""
    icon = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
            'fill="#12365a"/><circle cx="5" cy="11" r="2" fill="#fff"/><circle cx="11" cy="5" r="2" fill="#fff"/>'
            '<path d="M5 11L11 5" stroke="#fff" stroke-width="1.5"/></svg>')
    return icon, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400"}


@blueprint.route("/page/<path:rest>")
def page(rest: str) -> ResponseReturnValue:
    return resource_page(current_app.config["INNOGRAPH"].base_iri + rest)


@blueprint.route("/resource")
def resource() -> ResponseReturnValue:
    iri = request.args.get("iri", "").strip()
    target = page_url(iri, current_app.config["INNOGRAPH"].base_iri) if iri else ""
    if target.startswith("/page/"):
        rest = {k: v for k, v in request.args.items() if k != "iri"}
        return redirect(target + ("?" + urlencode(rest) if rest else ""), 301)
    return resource_page(iri)


def resource_page(iri: str) -> ResponseReturnValue:
    """The page of any IRI: labels, types, values and relations both ways, inferred ones explained."""
    try:
        checked_iri(iri)
    except ValueError:
        return render_template("resource.html", missing=iri, bad=True), 400
    store, config = reader(), current_app.config["INNOGRAPH"]
    description = describe(store, iri, config.graphs)
    if description is None:
        return render_template("resource.html", missing=iri, bad=False), 404
    node = description.iri
    names = names_of(store, {node, *(s.other for s in description.outbound + description.inbound)}, description.names)
    types, values, out, inbound = _sections(description, names)
    explain_items(store, {(node, RDF.type, i.node): i for i in types}
                  | {(node, grp.predicate, i.node): i for grp in values + out for i in grp.items}
                  | {(i.node, grp.predicate, node): i for grp in inbound for i in grp.items})
    _name_participations(store, [i for grp in out + inbound for i in grp.items
                                 if str(i.node) not in names.labels and not i.code], names)
    type_iris = {i.node for i in types}
    is_class = bool(type_iris & CLASS_TYPES) or any(s.predicate == RDF.type for s in description.inbound)
    return render_template(
        "resource.html", missing=None, iri=iri, title=names.text(node), own_labels=own_labels(description.outbound),
        code=names.codes.get(iri), types=types, values=values, out=out, inbound=inbound, short=short,
        data_url=data_url(iri, config.base_iri), group_link=group_link,
        truncated=MAX_LINKS in (len(description.outbound), len(description.inbound)),
        network_url="/network?" + urlencode({"iri": iri}) if type_iris & NETWORK_TYPES else None,
        class_url=class_url(node) if is_class else None)


def _sections(description: Description, names: Names) -> tuple[list[Item], list[Group], list[Group], list[Group]]:
    """Types (linked to their class pages), literal values, outbound and inbound relations, paged."""
    outbound = [s for s in description.outbound if s.predicate not in LABEL_PROPERTIES]
    types = sorted((names.item(s.other, s.inferred) for s in outbound if s.predicate == RDF.type),
                   key=lambda i: natural(i.text))
    for item in types:
        item.href = class_url(item.node)
    literal = [s for s in outbound if isinstance(s.other, Literal)]
    linked = [s for s in outbound if not isinstance(s.other, Literal) and s.predicate != RDF.type]
    return (types, _groups("value", literal, names), _groups("out", linked, names),
            _groups("in", description.inbound, names))


def group_link(group: Group, number: int) -> str:
    """This page with one group turned to page `number`, scrolled to that group."""
    args = {k: v for k, v in request.args.items() if k not in ("group", "page")}
    return f"{request.path}?{urlencode({**args, 'group': group.key, 'page': number})}#{group.anchor}"


def _groups(kind: str, statements: list[Statement], names: Names) -> list[Group]:
    """Statements grouped by property, each group sorted by code or label and cut to its page."""
    by_property: dict[URIRef, list[Item]] = {}
    for s in statements:
        by_property.setdefault(s.predicate, []).append(names.item(s.other, s.inferred))
    shown_group, shown_page = request.args.get("group"), page_number(request.args.get("page"))
    groups = []
    for predicate, items in by_property.items():
        key = f"{kind}:{short(predicate)}"
        items.sort(key=lambda i: (natural(i.code) if i.code else (), natural(i.text)))
        pages = -(-len(items) // GROUP_SIZE)
        number = min(shown_page, pages) if key == shown_group else 1
        shown = items[(number - 1) * GROUP_SIZE:number * GROUP_SIZE]
        groups.append(Group(key, predicate, names.label(predicate) or short(predicate), shown, len(items), number,
                            pages))
    return sorted(groups, key=lambda grp: (not grp.predicate.startswith(IG), grp.name.casefold()))


def _name_participations(store: Reader, items: list[Item], names: Names) -> None:
    """Participations have no label: call them by their role and project ("lead · Wolfberry processing")."""
    if items:
        rows = store.query(with_things(PARTICIPATIONS, [i.node for i in items])).rows
        names.labels.update(labels_of(store, {n for row in rows for n in row[1:]
                                              if n is not None and str(n) not in names.labels}))
        found = {str(thing): " · ".join(names.text(n) for n in (role, project) if n is not None)
                 for thing, project, role in rows}
        for item in items:
            item.text = found.get(str(item.node), item.text)


@blueprint.route("/class")
def class_page() -> ResponseReturnValue:
    """A class: its labels, neighbours in the hierarchy, and its instances, sortable and paged."""
    iri = request.args.get("iri", "").strip()
    try:
        checked_iri(iri)
    except ValueError:
        return render_template("class.html", missing=iri), 400
    store, config, cls = reader(), current_app.config["INNOGRAPH"], URIRef(iri)
    rows = store.query(INSTANCES, {"class": cls, "entailments": URIRef(config.graphs.entailments)}).rows
    neighbours = store.query(CLASS_NEIGHBOURS, {"class": cls}).rows
    names = Names(labels_of(store, {cls, *(r[1] for r in neighbours), *(r[0] for r in rows)}))
    if not rows and not neighbours and iri not in names.labels:
        return render_template("class.html", missing=iri), 404
    items = [Item(x, names.text(x), page_url(str(x), config.base_iri), str(code) if code else None,
                  bool(int(inferred or 0))) for x, code, inferred in rows]
    sort = request.args.get("sort") or ("code" if any(i.code for i in items) else "label")
    sort = sort if sort in ("label", "code", "iri") else "label"
    descending = request.args.get("order") == "desc"
    keys = {"label": lambda i: natural(i.text), "code": lambda i: (i.code is None, natural(i.code or i.text)),
            "iri": lambda i: str(i.node)}
    items.sort(key=keys[sort], reverse=descending)
    pages = max(1, -(-len(items) // CLASS_PAGE_SIZE))
    number = min(page_number(request.args.get("page")), pages)
    shown = items[(number - 1) * CLASS_PAGE_SIZE:number * CLASS_PAGE_SIZE]
    explain_items(store, {(i.node, RDF.type, cls): i for i in shown})
    other = "zh" if g.lang == "en" else "en"

    def link(**changes: object) -> str:
        return "/class?" + urlencode({"iri": iri, "sort": sort, "order": "desc" if descending else "asc",
                                      "page": number, **changes})

    neighbour_items = {d: [Item(o, names.text(o), class_url(o)) for k, o in neighbours if str(k) == d]
                       for d in ("super", "sub")}
    return render_template(
        "class.html", missing=None, iri=iri, title=names.text(cls), labels=names.labels.get(iri, {}), name=short(cls),
        supers=neighbour_items["super"], subs=neighbour_items["sub"], items=shown, total=len(items), page=number,
        pages=pages, sort=sort, descending=descending, link=link, other=other,
        other_labels={str(i.node): names.labels.get(str(i.node), {}).get(other) for i in shown},
        resource_url="/resource?" + urlencode({"iri": iri}))


@dataclass
class Hit:
    """A resource found by search, with how well it matched (0 exact, 1 prefix, 2 inside)."""

    item: Item
    rank: int
    other_label: str | None = None


@blueprint.route("/search")
def search() -> ResponseReturnValue:
    """Resources whose label (English or Chinese) or code contains the words, grouped by class."""
    words = request.args.get("q", "").strip()[:200]
    if not words:
        return render_template("search.html", q="", groups=[], count=0, cut=False)
    store, entailments = reader(), current_app.config["INNOGRAPH"].graphs.entailments
    needle = words.casefold()
    rows = store.query(SEARCH, {"needle": Literal(needle)}).rows
    ranks: dict[Node, int] = {}
    types: dict[Node, dict[Node, bool]] = {}
    for x, text, typ, graph in rows:
        found = str(text).casefold()
        rank = 0 if found == needle else 1 if found.startswith(needle) else 2
        ranks[x] = min(rank, ranks.get(x, rank))
        if typ is not None:
            types.setdefault(x, {})[typ] = types.get(x, {}).get(typ, False) or str(graph) != entailments
    names = names_of(store, set(ranks) | {t for found in types.values() for t in found})
    other = "zh" if g.lang == "en" else "en"
    grouped: dict[Node | None, list[Hit]] = {}
    for x, rank in ranks.items():
        hit = Hit(names.item(x), rank, names.labels.get(str(x), {}).get(other))
        grouped.setdefault(_main_type(types.get(x, {})), []).append(hit)
    groups = []
    for cls, hits in grouped.items():
        hits.sort(key=lambda h: (h.rank, natural(h.item.text)))
        heading = Item(cls, names.text(cls), class_url(cls)) if cls is not None else None
        groups.append((heading, hits[:SHOWN_PER_CLASS], len(hits)))
    groups.sort(key=lambda grp: (grp[1][0].rank, grp[0] is None or not grp[0].node.startswith(IG),
                                 grp[0].text.casefold() if grp[0] else ""))
    return render_template("search.html", q=words, groups=groups, count=len(ranks), cut=len(rows) >= SEARCH_LIMIT,
                           other=other)


def _main_type(types: dict[Node, bool]) -> Node | None:
    """The class to list a resource under: a stated type, ours first, else any type it has."""
    stated = [t for t, is_stated in types.items() if is_stated] or list(types)
    return min(stated, key=lambda t: (not str(t).startswith(IG), str(t))) if stated else None
