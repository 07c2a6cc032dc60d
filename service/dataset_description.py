"""The dataset described for machines: VoID at /.well-known/void and a DCAT-AP catalog at /catalog.

Both describe the same dataset, `<service>/.well-known/void#dataset` (the whole store, as the dumps hold it),
from the statistics and file sizes written with the dumps of the current generation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from innograph.config import Settings
from innograph.namespaces import ONTOLOGY_IRI
from innograph.service.dataset_rdf import DCAT, SD, SPDX, VOID, new_graph
from innograph.service.dumps import KINDS, Manifest

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_PUBLISHER = "innograph developers"
IANA = "http://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
FORMATS = {"application/n-quads": "N-Quads", "application/trig": "TriG", "text/turtle": "Turtle",
           "application/ld+json": "JSON-LD"}
TITLE = {"en": "innograph: a knowledge graph of science and technology innovation programmes",
         "zh": "innograph 科技创新项目知识图谱"}
DESCRIPTION = {
    "en": "The knowledge graph this innograph service publishes: the innograph ontology and its SHACL shapes, the "
          "Xining \"5568\" science and technology innovation programme as read from a public news article, the "
          "portfolios loaded into the service (each a part of this dataset with its own title and description; "
          "read them before using the data, a portfolio may be synthetic), the entailments materialised from the "
          "ontology, and the provenance of every load.",
    "zh": "本 innograph 服务发布的知识图谱：innograph 本体及其 SHACL 约束、根据公开新闻报道整理的西宁市科技创新"
          "“5568”工程、载入本服务的项目数据（每一份作为本数据集的组成部分，各有标题和说明；使用前请阅读，其中可能有"
          "合成数据）、由本体推理得到的三元组，以及每次载入的来源记录。"}
CATALOG_TITLE = {"en": "innograph data catalogue", "zh": "innograph 数据目录"}
CATALOG_DESCRIPTION = {"en": "The datasets, dumps and SPARQL endpoint of this innograph service.",
                       "zh": "本 innograph 服务的数据集、数据下载和 SPARQL 查询端点。"}


@dataclass(frozen=True)
class Site:
    """The absolute addresses of this service that the descriptions name, from the request's own URL."""

    root: str
    """The service's URL, ending with '/'."""

    @property
    def void(self) -> URIRef:
        return URIRef(f"{self.root}.well-known/void")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.root}.well-known/void#dataset")

    @property
    def catalog(self) -> URIRef:
        return URIRef(f"{self.root}catalog#catalog")

    @property
    def sparql(self) -> URIRef:
        return URIRef(f"{self.root}sparql")

    def dump(self, name: str) -> URIRef:
        return URIRef(f"{self.root}dumps/{name}")

    def distribution(self, name: str) -> URIRef:
        return URIRef(f"{self.root}catalog#distribution-{name.replace('.', '-')}")


def licence(settings: Settings) -> URIRef:
    """The licence of the data: the `dataset_license` setting (CC BY 4.0 unless configured)."""
    return URIRef(settings.dataset_license or DEFAULT_LICENSE)


def publisher_name(settings: Settings) -> str:
    """Who publishes the data: the `dataset_publisher` setting."""
    return settings.dataset_publisher or DEFAULT_PUBLISHER


def void_description(manifest: Manifest, site: Site, settings: Settings) -> Graph:
    """VoID: counts, partitions, vocabularies, the endpoint, the dumps, the URI space and the linksets."""
    stats, graph, dataset = manifest.statistics, new_graph(), site.dataset
    graph.add((site.void, RDF.type, VOID.DatasetDescription))
    graph.add((site.void, FOAF.primaryTopic, dataset))
    _about(graph, dataset, settings, manifest)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, site.sparql))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri)))
    for kind in KINDS:
        graph.add((dataset, VOID.dataDump, site.dump(kind.name)))
        graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/" + FORMATS[kind.media_type])))
    for name, value in (("triples", stats.triples), ("entities", stats.entities), ("classes", len(stats.classes)),
                        ("properties", len(stats.properties)), ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects)):
        graph.add((dataset, VOID[name], Literal(value, datatype=XSD.integer)))
    for namespace in stats.vocabularies:
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for example in stats.examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))
    for cls, entities in stats.classes.items():
        _partition(graph, dataset, VOID.classPartition, VOID["class"], cls, VOID.entities, entities)
    for prop, triples in stats.properties.items():
        _partition(graph, dataset, VOID.propertyPartition, VOID.property, prop, VOID.triples, triples)
    for index, link in enumerate(stats.linksets):
        linkset, target = URIRef(f"{site.void}#linkset-{index + 1}"), BNode()
        graph.add((dataset, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, VOID.uriSpace, Literal(link.target)))
        graph.add((linkset, VOID.linkPredicate, URIRef(link.predicate)))
        graph.add((linkset, VOID.triples, Literal(link.triples, datatype=XSD.integer)))
    return graph


