"""The DCAT-AP_IT catalog and VoID description of a release.

The plan office writes the catalog and dataset metadata in data/catalogo.ttl; this module adds what
only the build knows: one distribution per download (URL, media type, EU file type, byte size, a
description), the SPARQL endpoint as a dcat:DataService, the properties the catalog states once for
every dataset, landing pages, access rights, and VoID figures (triples, entities, dumps, endpoint,
example resources).

The catalog is written for three readers at once: the DCAT-AP_IT rules (dati.gov.it), the DCAT-AP
3.0.0 shapes (data.europa.eu) and CKAN's DCAT harvester (ckanext-dcat). Where they ask different
things of the same value, the value carries both (e.g. dcat:startDate and dcatapit:startDate on a
period; the IANA media-type IRI labelled so CKAN shows "text/csv"). Two conflicts cannot be met:

- how CKAN reads a format's name (see `_label_media_types`): we follow DCAT-AP_IT;
- the datatype of dcat:byteSize: xsd:nonNegativeInteger, as DCAT 3, the DCAT-AP 3.0.0 text and its
  normative SHACL (dcat-ap-3.0.0-SHACL.ttl) say; the release's html/shacl/shapes.ttl still wants
  xsd:decimal, a known defect of that file (SEMICeu/DCAT-AP#399, fixed in 3.0.1). A literal has one
  datatype, so one of the two files must report it. The DCAT-AP_IT rule on the size's datatype
  (rule 89, xsd:decimal) names dct:byteSize, a term that does not exist, so it never applies and
  does not decide the matter.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS

from psm_ld.build.built import Built
from psm_ld.build.dumps import ALL, Dump
from psm_ld.build.iris import DCAT, DCATAPIT, DCTERMS, OWL, RDF, SKOS, VOID, XSD
from psm_ld.release import CSV_FORMAT, NQUADS_FORMAT, RDF_FORMATS
from psm_ld.vocab import EU_AUTHORITY, EU_FILE_TYPE, IANA_MEDIA_TYPES, NQUADS

SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
# Everything psm-ld publishes is open to anyone, without authentication.
PUBLIC = URIRef(EU_AUTHORITY + "access-right/PUBLIC")

# stated once on the catalog in data/catalogo.ttl, true of every dataset
SHARED = (
    DCTERMS.publisher, DCTERMS.rightsHolder, DCTERMS.language, DCTERMS.accrualPeriodicity,
    DCTERMS.spatial, DCAT.contactPoint,
)  # fmt: skip
# The formats' names as people (and CKAN's format field) know them.
FORMAT_LABELS = {"turtle": "Turtle", "n-triples": "N-Triples", "json-ld": "JSON-LD", "rdf-xml": "RDF/XML",
                 "n-quads": "N-Quads", "csv": "CSV"}  # fmt: skip


# Classes DCAT-AP expects of the values of these properties. Validators usually get them by loading
# the EU authority tables; the catalog states them, and the table each EU term belongs to.
RANGES: dict[URIRef, URIRef] = {
    DCTERMS.accrualPeriodicity: DCTERMS.Frequency,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCAT.theme: SKOS.Concept,
    DCTERMS.subject: SKOS.Concept,
    DCTERMS.accessRights: DCTERMS.RightsStatement,
    DCAT.landingPage: FOAF.Document,
    DCAT.themeTaxonomy: SKOS.ConceptScheme,
    DCAT.mediaType: DCTERMS.MediaType,
    FOAF.homepage: FOAF.Document,
    DCAT.downloadURL: RDFS.Resource,
    DCAT.accessURL: RDFS.Resource,
    DCAT.endpointURL: RDFS.Resource,
    DCAT.endpointDescription: RDFS.Resource,
}


def describe_release(built: Built, dumps: list[Dump], examples: dict[str, list[URIRef]]) -> None:
    """Add distributions, the data service, landing pages, access rights and VoID to the catalog graph
    of `built`; the dataset series of data/catalogo.ttl gets the shared properties too."""
    iris = built.iris
    graph = built.dataset.graph(iris.catalog)
    catalog = iris.catalog
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    series = sorted(set(graph.subjects(RDF.type, DCAT.DatasetSeries)), key=str)
    licence = graph.value(catalog, DCTERMS.license)
    endpoint = iris("sparql")
    for dataset in datasets + series:
        for predicate in SHARED:
            for value in graph.objects(catalog, predicate):
                graph.add((dataset, predicate, value))
        graph.add((dataset, DCTERMS.accessRights, PUBLIC))
    for dataset in datasets:
        graph.add((catalog, DCAT.dataset, dataset))
        if dataset not in (iris.graph(ALL), iris.graph("ontologia"), iris.graph("shapes")):
            graph.add((dataset, DCTERMS.conformsTo, iris.ontology))
        # DCAT-AP_IT recommends a subject; the plan office has chosen no EuroVoc term, so the
        # subjects are the dataset's EU data themes (skos:Concept, as the rules require)
        for theme in list(graph.objects(dataset, DCAT.theme)):
            graph.add((dataset, DCTERMS.subject, theme))
        name = str(dataset).removeprefix(iris.base + "dataset/")
        graph.add((dataset, DCAT.landingPage, _landing_page(built, name, examples.get(name, []))))
    _temporal_of_the_whole(graph, iris.graph(ALL), datasets)
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
    _label_media_types(graph)


def _landing_page(built: Built, name: str, examples: list[URIRef]) -> URIRef:
    """The HTML page a person reads about the dataset: the home page for the whole publication, the
    plan edition's page for an edition, else the page of its scheme or ontology."""
    iris = built.iris
    if name == ALL:
        return URIRef(iris.base)
    if name.startswith("psm-"):
        return URIRef(f"{iris.plan(name.removeprefix('psm-'))}.html")
    return URIRef(f"{examples[0]}.html")


