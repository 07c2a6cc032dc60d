"""Entailment rules derived from the ontology's axioms, materialised inside the store.

Each axiom kind below becomes one SPARQL CONSTRUCT rule over the union of all graphs; the rules
run to a fixpoint and their new triples go to the entailments graph. Supported: rdfs:subClassOf,
rdfs:subPropertyOf, owl:equivalentClass and owl:equivalentProperty between named terms,
owl:inverseOf, owl:SymmetricProperty, owl:TransitiveProperty and owl:propertyChainAxiom, plus
the one rule OWL 2 RL cannot state: a participation whose role is lead gives a lead organization.

Deliberately not materialised: rdfs:domain and rdfs:range, which the SHACL shapes check instead
(inferring a type from a misspelt reference would hide the error); and chains that would relate
a resource to itself (two organisations collaborate, an organisation does not collaborate with
itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from innograph.namespaces import IG
from innograph.store import Writer
from innograph.store.rdfio import sparql_term


@dataclass(frozen=True)
class Rule:
    """One derivation: a triple template, the triple patterns it needs, and the axiom it stands for."""

    name: str
    template: str
    patterns: tuple[str, ...]
    prologue: str = ""
    """A VALUES block or other clause that goes before the patterns."""
    condition: str = ""
    """A FILTER expression, or empty."""
    reads: frozenset[URIRef] = field(default=frozenset(), compare=False)
    """The predicates the patterns match: the rule can derive more only after one of them gained triples."""
    writes: frozenset[URIRef] = field(default=frozenset(), compare=False)
    """The predicates of the triples the rule derives."""
    saturating: bool = field(default=False, compare=False)
    """Whether the rule, applied to what it has just derived, derives nothing new (a closed VALUES table)."""

    def _where(self) -> str:
        """The patterns, each in its own GRAPH block so the rule reads the union of all named graphs, and only
        solutions whose triple no graph holds yet."""
        body = " ".join(f"GRAPH ?g{i} {{ {p} }}" for i, p in enumerate(self.patterns))
        condition = f"FILTER({self.condition})" if self.condition else ""
        return f"{self.prologue} {body} {condition} FILTER NOT EXISTS {{ GRAPH ?any {{ {self.template} }} }}"

    def insert(self, graph: str) -> str:
        """A SPARQL Update adding to `graph` what the rule derives and no graph holds yet."""
        return f"INSERT {{ GRAPH {sparql_term(URIRef(graph))} {{ {self.template} }} }} WHERE {{ {self._where()} }}"

    def construct(self) -> str:
        """A CONSTRUCT query of what the rule derives and no graph holds yet (a store may stream it to disk)."""
        return f"CONSTRUCT {{ {self.template} }} WHERE {{ {self._where()} }}"


def _values(variables: str, rows: Iterable[tuple[URIRef, ...]]) -> str:
    body = " ".join("(" + " ".join(sparql_term(term) for term in row) + ")" for row in sorted(set(rows)))
    return f"VALUES ({variables}) {{ {body} }}"


def _closure(pairs: set[tuple[URIRef, URIRef]]) -> set[tuple[URIRef, URIRef]]:
    """The transitive closure of a relation given as pairs, without reflexive pairs."""
    closure = set(pairs)
    while True:
        extra = {(a, d) for a, b in closure for c, d in closure if b == c and a != d} - closure
        if not extra:
            return closure
        closure |= extra


def _named_pairs(ontology: Graph, predicate: URIRef) -> set[tuple[URIRef, URIRef]]:
    return {(s, o) for s, o in ontology.subject_objects(predicate)
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o}


def derive_rules(ontology: Graph) -> list[Rule]:
    """The rules that the axioms of `ontology` give, in an order that lets one round derive nearly all.

    Participation gives lead organisations and, through the inverse, the chains' first steps; the
    chains give participants, sub-properties and inverses complete them, the chains run again for
    collaboration, and types come last. Rules that appear twice cost little the second time.
    """
    subclass = _named_pairs(ontology, RDFS.subClassOf)
    for a, b in _named_pairs(ontology, OWL.equivalentClass):
        subclass |= {(a, b), (b, a)}
    subproperty = _named_pairs(ontology, RDFS.subPropertyOf)
    for a, b in _named_pairs(ontology, OWL.equivalentProperty):
        subproperty |= {(a, b), (b, a)}
    inverse = _named_pairs(ontology, OWL.inverseOf)
    inverse |= {(b, a) for a, b in inverse}
    symmetric = {p for p in ontology.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)}
    inverse_rules = [Rule("owl:inverseOf", "?o ?inverse ?s", ("?s ?p ?o",), _values("?p ?inverse", inverse),
                          "!isLiteral(?o)", *_mapping_effects(inverse),
                          saturating=all(c == a for a, b in inverse for b2, c in inverse if b2 == b))
                     ] if inverse else []
    subproperty_rules = [Rule("rdfs:subPropertyOf", "?s ?super ?o", ("?s ?sub ?o",),
                              _values("?sub ?super", _closure(subproperty)), "",
                              *_mapping_effects(_closure(subproperty)), saturating=True)] if subproperty else []
    chain_rules = list(_chain_rules(ontology))
    return [
        lead_organization_rule(),
        *inverse_rules,
        *chain_rules,
        *subproperty_rules,
        *inverse_rules,
        *chain_rules,
        *([Rule("owl:SymmetricProperty", "?o ?p ?s", ("?s ?p ?o",), _values("?p", [(p,) for p in symmetric]),
                "!isLiteral(?o)", frozenset(symmetric), frozenset(symmetric), saturating=True)]
          if symmetric else []),
        *_transitive_rules(ontology),
        *([Rule("rdfs:subClassOf", "?x a ?super", ("?x a ?sub",), _values("?sub ?super", _closure(subclass)), "",
                frozenset({RDF.type}), frozenset({RDF.type}), saturating=True)]
          if subclass else []),
    ]


def _mapping_effects(pairs: set[tuple[URIRef, URIRef]]) -> tuple[frozenset[URIRef], frozenset[URIRef]]:
    """What a rule that rewrites predicate a to b for each pair reads and writes."""
    return frozenset(a for a, _ in pairs), frozenset(b for _, b in pairs)


def _transitive_rules(ontology: Graph, longest: int = 6) -> list[Rule]:
    """Chains of 2 to `longest` steps, so one round closes any hierarchy that deep (rounds do the rest)."""
    rules = []
    for prop in sorted(p for p in ontology.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)):
        p = sparql_term(prop)
        for steps in range(2, longest + 1):
            rules.append(Rule(f"owl:TransitiveProperty {prop}", f"?x0 {p} ?x{steps}",
                              tuple(f"?x{i} {p} ?x{i + 1}" for i in range(steps)), condition=f"?x0 != ?x{steps}",
                              reads=frozenset({prop}), writes=frozenset({prop})))
    return rules


def _chain_rules(ontology: Graph) -> list[Rule]:
    rules = []
    for prop, head in sorted(ontology.subject_objects(OWL.propertyChainAxiom)):
        chain = list(Collection(ontology, head))
        steps = [sparql_term(step) for step in chain]
        if not isinstance(prop, URIRef) or len(steps) < 2:
            continue
        last = len(steps)
        rules.append(Rule(f"owl:propertyChainAxiom {prop}", f"?x0 {sparql_term(prop)} ?x{last}",
                          tuple(f"?x{i} {step} ?x{i + 1}" for i, step in enumerate(steps)),
                          condition=f"?x0 != ?x{last}", reads=frozenset(chain), writes=frozenset({prop})))
    return rules


def lead_organization_rule() -> Rule:
    """A participation with the lead role makes its organization the project's lead organization."""
    lead, concerns, involves, role = (sparql_term(t) for t in (
        IG.leadOrganization, IG.concernsProject, IG.involvesOrganization, IG.hasRole))
    return Rule("ig:leadRole participation", f"?project {lead} ?org",
                (f"?part {role} {sparql_term(IG.leadRole)}", f"?part {concerns} ?project",
                 f"?part {involves} ?org"), reads=frozenset({IG.hasRole, IG.concernsProject, IG.involvesOrganization}),
                writes=frozenset({IG.leadOrganization}))