def _partition(graph: Graph, dataset: URIRef, kind: URIRef, key: URIRef, term: str, measure: URIRef,
               count: int) -> None:
    node = BNode()
    graph.add((dataset, kind, node))
    graph.add((node, key, URIRef(term)))
    graph.add((node, measure, Literal(count, datatype=XSD.integer)))


def _about(graph: Graph, dataset: URIRef, settings: Settings, manifest: Manifest) -> None:
    """What VoID and DCAT both say of the dataset: titles, descriptions, licence, publisher, dates."""
    for language in ("en", "zh"):
        graph.add((dataset, DCTERMS.title, Literal(TITLE[language], lang=language)))
        graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION[language], lang=language)))
    graph.add((dataset, DCTERMS.license, licence(settings)))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    modified = manifest.statistics.modified or manifest.created
    graph.add((dataset, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    for source in manifest.statistics.sources:
        part = URIRef(source.graph)
        graph.add((dataset, DCTERMS.hasPart, part))
        graph.add((part, DCTERMS.isPartOf, dataset))
        for language, text in source.titles.items():
            graph.add((part, DCTERMS.title, Literal(text, lang=language or None)))
        for language, text in source.descriptions.items():
            graph.add((part, DCTERMS.description, Literal(text, lang=language or None)))
        graph.add((part, DCTERMS.modified, Literal(source.loaded, datatype=XSD.dateTime)))


def dcat_catalog(manifest: Manifest, site: Site, settings: Settings) -> Graph:
    """A DCAT-AP catalog: the dataset, a distribution per dump with size and checksum, and the SPARQL service."""
    graph, catalog, dataset = new_graph(), site.catalog, site.dataset
    publisher = URIRef(f"{site.root}catalog#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(publisher_name(settings))))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    for language in ("en", "zh"):
        graph.add((catalog, DCTERMS.title, Literal(CATALOG_TITLE[language], lang=language)))
        graph.add((catalog, DCTERMS.description, Literal(CATALOG_DESCRIPTION[language], lang=language)))
    for code in ("ENG", "ZHO"):
        graph.add((catalog, DCTERMS.language, URIRef(EU_LANGUAGE + code)))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.license, licence(settings)))
    graph.add((catalog, FOAF.homepage, URIRef(site.root)))
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((catalog, DCAT.service, site.sparql))
    _about(graph, dataset, settings, manifest)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.landingPage, URIRef(site.root)))
    for language, words in (("en", ("science and technology innovation", "research projects", "Xining")),
                            ("zh", ("科技创新", "科研项目", "西宁"))):
        for word in words:
            graph.add((dataset, DCAT.keyword, Literal(word, lang=language)))
    for part in manifest.statistics.sources:
        graph.add((URIRef(part.graph), RDF.type, DCAT.Dataset))
    for file in manifest.files:
        _distribution(graph, site, settings, manifest, file.name, file.size, file.sha256)
    _service(graph, site, settings, dataset)
    return graph


def _distribution(graph: Graph, site: Site, settings: Settings, manifest: Manifest, name: str, size: int,
                  sha256: str) -> None:
    kind = next(k for k in KINDS if k.name == name)
    distribution, checksum = site.distribution(name), BNode()
    graph.add((site.dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(kind.title, lang="en")))
    graph.add((distribution, DCAT.accessURL, URIRef(f"{site.root}dumps/")))
    graph.add((distribution, DCAT.downloadURL, site.dump(name)))
    graph.add((distribution, DCAT.mediaType, URIRef(IANA + kind.media_type)))
    graph.add((distribution, DCTERMS["format"], URIRef(EU_FILE_TYPE + kind.eu_file_type)))
    if kind.compressed:
        graph.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    graph.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    graph.add((distribution, DCTERMS.license, licence(settings)))
    graph.add((distribution, DCTERMS.issued, Literal(manifest.created, datatype=XSD.dateTime)))
    graph.add((distribution, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))


def _service(graph: Graph, site: Site, settings: Settings, dataset: URIRef) -> None:
    """The SPARQL endpoint as a dcat:DataService, and a distribution of the dataset through it."""
    service, through = site.sparql, site.distribution("sparql")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    graph.add((service, DCTERMS.title, Literal("SPARQL 1.1 查询端点", lang="zh")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.endpointDescription, service))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    graph.add((service, DCTERMS.license, licence(settings)))
    graph.add((service, RDF.type, SD.Service))
    graph.add((dataset, DCAT.distribution, through))
    graph.add((through, RDF.type, DCAT.Distribution))
    graph.add((through, DCTERMS.title, Literal("Queries through the SPARQL endpoint", lang="en")))
    graph.add((through, DCAT.accessURL, service))
    graph.add((through, DCAT.accessService, service))
    graph.add((through, DCTERMS.license, licence(settings)))
    graph.add((through, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
