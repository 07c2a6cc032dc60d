"""Why an entailed triple holds: the rules, and so the ontology's axioms, that derive it.

The entailments graph says only that a triple was inferred. To tell an analyst which link a
source actually stated and which one the ontology added (and by which axiom), each rule of
`ontology.rules` is run backwards: its template is matched against the triple, the template's
variables are bound to the triple's terms, and the rule's patterns and condition are evaluated
over the union of all named graphs, the entailments included, exactly as materialisation reads
them. Every rule whose body holds derives the triple; one triple may have several reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.term import Node

from innograph.formats import short
from innograph.ontology.rules import Rule, derive_rules, lead_organization_rule
from innograph.store import Reader, Triple
from innograph.store.rdfio import sparql_term

VALUES_HEAD = re.compile(r"VALUES\s*(?:\(([^)]*)\)|(\?\w+))")
FULL_IRI = re.compile(r"<?(https?://[^\s>]+)>?")
LEAD_RULE = lead_organization_rule().name
ONTOLOGY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"

_rules_cache: dict[tuple[int, str, str], list[Rule]] = {}


@dataclass(frozen=True)
class Explanation:
    """One reason a triple is entailed: the rule's name, a short label and the axiom in words."""

    rule: str
    """The rule's name as `derive_rules` gives it, e.g. "owl:inverseOf"."""
    label: str
    """What a page shows next to the link, e.g. "owl:inverseOf ig:participant"."""
    axiom: str
    """The axiom that licenses it, e.g. "ig:participatesIn owl:inverseOf ig:participant"."""


def ontology_rules(reader: Reader, ontology_graph: str) -> list[Rule]:
    """The rules of the ontology held in `ontology_graph`, derived once per data version in this process."""
    version = getattr(reader, "data_version", lambda: None)()
    key = (id(reader), ontology_graph, version or "")
    if version is None or key not in _rules_cache:
        graph = Graph()
        for triple in reader.query(ONTOLOGY, {"graph": URIRef(ontology_graph)}).triples:
            graph.add(triple)
        rules = derive_rules(graph)
        if version is None:
            return rules
        _rules_cache.clear()
        _rules_cache[key] = rules
    return _rules_cache[key]


def explain(reader: Reader, rules: list[Rule], triple: Triple) -> list[Explanation]:
    """The reasons the store entails `triple`; empty when no rule derives it."""
    return explain_all(reader, rules, [triple]).get(triple, [])


def explain_all(reader: Reader, rules: list[Rule], triples: Iterable[Triple]) -> dict[Triple, list[Explanation]]:
    """The reasons for many triples at once: one query per rule that could match any of them."""
    wanted = [t for t in dict.fromkeys(triples) if not any(isinstance(n, BNode) for n in t)]
    found: dict[Triple, dict[Explanation, None]] = {t: {} for t in wanted}
    for rule in sorted(dict.fromkeys(rules), key=_preference):
        template, axiom_terms = rule.template.split(), _values_variables(rule.prologue)
        matches = {t: b for t in wanted if (b := _match(template, t)) is not None
                   and _may_hold(rule, b, axiom_terms) and not any(e.rule == rule.name for e in found[t])}
        if not matches:
            continue
        names = list(next(iter(matches.values())))
        free = [v for v in axiom_terms if v not in names]
        for row in _rule_rows(reader, rule, names, free, list(matches.values())):
            bound, extra = dict(zip(names, row[:len(names)], strict=True)), dict(zip(free, row[len(names):],
                                                                                      strict=True))
            triple = _instantiate(template, bound)
            if triple in found:
                found[triple][_explanation(rule, bound, extra)] = None
    return {t: list(reasons) for t, reasons in found.items() if reasons}


def _preference(rule: Rule) -> int:
    """Rules that say where a link comes from before inverses and symmetry, which often only echo another link."""
    kind = rule.name.split()[0]
    return 1 if kind in ("owl:inverseOf", "owl:SymmetricProperty") else 0


