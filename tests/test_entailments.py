"""Entailments are materialised so plain SPARQL sees them, and they agree with an OWL 2 RL reasoner."""

from __future__ import annotations

import owlrl
import reasonable
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef

from innograph.namespaces import IG, sparql_prefixes
from innograph.ontology import load_graph, ontology_file
from innograph.store import Store

BASE = "https://w3id.org/innograph/id/"
UNIVERSITY = URIRef(BASE + "organization/test-university")
INSTITUTE = URIRef(BASE + "organization/test-institute")
ENTERPRISE = URIRef(BASE + "organization/test-enterprise")
P1, P2 = URIRef(BASE + "project/P-1"), URIRef(BASE + "project/P-2")


def ask(store: Store, pattern: str, **bindings: URIRef) -> bool:
    return bool(store.query(sparql_prefixes() + f"ASK {{ {pattern} }}", bindings).boolean)


def test_a_university_is_an_org_organization(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "?u a org:Organization , foaf:Organization , schema:CollegeOrUniversity",
               u=UNIVERSITY)


def test_a_lead_organisation_is_a_participant(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "?p ig:leadOrganization ?u ; ig:participant ?u . ?u ig:leads ?p ; "
                                    "ig:participatesIn ?p", p=P1, u=UNIVERSITY)


def test_a_participant_that_does_not_lead_is_not_a_lead(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "?p ig:participant ?e", p=P1, e=ENTERPRISE)
    assert not ask(collaboration_store, "?p ig:leadOrganization ?e", p=P1, e=ENTERPRISE)


def test_participations_stated_from_the_project_side_are_completed(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "?p ig:leadOrganization ?i ; ig:participant ?e", p=P2, i=INSTITUTE, e=ENTERPRISE)


def test_collaboration_is_entailed_by_co_participation_and_is_symmetric(collaboration_store: Store) -> None:
    rows = collaboration_store.query(sparql_prefixes() + "SELECT ?a ?b WHERE { ?a ig:collaboratesWith ?b }").rows
    assert set(rows) == {(UNIVERSITY, ENTERPRISE), (ENTERPRISE, UNIVERSITY),
                         (INSTITUTE, ENTERPRISE), (ENTERPRISE, INSTITUTE)}


def test_no_organisation_collaborates_with_itself(collaboration_store: Store) -> None:
    assert not ask(collaboration_store, "?a ig:collaboratesWith ?a")


def test_anything_located_in_xining_is_located_in_china(collaboration_store: Store) -> None:
    places = {"xining": URIRef(BASE + "place/xining"), "china": URIRef(BASE + "place/china")}
    rows = collaboration_store.query(sparql_prefixes() + """
        SELECT ?thing WHERE { ?thing ig:locatedIn ?xining FILTER NOT EXISTS { ?thing ig:locatedIn ?china } }""",
                                     places).rows
    assert rows == []
    assert ask(collaboration_store, "?u ig:locatedIn ?china", u=UNIVERSITY, china=URIRef(BASE + "place/china"))


def test_inverses_are_materialised_both_ways(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "?base ig:isComponentOf ?prog . ?prog ig:hasComponent ?base",
               base=URIRef(BASE + "programme/5568/base/tibetan-medicine"), prog=URIRef(BASE + "programme/5568"))
    assert ask(collaboration_store, "?p ig:fundedBy ?f . ?f ig:funds ?p", p=P1)


def test_entailments_live_in_their_own_graph(collaboration_store: Store) -> None:
    assert ask(collaboration_store, "GRAPH ?g { ?a ig:collaboratesWith ?b }",
               g=URIRef(BASE + "graph/entailments"))
    assert not ask(collaboration_store, "GRAPH ?g { ?a ig:collaboratesWith ?b } FILTER(?g != ?e)",
                   e=URIRef(BASE + "graph/entailments"))


def closure_of_interest(triples: list[tuple], terms: set[URIRef]) -> set[tuple]:
    """Triples about instances: rdf:type to a named class, or an object property between instances."""
    kept = set()
    for s, p, o in triples:
        if not (isinstance(s, URIRef) and s.startswith(BASE)) or isinstance(o, (BNode, Literal)):
            continue
        is_type = p == RDF.type and o in terms
        is_link = p != RDF.type and p in terms and o.startswith(BASE) and s != o
        if is_type or is_link:
            kept.add((s, p, o))
    return kept


def reasoner_input(store: Store) -> Graph:
    """The asserted data and ontology, without domain and range axioms, plus the lead-role rule's output.

    Domain and range are left out because our rules do not apply them (the shapes check them
    instead); the lead-role rule, which OWL 2 RL cannot state, is the one rule whose output is
    given to the reasoners as input.
    """
    asserted = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                           "FILTER(!CONTAINS(STR(?g), '/graph/entailments') && !CONTAINS(STR(?g), '/graph/shapes')) }")
    leads = store.query(sparql_prefixes() + "CONSTRUCT { ?p ig:leadOrganization ?o } WHERE { "
                        "?part ig:concernsProject ?p ; ig:involvesOrganization ?o ; ig:hasRole ig:leadRole }")
    graph = Graph()
    for triple in [*asserted.triples, *leads.triples]:
        if triple[1] not in (RDFS.domain, RDFS.range):
            graph.add(triple)
    return graph


def compare(store: Store, theirs: list[tuple], ignored: set[URIRef]) -> None:
    ontology = load_graph(ontology_file())
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef)} - {OWL.Thing} - ignored
    ours = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
    expected = closure_of_interest(theirs, terms)
    actual = closure_of_interest(ours, terms)
    assert len(expected) > 300
    assert sorted(actual - expected) == []
    assert sorted(expected - actual) == []


def test_the_rules_entail_what_reasonable_entails(collaboration_store: Store) -> None:
    """`reasonable` (OWL 2 RL in Rust) does not apply property chains, so chain-built links are not compared."""
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(reasoner_input(collaboration_store))
    compare(collaboration_store, reasoner.reason(), {IG.participant, IG.participatesIn, IG.collaboratesWith})


def test_the_rules_entail_what_owlrl_entails_including_property_chains(collaboration_store: Store) -> None:
    """`owlrl` applies chains, and so also relates an organisation to itself, which our rule leaves out."""
    graph = reasoner_input(collaboration_store)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    compare(collaboration_store, [t for t in graph if not (t[1] == IG.collaboratesWith and t[0] == t[2])], set())