def _temporal_of_the_whole(graph: Graph, whole: URIRef, datasets: list[URIRef]) -> None:
    """The whole publication covers from the earliest start to the latest end of its parts."""
    starts, ends = [], []
    for dataset in datasets:
        for period in graph.objects(dataset, DCTERMS.temporal):
            starts += [d.toPython() for d in graph.objects(period, DCAT.startDate)]  # type: ignore[union-attr]
            ends += [d.toPython() for d in graph.objects(period, DCAT.endDate)]  # type: ignore[union-attr]
    if not starts or not ends or graph.value(whole, DCTERMS.temporal) is not None:
        return
    period = URIRef(f"{whole}#periodo")
    graph.add((whole, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    for dcat_p, it_p, value in ((DCAT.startDate, DCATAPIT.startDate, min(starts)),
                                (DCAT.endDate, DCATAPIT.endDate, max(ends))):  # fmt: skip
        graph.add((period, dcat_p, Literal(value, datatype=XSD.date)))
        graph.add((period, it_p, Literal(value, datatype=XSD.date)))


def _label_media_types(graph: Graph) -> None:
    """Name each IANA media type by itself ("text/csv"), as an rdfs:label of its IRI.

    CKAN's DCAT harvester stores a resource's `mimetype` as the rdfs:label of its dcat:mediaType when
    there is one, else as the whole IRI; DCAT-AP wants the IRI. Its `format` comes from CKAN's format
    register by media type (CSV, RDF for RDF/XML), else from a dct:format node whose first rdf:type is
    dct:IMT (DCAT-AP 1.x), else it is the format IRI. That last way cannot be taken: the DCAT-AP_IT
    rules require dct:format values typed dct:MediaTypeOrExtent (rule 84, no subclass reasoning), and
    of two types on one node which comes first is not ours to fix. So Turtle, N-Triples, JSON-LD and
    N-Quads reach CKAN as their EU file-type IRI (we follow DCAT-AP_IT).
    """
    for fmt in (*RDF_FORMATS, NQUADS_FORMAT, CSV_FORMAT):
        media_type = URIRef(IANA_MEDIA_TYPES + fmt.media_type)
        if (None, DCAT.mediaType, media_type) in graph:
            graph.add((media_type, RDFS.label, Literal(fmt.media_type)))


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
    """The ontology as the standard the data conforms to (DCAT-AP_IT dcatapit:Standard, whose
    dct:identifier the rules require: the ontology's IRI)."""
    ontology = built.iris.ontology
    graph.add((ontology, RDF.type, DCTERMS.Standard))
    graph.add((ontology, RDF.type, DCATAPIT.Standard))
    graph.add((ontology, DCTERMS.identifier, Literal(str(ontology))))
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
    label = FORMAT_LABELS[dump.format.key]
    for title in graph.objects(dataset, DCTERMS.title):
        if not isinstance(title, Literal) or title.language not in ("it", "en"):
            continue
        what = label + (f": tabella {dump.table}" if dump.table and title.language == "it" else "")
        what += f": table {dump.table}" if dump.table and title.language == "en" else ""
        graph.add((distribution, DCTERMS.title, Literal(f"{title} — {what}", lang=title.language)))
        graph.add((distribution, DCTERMS.description, _description(dump, label, str(title), title.language)))


def _description(dump: Dump, label: str, title: str, lang: str) -> Literal:
    """What the file holds, from what the build knows of it."""
    media = dump.format.media_type
    if dump.table:
        text = {"it": f"La tabella {dump.table}.csv di «{title}», come la scrive l'ufficio del piano "
                      f"(CSV UTF-8, {media}; le colonne sono descritte in data/README.md).",
                "en": f"The table {dump.table}.csv of «{title}», as the plan office writes it "
                      f"(UTF-8 CSV, {media}; the columns are described in data/README.md)."}  # fmt: skip
    else:
        named = {"it": " con i grafi nominati", "en": " with the named graphs"} if media == NQUADS else {}
        head = f"«{title}» in {label} ({media}){named.get(lang, '')}: {dump.triples}"
        text = {"it": f"{head} triple in un file.", "en": f"{head} triples in one file."}

    return Literal(text[lang], lang=lang)


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