def _may_hold(rule: Rule, bound: dict[str, Node], axiom_terms: list[str]) -> bool:
    """False when a term the axiom must name is not among the rule's axiom terms at all: no query needed."""
    return all(sparql_term(term) in rule.prologue for name, term in bound.items() if name in axiom_terms)


def _match(template: list[str], triple: Triple) -> dict[str, Node] | None:
    """Variable bindings that make the template `triple`, or None if a constant or a repeated variable disagrees."""
    if len(template) != 3:
        return None
    bound: dict[str, Node] = {}
    for token, term in zip(template, triple, strict=True):
        if token.startswith("?"):
            if bound.setdefault(token[1:], term) != term:
                return None
        elif _constant(token) != term:
            return None
    return bound


@lru_cache(maxsize=256)
def _constant(token: str) -> Node | None:
    if token == "a":
        return RDF.type
    if token.startswith("<") and token.endswith(">"):
        return URIRef(token[1:-1])
    return None


def _instantiate(template: list[str], bound: dict[str, Node]) -> Triple:
    s, p, o = (bound[t[1:]] if t.startswith("?") else _constant(t) for t in template)
    return (s, p, o)  # type: ignore[return-value]


def _values_variables(prologue: str) -> list[str]:
    """The variables a rule's VALUES prologue binds (the axiom's terms), in order."""
    match = VALUES_HEAD.search(prologue)
    if not match:
        return []
    return [v.lstrip("?$") for v in (match.group(1) or match.group(2)).split()]


def _rule_rows(reader: Reader, rule: Rule, names: list[str], free: list[str],
               bindings: list[dict[str, Node]]) -> list[tuple[Node | None, ...]]:
    """Rows of (template variables..., free axiom variables...) for which the rule's body holds."""
    rows = " ".join("(" + " ".join(sparql_term(b[n]) for n in names) + ")" for b in bindings)
    body = " ".join(f"GRAPH ?g{i} {{ {p} }}" for i, p in enumerate(rule.patterns))
    condition = f"FILTER({rule.condition})" if rule.condition else ""
    projected = " ".join(f"?{v}" for v in names + free)
    query = (f"SELECT DISTINCT {projected} WHERE {{ VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }} "
             f"{rule.prologue} {body} {condition} }}")
    return reader.query(query).rows


def _explanation(rule: Rule, bound: dict[str, Node], free: dict[str, Node]) -> Explanation:
    """The rule's reason in words: which axiom, naming the property or class the triple came from."""
    kind = rule.name.split()[0]
    named = FULL_IRI.sub(lambda m: short(URIRef(m.group(1))), rule.name)
    if kind == "owl:inverseOf":
        source, inferred = short(free["p"]), short(bound["inverse"])
        return Explanation(rule.name, f"owl:inverseOf {source}", f"{inferred} owl:inverseOf {source}")
    if kind == "rdfs:subPropertyOf":
        sub, sup = short(free["sub"]), short(bound["super"])
        return Explanation(rule.name, f"rdfs:subPropertyOf {sub}", f"{sub} rdfs:subPropertyOf {sup}")
    if kind == "rdfs:subClassOf":
        sub, sup = short(free["sub"]), short(bound["super"])
        return Explanation(rule.name, f"rdfs:subClassOf {sub}", f"{sub} rdfs:subClassOf {sup}")
    if kind == "owl:SymmetricProperty":
        prop = short(bound["p"])
        return Explanation(rule.name, f"owl:SymmetricProperty {prop}", f"{prop} a owl:SymmetricProperty")
    if kind == "owl:TransitiveProperty":
        return Explanation(rule.name, named, f"{named.split()[1]} a owl:TransitiveProperty")
    if kind == "owl:propertyChainAxiom":
        steps = " ".join(short(_constant(p.split()[1])) for p in rule.patterns)
        return Explanation(rule.name, f"{kind} ({steps})", f"{named.split()[1]} {kind} ({steps})")
    if rule.name == LEAD_RULE:
        return Explanation(rule.name, named, "a participation with the role ig:leadRole makes its organisation "
                                             "the project's ig:leadOrganization")
    return Explanation(rule.name, named, named)
