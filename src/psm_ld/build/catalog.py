"""The DCAT-AP_IT catalog and VoID description of a release.

The plan office writes the catalog and dataset metadata in data/catalogo.ttl; this module adds what
only the build knows: one distribution per download (URL, media type, EU file type, byte size), the
SPARQL endpoint as a dcat:DataService, the properties the catalog states once for every dataset,
and VoID figures (triples, entities, dumps, endpoint, example resources).
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS

from psm_ld.build.dumps import ALL, Dump
from psm_ld.build.graph import Built
from psm_ld.build.iris import DCAT, DCATAPIT, DCTERMS, OWL, RDF, SKOS, VOID, XSD
from psm_ld.vocab import EU_AUTHORITY, EU_FILE_TYPE, IANA_MEDIA_TYPES

SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

# stated once on the catalog in data/catalogo.ttl, true of every dataset
SHARED = (
    DCTERMS.publisher, DCTERMS.rightsHolder, DCTERMS.language, DCTERMS.accrualPeriodicity,
    DCTERMS.spatial, DCAT.contactPoint,
)  # fmt: skip
FORMAT_NAMES = {"turtle": "Turtle", "n-triples": "N-Triples", "json-ld": "JSON-LD", "rdf-xml": "RDF/XML",
                "n-quads": "N-Quads (con i grafi nominati)", "csv": "CSV"}  # fmt: skip


# Classes DCAT-AP expects of the values of these properties. Validators usually get them by loading
# the EU authority tables; the catalog states them, and the table each EU term belongs to.
RANGES: dict[URIRef, URIRef] = {
    DCTERMS.accrualPeriodicity: DCTERMS.Frequency,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCAT.theme: SKOS.Concept,
    DCAT.themeTaxonomy: SKOS.ConceptScheme,
    DCAT.mediaType: DCTERMS.MediaType,
    FOAF.homepage: FOAF.Document,
    DCAT.downloadURL: RDFS.Resource,
    DCAT.accessURL: RDFS.Resource,
    DCAT.endpointURL: RDFS.Resource,
    DCAT.endpointDescription: RDFS.Resource,
}


def describe_release(built: Built, dumps: list[Dump], examples: dict[str, list[URIRef]]) -> None:
    """Add distributions, the data service and VoID to the catalog graph of `built`."""
    iris = built.iris
    graph = built.dataset.graph(iris.catalog)
    catalog = iris.catalog
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    licence = graph.value(catalog, DCTERMS.license)
    endpoint = iris("sparql")
    for dataset in datasets:
        graph.add((catalog, DCAT.dataset, dataset))
        for predicate in SHARED:
            for value in graph.objects(catalog, predicate):
                graph.add((dataset, predicate, value))
        if dataset not in (iris.graph(ALL), iris.graph("ontologia"), iris.graph("shapes")):
            graph.add((dataset, DCTERMS.conformsTo, iris.ontology))
    _standard(graph, built)
    by_dataset: dict[str, list[Dump]] = defaultdict(list)
    for dump in dumps:
        by_dataset[dump.dataset].append(dump)
        _distribution(graph, built, dump, licence)
    _data_service(graph, built, datasets, licence, endpoint)
    for name, files in by_dataset.items():
        _void(graph, built, iris.graph(name), files, endpoint, examples.get(name, []))
    for dataset in datasets:
        if dataset != iris.graph(ALL):
            graph.add((iris.graph(ALL), VOID.subset, dataset))
    _type_values(graph)


def _type_values(graph: Graph) -> None:
    for predicate, cls in RANGES.items():
        for value in set(graph.objects(None, predicate)):
            if not isinstance(value, URIRef):
                continue
            graph.add((value, RDF.type, cls))
            table = str(value).removeprefix(EU_AUTHORITY).split("/")[0]
            if str(value).startswith(EU_AUTHORITY) and str(value) != EU_AUTHORITY + table:
                graph.add((value, SKOS.inScheme, URIRef(EU_AUTHORITY + table)))


def _standard(graph: Graph, built: Built) -> None:
    """The ontology as the standard the data conforms to (DCAT-AP_IT dcatapit:Standard)."""
    ontology = built.iris.ontology
    graph.add((ontology, RDF.type, DCTERMS.Standard))
    graph.add((ontology, RDF.type, DCATAPIT.Standard))
    for title in built.dataset.graph(built.iris.graph("ontologia")).objects(ontology, DCTERMS.title):
        graph.add((ontology, DCTERMS.title, title))


def _distribution(graph: Graph, built: Built, dump: Dump, licence: object) -> None:
    dataset = built.iris.graph(dump.dataset)
    distribution = URIRef(f"{dataset}/distribuzione/{dump.key}")
    url = built.iris(f"download/{dump.file}")
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, RDF.type, DCATAPIT.Distribution))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCAT.accessURL, url))
    graph.add((distribution, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + dump.format.media_type)))
    graph.add((distribution, DCTERMS.format, URIRef(EU_FILE_TYPE + dump.format.file_type)))
    graph.add((distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    if licence is not None:
        graph.add((distribution, DCTERMS.license, licence))  # type: ignore[arg-type]
    what = FORMAT_NAMES[dump.format.key] + (f": tabella {dump.table}" if dump.table else "")
    for title in graph.objects(dataset, DCTERMS.title):
        if isinstance(title, Literal) and title.language == "it":
            graph.add((distribution, DCTERMS.title, Literal(f"{title} — {what}", lang="it")))


def _data_service(graph: Graph, built: Built, datasets: list, licence: object, endpoint: URIRef) -> None:  # type: ignore[type-arg]
    graph.add((built.iris.catalog, DCAT.service, endpoint))
    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add(
        (endpoint, DCTERMS.title, Literal("Endpoint SPARQL del Piano Strategico Metropolitano", lang="it"))
    )
    graph.add(
        (endpoint, DCTERMS.title, Literal("SPARQL endpoint of the Metropolitan Strategic Plan", lang="en"))
    )
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.endpointDescription, endpoint))  # answers with its service description
    graph.add((endpoint, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    if licence is not None:
        graph.add((endpoint, DCTERMS.license, licence))  # type: ignore[arg-type]
    for predicate in (DCTERMS.publisher, DCAT.contactPoint):
        for value in graph.objects(built.iris.catalog, predicate):
            graph.add((endpoint, predicate, value))
    for dataset in datasets:
        graph.add((endpoint, DCAT.servesDataset, dataset))


def _void(graph: Graph, built: Built, dataset: URIRef, files: list[Dump], endpoint: URIRef,
          examples: list[URIRef]) -> None:  # fmt: skip
    rdf = [f for f in files if f.triples is not None]
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((dataset, VOID.uriSpace, Literal(built.iris.base)))
    if rdf:
        graph.add((dataset, VOID.triples, Literal(rdf[0].triples, datatype=XSD.integer)))
        graph.add((dataset, VOID.entities, Literal(rdf[0].entities, datatype=XSD.integer)))
    for dump in rdf:
        graph.add((dataset, VOID.dataDump, built.iris(f"download/{dump.file}")))
    for example in examples:
        graph.add((dataset, VOID.exampleResource, example))


def example_resources(built: Built) -> dict[str, list[URIRef]]:
    """Per dataset: its schemes or ontology, and for a plan edition its first action (VoID)."""
    iris = built.iris
    examples: dict[str, list[URIRef]] = {}
    kinds = (SKOS.ConceptScheme, OWL.Ontology)
    for name_iri in sorted({g for *_, g in built.dataset.quads((None, None, None, None))}, key=str):
        if not str(name_iri).startswith(iris.base + "dataset/"):
            continue
        graph = built.dataset.graph(name_iri)
        found = sorted(
            {s for k in kinds for s in graph.subjects(RDF.type, k) if isinstance(s, URIRef)}, key=str
        )
        found += sorted(graph.subjects(RDF.type, iris.psm.Azione), key=str)[:1]  # type: ignore[arg-type]
        examples[str(name_iri).removeprefix(iris.base + "dataset/")] = found
    examples[ALL] = [iris.plan("2021-2023")]
    return examples
