"""The 5568 programme graph in the store: exactly what the source article says, with provenance."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from innograph.namespaces import IG, sparql_prefixes
from innograph.ontology import load_graph, ontology_file, shapes_file
from innograph.ontology.validation import violations
from innograph.store import Store

BASE = "https://w3id.org/innograph/id/"
COMPONENTS = """
SELECT ?component ?en ?zh ?quote ?code WHERE {
  ?component a ?class ; ig:code ?code ; ig:sourceQuotation ?quote ; ig:isComponentOf ?programme ;
             rdfs:label ?en , ?zh .
  FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
}
"""


def article() -> str:
    text = (files("innograph.data") / "programme" / "5568-programme-article.txt").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("cls", "count", "prefix"), [
    ("Action", 5, "A"), ("Platform", 5, "P"), ("SpecialProject", 6, "S"), ("ResearchBase", 8, "B"),
])
def test_the_programme_has_5_actions_5_platforms_6_special_projects_and_8_bases(
        programme_store: Store, cls: str, count: int, prefix: str) -> None:
    result = programme_store.query(sparql_prefixes() + COMPONENTS, {"class": IG[cls],
                                                                    "programme": URIRef(BASE + "programme/5568")})
    assert len({row["component"] for row in result.records()}) == count
    assert sorted({str(row["code"]) for row in result.records()}) == [f"{prefix}{i}" for i in range(1, count + 1)]


def test_every_component_is_listed_once_under_the_programme(programme_store: Store) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?p a ig:Programme ; ig:hasComponent ?c }""")
    assert result.rows[0][0] == Literal(24)


def test_every_quotation_is_the_article_s_own_words(programme_store: Store) -> None:
    text = article()
    quotes = programme_store.query(sparql_prefixes() + "SELECT ?q WHERE { ?s ig:sourceQuotation ?q }").column("q")
    assert len(quotes) >= 24 + 10
    for quote in quotes:
        assert re.sub(r"\s+", " ", str(quote)) in text, quote


def test_the_eight_bases_carry_their_given_chinese_names(programme_store: Store) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT ?zh WHERE { ?b a ig:ResearchBase ; rdfs:label ?zh ; ig:hasReconstructedChineseLabel false
                           FILTER(LANG(?zh) = "zh") }""")
    assert sorted(map(str, result.column("zh"))) == sorted(
        ["太阳能光伏", "藏医药", "青藏高原特色生物资源开发", "装备制造",
         "藏毯", "有色金属", "农畜产品加工", "电子材料"])


def test_reconstructed_chinese_labels_are_marked(programme_store: Store) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT ?c WHERE { ?c a ig:ProgrammeComponent ; ig:hasReconstructedChineseLabel true }""")
    assert len(result.rows) == 5 + 5 + 6


@pytest.mark.parametrize("slug", [
    "special-project/medicine-biotechnology-processing",  # seven fragments for six slots
    "action/social-development",  # the source says only "social action"
])
def test_uncertain_readings_are_marked_in_the_data(programme_store: Store, slug: str) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT ?note WHERE { ?c ig:isUncertainReading true ; ig:readingNote ?note }""",
                                   {"c": URIRef(f"{BASE}programme/5568/{slug}")})
    assert len(result.rows) == 1 and len(str(result.rows[0][0])) > 20


def test_the_programme_states_no_year(programme_store: Store) -> None:
    assert not programme_store.query(sparql_prefixes() + """
        ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), "programme")
              && DATATYPE(?o) IN (xsd:gYear, xsd:date, xsd:dateTime)) }""").boolean


def test_the_bureau_administers_the_programme_from_xining(programme_store: Store) -> None:
    assert programme_store.query(sparql_prefixes() + """
        ASK { ?p a ig:Programme ; ig:administeredBy ?bureau .
              ?bureau a ig:GovernmentAgency ; rdfs:label "西宁市科学技术局"@zh ; ig:locatedIn ?xining .
              ?xining rdfs:label "西宁市"@zh ; ig:locatedIn ?qinghai . ?qinghai ig:locatedIn ?china .
              ?china a ig:Country ; rdfs:label "中国"@zh }""").boolean


def test_the_focus_areas_form_a_skos_scheme_of_ten(programme_store: Store) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT ?c WHERE { ?s a skos:ConceptScheme ; skos:hasTopConcept ?c . ?c a ig:FocusArea ;
                          skos:inScheme ?s ; skos:prefLabel ?en , ?zh FILTER(LANG(?en) = "en" && LANG(?zh) = "zh") }""")
    assert len(set(result.column("c"))) == 10


def test_places_that_are_not_from_the_article_say_so(programme_store: Store) -> None:
    result = programme_store.query(sparql_prefixes() + """
        SELECT ?place WHERE { ?place a ig:District ; dcterms:source ?src .
                              ?src a ig:SourceDocument FILTER NOT EXISTS { ?place ig:sourceQuotation ?q } }""",
                                   {"src": URIRef(BASE + "source/public-administrative-knowledge")})
    assert len(result.rows) == 5


def test_the_programme_graph_conforms_to_the_shapes(programme_store: Store) -> None:
    data = programme_store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                                 "FILTER(CONTAINS(STR(?g), 'programme') || CONTAINS(STR(?g), 'entailments')) }")
    graph = Graph()
    for triple in data.triples:
        graph.add(triple)
    assert violations(graph, load_graph(shapes_file()), load_graph(ontology_file())) == []


def test_the_shapes_catch_a_component_without_its_chinese_label(programme_store: Store) -> None:
    graph = Graph()
    component = URIRef(BASE + "programme/5568/action/x")
    programme = URIRef(BASE + "programme/5568")
    graph.add((component, RDF.type, IG.Action))
    graph.add((component, RDFS.label, Literal("An action", lang="en")))
    graph.add((component, IG.code, Literal("A9")))
    graph.add((component, IG.isComponentOf, programme))
    graph.add((programme, RDF.type, IG.Programme))
    found = violations(graph, load_graph(shapes_file()), load_graph(ontology_file()))
    assert any(v["focus"] == str(component) and "Chinese" in v["message"] for v in found)
