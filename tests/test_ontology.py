"""The ontology parses, is OWL 2 DL consistent under HermiT, and documents every term."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from innograph.namespaces import IG, ONTOLOGY_IRI
from innograph.ontology import load_graph, ontology_file
from innograph.ontology.consistency import is_consistent

from .conftest import FIXTURES

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(ontology_file())


def our_terms(ontology: Graph) -> list[URIRef]:
    return sorted({s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t)
                   if isinstance(s, URIRef) and s.startswith(str(IG))})


def test_the_ontology_declares_the_classes_the_programme_needs(ontology: Graph) -> None:
    needed = ["Programme", "ProgrammeComponent", "Action", "Platform", "SpecialProject", "ResearchBase",
              "Project", "Organization", "GovernmentAgency", "University", "ResearchInstitute", "Enterprise",
              "Participation", "Funding", "FocusArea", "Place", "Country", "Province", "City", "District"]
    for name in needed:
        assert (IG[name], RDF.type, OWL.Class) in ontology, name


def test_the_ontology_declares_the_properties_the_issue_names(ontology: Graph) -> None:
    needed = ["hasComponent", "isComponentOf", "administeredBy", "locatedIn", "partOf", "hasFocusArea",
              "participant", "participatesIn", "leadOrganization", "hostedBy", "hosts", "fundedBy",
              "collaboratesWith"]
    for name in needed:
        assert (IG[name], RDF.type, OWL.ObjectProperty) in ontology, name
    assert (IG.hasComponent, OWL.inverseOf, IG.isComponentOf) in ontology
    assert (IG.participant, OWL.inverseOf, IG.participatesIn) in ontology
    assert (IG.leadOrganization, RDFS.subPropertyOf, IG.participant) in ontology
    assert (IG.locatedIn, RDF.type, OWL.TransitiveProperty) in ontology
    assert (IG.collaboratesWith, RDF.type, OWL.SymmetricProperty) in ontology


def test_every_term_has_an_english_and_a_chinese_label_and_a_definition(ontology: Graph) -> None:
    terms = our_terms(ontology)
    assert len(terms) > 40
    for term in terms:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"en", "zh"} <= languages, term
        definitions = [d for d in ontology.objects(term, SKOS.definition) if d.language == "en"]
        assert len(definitions) == 1, term


def test_the_ontology_carries_its_metadata(ontology: Graph) -> None:
    ont = URIRef(ONTOLOGY_IRI)
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.license, DCTERMS.created,
                      DCTERMS.modified, OWL.versionIRI, OWL.versionInfo):
        assert ontology.value(ont, predicate) is not None, predicate
    vann = "http://purl.org/vocab/vann/"
    assert str(ontology.value(ont, URIRef(vann + "preferredNamespaceUri"))) == str(IG)


def test_the_ontology_imports_nothing(ontology: Graph) -> None:
    assert not list(ontology.triples((None, OWL.imports, None)))


@pytest.mark.parametrize(("ours", "theirs"), [
    ("Organization", "http://www.w3.org/ns/org#Organization"),
    ("Project", "https://schema.org/ResearchProject"),
    ("Funding", "https://schema.org/Grant"),
    ("Funding", "http://purl.org/cerif/frapo/Grant"),
    ("Programme", "http://purl.org/cerif/frapo/FundingProgramme"),
    ("University", "https://schema.org/CollegeOrUniversity"),
    ("GovernmentAgency", "https://schema.org/GovernmentOrganization"),
    ("FocusArea", "http://www.w3.org/2004/02/skos/core#Concept"),
    ("ResearchBase", "http://www.w3.org/ns/org#Site"),
    ("Organization", "http://xmlns.com/foaf/0.1/Organization"),
    ("Project", "http://www.w3.org/ns/prov#Entity"),
])
def test_classes_are_aligned_with_the_standard_vocabularies(ontology: Graph, ours: str, theirs: str) -> None:
    assert (IG[ours], RDFS.subClassOf, URIRef(theirs)) in ontology


def test_hermit_finds_the_ontology_with_the_programme_consistent(ontology: Graph, programme_store) -> None:
    programme = Graph()
    for s, p, o in programme_store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                                         "FILTER(CONTAINS(STR(?g), 'programme')) }").triples:
        programme.add((s, p, o))
    assert len(programme) > 400
    assert is_consistent([ontology, programme])


def test_hermit_reports_an_individual_of_two_disjoint_classes_as_inconsistent(ontology: Graph) -> None:
    bad = Graph().parse(FIXTURES / "inconsistent.ttl")
    assert not is_consistent([ontology, bad])
