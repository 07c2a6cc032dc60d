"""Why an inferred link holds: the rules that derive it, checked by hand against the ontology's axioms.

Project XN-2025-00001 of the demo portfolio is led by Nanshan Institute of Plateau Ecology (credit code
91630100A11HT34Y8R, a research institute) with Riyue Mechanics University (91630100T2WKLL8A3R) as the
other participant (data/demo/participation.csv). The ontology (ontology/innograph.ttl) says:
ig:participant owl:inverseOf ig:participatesIn and owl:propertyChainAxiom (ig:hasParticipation
ig:involvesOrganization); ig:leadOrganization rdfs:subPropertyOf ig:participant, owl:inverseOf ig:leads;
ig:leads rdfs:subPropertyOf ig:participatesIn; ig:collaboratesWith a owl:SymmetricProperty with
owl:propertyChainAxiom (ig:participatesIn ig:participant); ig:ResearchInstitute rdfs:subClassOf
ig:Organization rdfs:subClassOf org:Organization; ig:Project rdfs:subClassOf foaf:Project.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, URIRef

from innograph.config import Settings
from innograph.namespaces import IG, PREFIXES
from innograph.ontology.explanation import explain, explain_all, ontology_rules
from innograph.ontology.rules import Rule
from innograph.store import Store, open_store

BASE = "https://w3id.org/innograph/id/"
PROJECT = URIRef(BASE + "project/xn-2025-00001")
LEAD = URIRef(BASE + "organization/91630100a11ht34y8r")
OTHER = URIRef(BASE + "organization/91630100t2wkll8a3r")
COMPONENT = URIRef(BASE + "programme/5568/action/strategic-emerging-industry-cultivation")
FOAF_PROJECT = URIRef("http://xmlns.com/foaf/0.1/Project")
ORG_ORGANIZATION = URIRef(PREFIXES["org"] + "Organization")


@pytest.fixture(scope="module")
def store(demo_settings: Settings) -> Store:
    return open_store(demo_settings.store)


@pytest.fixture(scope="module")
def rules(store: Store, demo_settings: Settings) -> list[Rule]:
    return ontology_rules(store, demo_settings.graphs.ontology)


CASES = [
    pytest.param((OTHER, IG.participatesIn, PROJECT), {"owl:inverseOf ig:participant"}, id="participatesIn"),
    pytest.param((LEAD, IG.participatesIn, PROJECT),
                 {"owl:inverseOf ig:participant", "rdfs:subPropertyOf ig:leads"}, id="participatesIn-by-lead"),
    pytest.param((PROJECT, IG.participant, OTHER),
                 {"owl:propertyChainAxiom (ig:hasParticipation ig:involvesOrganization)",
                  "owl:inverseOf ig:participatesIn"}, id="participant"),
    pytest.param((PROJECT, IG.participant, LEAD),
                 {"owl:propertyChainAxiom (ig:hasParticipation ig:involvesOrganization)",
                  "owl:inverseOf ig:participatesIn", "rdfs:subPropertyOf ig:leadOrganization"}, id="participant-lead"),
    pytest.param((PROJECT, IG.leadOrganization, LEAD), {"ig:leadRole participation", "owl:inverseOf ig:leads"},
                 id="leadOrganization"),
    pytest.param((LEAD, IG.collaboratesWith, OTHER),
                 {"owl:propertyChainAxiom (ig:participatesIn ig:participant)",
                  "owl:SymmetricProperty ig:collaboratesWith"}, id="collaboratesWith"),
    pytest.param((PROJECT, RDF.type, FOAF_PROJECT), {"rdfs:subClassOf ig:Project"}, id="type-project"),
    pytest.param((LEAD, RDF.type, IG.Organization), {"rdfs:subClassOf ig:ResearchInstitute"}, id="type-organization"),
    pytest.param((LEAD, RDF.type, ORG_ORGANIZATION),
                 {"rdfs:subClassOf ig:ResearchInstitute", "rdfs:subClassOf ig:Organization"}, id="type-org"),
]


@pytest.mark.parametrize(("triple", "labels"), CASES)
def test_an_inferred_link_names_exactly_the_axioms_that_give_it(store: Store, rules: list[Rule], triple: tuple,
                                                                  labels: set[str]) -> None:
    assert {e.label for e in explain(store, rules, triple)} == labels


def test_the_axiom_is_written_out_in_full(store: Store, rules: list[Rule]) -> None:
    reasons = {e.rule: e.axiom for e in explain(store, rules, (PROJECT, IG.participant, LEAD))}
    assert reasons == {
        f"owl:propertyChainAxiom {IG.participant}":
            "ig:participant owl:propertyChainAxiom (ig:hasParticipation ig:involvesOrganization)",
        "owl:inverseOf": "ig:participant owl:inverseOf ig:participatesIn",
        "rdfs:subPropertyOf": "ig:leadOrganization rdfs:subPropertyOf ig:participant",
    }


def test_a_reason_from_a_source_comes_before_an_echo_of_another_inferred_link(store: Store,
                                                                                rules: list[Rule]) -> None:
    """The chain says where collaboration comes from; symmetry only mirrors the other direction."""
    labels = [e.label for e in explain(store, rules, (LEAD, IG.collaboratesWith, OTHER))]
    assert labels[0].startswith("owl:propertyChainAxiom")


@pytest.mark.parametrize("triple", [
    pytest.param((PROJECT, IG.partOf, COMPONENT), id="stated-and-underivable"),
    pytest.param((PROJECT, IG.leadOrganization, OTHER), id="false"),
    pytest.param((OTHER, IG.collaboratesWith, OTHER), id="self-collaboration"),
])
def test_a_link_no_rule_derives_has_no_reason(store: Store, rules: list[Rule], triple: tuple) -> None:
    assert explain(store, rules, triple) == []


def test_every_materialised_triple_has_a_reason(store: Store, rules: list[Rule], demo_settings: Settings) -> None:
    """The entailments graph holds nothing the rules, run backwards, cannot account for."""
    entailed = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                           {"g": URIRef(demo_settings.graphs.entailments)}).rows
    assert len(entailed) > 4000
    explained = explain_all(store, rules, entailed)
    assert [t for t in entailed if t not in explained] == []


def test_the_rules_are_derived_once_per_data_version(store: Store, demo_settings: Settings) -> None:
    assert ontology_rules(store, demo_settings.graphs.ontology) is ontology_rules(store, demo_settings.graphs.ontology)
