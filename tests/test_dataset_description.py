"""VoID at /.well-known/void and the DCAT-AP catalog at /catalog: they parse, and their numbers are the data's.

The expected counts are made by rdflib from the store's own N-Quads, independently of the SPARQL that the
service counts with; sizes and checksums are those of the bytes the dump URLs serve.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import RDF, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF
from rdflib.term import Node

from innograph.config import Settings
from innograph.store import open_store
from innograph.store.rdfio import SYNTAXES as STORE_SYNTAXES

from .test_linked_data import SYNTAXES, fetch, parsed

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DUMPS = ["innograph.nq.gz", "innograph.trig", "innograph.ttl", "innograph.jsonld"]
MAPPING = Path(__file__).parents[1] / "data" / "demo" / "mapping.yaml"
USED_VOCABULARIES = ["https://w3id.org/innograph/def/", "http://www.w3.org/ns/org#",
                     "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/",
                     "http://xmlns.com/foaf/0.1/", "https://schema.org/"]


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


@pytest.fixture(scope="module")
def void(service: str) -> Graph:
    return parsed(fetch(service, "/.well-known/void"))


@pytest.fixture(scope="module")
def catalog(service: str) -> Graph:
    return parsed(fetch(service, "/catalog"))


@pytest.fixture(scope="module")
def union(demo_settings: Settings) -> set[tuple[Node, Node, Node]]:
    """Every distinct triple of the store, from its N-Quads read by rdflib."""
    dataset = Dataset()
    dataset.parse(data=open_store(demo_settings.store).dump(STORE_SYNTAXES["nquads"]), format="nquads")
    return {(s, p, o) for s, p, o, _ in dataset.quads()}


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    found = list(graph.objects(subject, predicate))
    assert len(found) == 1, (subject, predicate, found)
    return found[0]


def number(graph: Graph, subject: Node, predicate: URIRef) -> int:
    return int(one(graph, subject, predicate).toPython())


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
def test_descriptions_parse_alike_in_every_syntax(service: str, path: str) -> None:
    graphs = []
    for media_type in SYNTAXES:
        reply = fetch(service, path, media_type)
        assert reply.status == 200 and reply.headers["content-type"].startswith(media_type)
        assert "accept" in reply.headers["vary"].lower()
        graphs.append(parsed(reply))
    assert fetch(service, path).headers["content-type"].startswith("text/turtle")
    assert all(isomorphic(graphs[0], other) for other in graphs[1:])


def test_void_counts_are_the_data_counts(service: str, void: Graph, union: set) -> None:
    dataset = URIRef(f"{service}/.well-known/void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    types = [(s, o) for s, p, o in union if p == RDF.type and isinstance(o, URIRef)]
    assert number(void, dataset, VOID.triples) == len(union)
    assert number(void, dataset, VOID.entities) == len({s for s, _, _ in union if isinstance(s, URIRef)})
    assert number(void, dataset, VOID.classes) == len({o for _, o in types})
    assert number(void, dataset, VOID.properties) == len({p for _, p, _ in union})
    assert number(void, dataset, VOID.distinctSubjects) == len({s for s, _, _ in union})
    assert number(void, dataset, VOID.distinctObjects) == len({o for _, _, o in union})
    per_class = Counter(o for s, o in set(types) if isinstance(s, URIRef))
    partitions = {one(void, node, VOID["class"]): number(void, node, VOID.entities)
                  for node in void.objects(dataset, VOID.classPartition)}
    assert partitions == {o: per_class.get(o, 0) for _, o in types}
    per_property = Counter(p for _, p, _ in union)
    properties = {one(void, node, VOID.property): number(void, node, VOID.triples)
                  for node in void.objects(dataset, VOID.propertyPartition)}
    assert properties == dict(per_property)
    assert properties[URIRef("https://w3id.org/innograph/def/involvesOrganization")] == 371  # participation.csv rows


def test_void_names_the_endpoint_dumps_vocabularies_and_uri_space(service: str, void: Graph,
                                                                 demo_settings: Settings) -> None:
    dataset = URIRef(f"{service}/.well-known/void#dataset")
    assert one(void, dataset, VOID.sparqlEndpoint) == URIRef(f"{service}/sparql")
    assert set(void.objects(dataset, VOID.dataDump)) == {URIRef(f"{service}/dumps/{name}") for name in DUMPS}
    assert one(void, dataset, VOID.uriSpace) == Literal(demo_settings.base_iri)
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert set(USED_VOCABULARIES) <= vocabularies
    examples = list(void.objects(dataset, VOID.exampleResource))
    assert examples
    for example in examples:
        assert str(example).startswith(demo_settings.base_iri)
        assert fetch(service, "/id/" + example[len(demo_settings.base_iri):], "text/turtle").status == 303
    assert (None, RDF.type, VOID.Linkset) not in void  # the data links only to its own IRIs and vocabularies


def test_catalog_is_dcat_ap_with_titles_publisher_and_licence(service: str, catalog: Graph, void: Graph) -> None:
    root = URIRef(f"{service}/catalog#catalog")
    dataset = one(catalog, root, DCAT.dataset)
    assert dataset == one(void, URIRef(f"{service}/.well-known/void"), FOAF.primaryTopic)
    for subject in (root, dataset):
        for predicate in (DCTERMS.title, DCTERMS.description):
            assert {o.language for o in catalog.objects(subject, predicate)} == {"en", "zh"}
        assert isinstance(one(catalog, subject, DCTERMS.license), URIRef)
    publisher = one(catalog, root, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in catalog and one(catalog, publisher, FOAF.name)
    demo = URIRef("https://w3id.org/innograph/id/graph/source/demo")
    assert (dataset, DCTERMS.hasPart, demo) in catalog
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))["dataset"]
    for language in ("en", "zh"):
        assert Literal(mapping["title"][language], lang=language) in set(catalog.objects(demo, DCTERMS.title))
        assert Literal(mapping["description"][language], lang=language) in set(
            catalog.objects(demo, DCTERMS.description))


def test_catalog_distributions_carry_the_size_and_checksum_of_the_served_bytes(service: str,
                                                                              catalog: Graph) -> None:
    dataset = one(catalog, URIRef(f"{service}/catalog#catalog"), DCAT.dataset)
    downloads = {}
    for distribution in catalog.objects(dataset, DCAT.distribution):
        assert (distribution, RDF.type, DCAT.Distribution) in catalog
        assert one(catalog, distribution, DCAT.accessURL)
        for url in catalog.objects(distribution, DCAT.downloadURL):
            downloads[str(url)] = distribution
    assert sorted(downloads) == sorted(f"{service}/dumps/{name}" for name in DUMPS)
    for url, distribution in downloads.items():
        body = fetch(service, url[len(service):]).body
        size = one(catalog, distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(body)
        checksum = one(catalog, distribution, SPDX.checksum)
        assert one(catalog, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(one(catalog, checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        media_type = str(one(catalog, distribution, DCAT.mediaType))
        assert media_type.startswith("http://www.iana.org/assignments/media-types/")
        assert str(one(catalog, distribution, DCTERMS["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/")
    gzip_one = downloads[f"{service}/dumps/innograph.nq.gz"]
    assert str(one(catalog, gzip_one, DCAT.compressFormat)).endswith("/application/gzip")
    assert str(one(catalog, gzip_one, DCAT.mediaType)).endswith("/application/n-quads")


def test_catalog_describes_the_sparql_endpoint_as_a_data_service(service: str, catalog: Graph) -> None:
    endpoint = URIRef(f"{service}/sparql")
    dataset = one(catalog, URIRef(f"{service}/catalog#catalog"), DCAT.dataset)
    assert (URIRef(f"{service}/catalog#catalog"), DCAT.service, endpoint) in catalog
    assert (endpoint, RDF.type, DCAT.DataService) in catalog
    assert one(catalog, endpoint, DCAT.endpointURL) == endpoint
    assert (endpoint, DCAT.servesDataset, dataset) in catalog
    assert any((d, DCAT.accessService, endpoint) in catalog for d in catalog.objects(dataset, DCAT.distribution))
    assert fetch(service, "/sparql?query=ASK%7B%7D", "application/sparql-results+json").status == 200
