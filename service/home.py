"""The home page: what the programme is, its 5-5-6-8 tree with counts, and the dataset's statistics.

Every statement about the programme cites the article's own words (ig:sourceQuotation). The page
is registered on the pages blueprint and cached per data version and language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, g, render_template
from flask.typing import ResponseReturnValue
from rdflib import URIRef
from rdflib.term import Node

from innograph.formats import short
from innograph.namespaces import IG, sparql_prefixes
from innograph.service.pages import (
    COMPONENT_CLASSES,
    SKOS_DEFINITION,
    Item,
    Names,
    blueprint,
    class_url,
    in_language,
    names_of,
    own_labels,
    reader,
    with_things,
)
from innograph.service.resources import Statement, labels_of
from innograph.stats import statistics
from innograph.store import Reader

QUOTES = sparql_prefixes() + """SELECT ?thing ?quote ?source WHERE {
  ?thing ig:sourceQuotation ?quote OPTIONAL { ?thing dcterms:source ?source } } ORDER BY ?thing ?source"""
COMPONENTS = sparql_prefixes() + """SELECT ?component ?class ?ordinal ?project ?org WHERE {
  ?programme ig:hasComponent ?component . ?component a ?class OPTIONAL { ?component ig:ordinal ?ordinal }
  VALUES ?class { ig:Action ig:Platform ig:SpecialProject ig:ResearchBase }
  OPTIONAL { ?project ig:partOf ?component OPTIONAL { ?project ig:participant ?org } } }"""
FOCUS_AREAS = sparql_prefixes() + """
SELECT ?area ?ordinal (COUNT(DISTINCT ?project) AS ?projects) (COUNT(DISTINCT ?org) AS ?organisations) WHERE {
  ?area a ig:FocusArea OPTIONAL { ?area ig:ordinal ?ordinal }
  OPTIONAL { ?project ig:hasFocusArea ?area OPTIONAL { ?project ig:participant ?org } }
} GROUP BY ?area ?ordinal ORDER BY ?ordinal"""
GRAPH_TEXTS = sparql_prefixes() + """SELECT ?thing ?property ?text WHERE {
  ?thing ?property ?text VALUES ?property { dcterms:title dcterms:description } FILTER(isLiteral(?text)) }"""

@dataclass
class Quote:
    """A source's own words for a statement, and the document they come from."""

    number: int
    text: str
    source: Item | None

    @property
    def anchor(self) -> str:
        return f"quote-{self.number}"


@dataclass
class Entry:
    """A row of the home page's tree or lists: a resource with its counts and its quotation."""

    item: Item
    projects: int = 0
    organisations: int = 0
    quote: Quote | None = None
    children: list[Entry] = field(default_factory=list)


@blueprint.route("/")
def home() -> ResponseReturnValue:
    """What the programme is, its 5-5-6-8 tree with counts, its focus areas, and the dataset's statistics."""
    store = reader()
    cache = current_app.extensions.setdefault("innograph.pages.home", {})  # it changes only with the data
    key = (store.data_version(), g.lang)
    context = cache.get(key) if key[0] else None
    if context is None:
        context = _home(store)
        cache.clear()
        cache[key] = context
    return render_template("home.html", **context)


def _home(store: Reader) -> dict[str, object]:
    found = store.query(sparql_prefixes() + "SELECT ?p WHERE { ?p a ig:Programme } ORDER BY ?p LIMIT 1").rows
    context: dict[str, object] = {"programme": None}
    if found:
        outbound = [Statement(p, o, False) for p, o in store.query("SELECT ?p ?o WHERE { ?s ?p ?o }",
                                                                    {"s": found[0][0]}).rows]
        context = _programme(store, found[0][0], outbound)
    per_graph, per_class = statistics(store)
    texts: dict[str, dict[str, dict[str, str]]] = {}
    for graph, prop, text in store.query(with_things(GRAPH_TEXTS, [row[0] for row in per_graph.rows])).rows:
        texts.setdefault(str(graph), {}).setdefault(short(prop), {})[getattr(text, "language", None) or ""] = str(text)
    names = Names(labels_of(store, {row[0] for row in per_class.rows}))
    context["graphs"] = [(names.text(graph) if isinstance(graph, URIRef) else str(graph), int(count),
                          {prop: in_language(by_lang) for prop, by_lang in texts.get(str(graph), {}).items()})
                         for graph, count in per_graph.rows]
    context["classes"] = [(names.text(cls), short(cls), class_url(cls), int(count)) for cls, count in per_class.rows]
    return context


def _programme(store: Reader, programme: URIRef, outbound: list[Statement]) -> dict[str, object]:
    """The programme's labels, definition, administrator, component tree and focus areas, each quoted."""
    administrators = [s.other for s in outbound if s.predicate == IG.administeredBy]
    rows = store.query(COMPONENTS, {"programme": programme}).rows
    order = {c: i for i, c in enumerate(COMPONENT_CLASSES)}
    components = sorted({(r[0], r[1], int(r[2] or 0)) for r in rows}, key=lambda r: (order.get(r[1], 9), r[2]))
    areas = store.query(FOCUS_AREAS).rows
    things = [programme, *administrators, *(r[0] for r in components), *(r[0] for r in areas)]
    names = names_of(store, [*things, *COMPONENT_CLASSES])
    quotes = _quotes(store, things)

    def entry(node: Node, projects: int = 0, organisations: int = 0) -> Entry:
        return Entry(names.item(node), int(projects), int(organisations), quotes.get(str(node)))

    def counted(node: Node, picked: list[tuple[Node | None, ...]]) -> Entry:
        """`node` with the projects and organisations of the rows picked for it."""
        return entry(node, len({r[3] for r in picked} - {None}), len({r[4] for r in picked} - {None}))

    tree = []
    for cls in COMPONENT_CLASSES:
        branch = counted(cls, [r for r in rows if r[1] == cls])
        branch.item.href = class_url(cls)
        branch.children = [counted(c, [r for r in rows if r[0] == c]) for c, kind, _ in components if kind == cls]
        tree.append(branch)
    definitions = [str(s.other) for s in outbound if s.predicate == SKOS_DEFINITION]
    return {"programme": counted(programme, rows), "tree": tree, "programme_labels": own_labels(outbound),
            "definition": definitions[0] if definitions else None,
            "administrators": [entry(a) for a in administrators],
            "areas": [entry(r[0], *(int(n or 0) for n in r[2:])) for r in areas],
            "quotes": sorted({q.number: q for q in quotes.values()}.values(), key=lambda q: q.number)}


def _quotes(store: Reader, things: list[Node]) -> dict[str, Quote]:
    """Each thing's source quotation (its first, if it has several), numbered in the order of `things`."""
    first: dict[str, tuple[Node, Node | None]] = {}
    for thing, text, source in store.query(with_things(QUOTES, things)).rows:
        first.setdefault(str(thing), (text, source))
    sources = Names(labels_of(store, {source for _, source in first.values() if source is not None}))
    numbers: dict[tuple[str, str], int] = {}
    quotes: dict[str, Quote] = {}
    for thing in (str(t) for t in things if str(t) in first):
        text, source = first[thing]
        number = numbers.setdefault((str(text), str(source)), len(numbers) + 1)
        quotes[thing] = Quote(number, str(text), sources.item(source) if source is not None else None)
    return quotes