def materialise(writer: Writer, ontology: Graph, graph: str, max_rounds: int = 50) -> int:
    """Recompute the entailments graph from scratch; returns how many triples it holds.

    Semi-naive at the level of predicates: after the first pass, a rule runs again only if a predicate
    it reads has gained triples since it last ran (its own additions count unless it is saturating),
    so the last pass does not re-run every rule just to find that nothing is new.
    """
    rules = derive_rules(ontology)
    writer.drop_graph(graph)
    last_run: dict[Rule, int] = {}  # a rule listed twice counts as run at its later place
    gained: dict[URIRef, int] = {}  # predicate -> the last step whose rule added triples with it
    step = 0
    for _ in range(max_rounds):
        derived = False
        for rule in rules:
            since = last_run.get(rule)
            if since is not None and not _stale(rule, since, gained):
                continue
            step += 1
            last_run[rule] = step
            if writer.derive(graph, rule):
                derived = True
                gained.update(dict.fromkeys(rule.writes or {ANY_PREDICATE}, step))
        if not derived:  # every rule that ran found nothing new, and the others had nothing new to read
            return writer.triple_count(graph)
    raise RuntimeError(f"entailments did not reach a fixpoint in {max_rounds} rounds")


ANY_PREDICATE = URIRef("urn:innograph:any-predicate")
"""Stands for every predicate: what a rule that does not say what it writes is taken to have written."""


def _stale(rule: Rule, last_run: int, gained: dict[URIRef, int]) -> bool:
    """Whether a predicate the rule reads gained triples after its last run, or in it (unless it saturates).

    A rule that does not say what it reads is always stale.
    """
    return not rule.reads or any(gained.get(p, -1) > last_run or (gained.get(p) == last_run and not rule.saturating)
                                 for p in rule.reads | {ANY_PREDICATE})
