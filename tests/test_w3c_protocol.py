"""The W3C SPARQL 1.1 Protocol tests (../shared/conformance/w3c-sparql11/protocol/manifest.ttl) that
apply to a read-only query endpoint, run as HTTP requests against the app (in-process,
tests/servers.py) whose release holds the suite's data (graphs
<http://kasei.us/2009/09/sparql/data/dataN.rdf>; conftest `w3c`).

The harness reads each test's requests (method, path, headers, body with its character encoding)
and expected response (status class, result format, boolean) from the manifest itself.

Not applicable — these expect a SPARQL Update to succeed (2xx), which a read-only endpoint refuses
by design (403): update_dataset_default_graph, update_dataset_default_graphs,
update_dataset_named_graphs, update_dataset_full, update_post_form, update_post_direct,
update_base_uri. The bad_update_* tests do apply (an update must get a 4xx) and are run.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from servers import W3C_PROTOCOL, Serving

# every store mode (conftest, tests/modes.py): memory, disk, Oxigraph server, Virtuoso
pytestmark = pytest.mark.every_store

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
NOT_APPLICABLE = {
    "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
    "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri",
}  # fmt: skip
MANIFEST = Graph().parse(W3C_PROTOCOL / "manifest.ttl", format="turtle")


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # acceptable status classes (2, 3, 4)
    format: str | None
    boolean: bool | None


def local(node: URIRef) -> str:
    return str(node).rsplit("#", 1)[1]


def protocol_tests() -> list[URIRef]:
    entries = MANIFEST.value(URIRef(W3C_PROTOCOL.joinpath("manifest.ttl").as_uri()), MF.entries)
    if entries is None:
        entries = next(MANIFEST.objects(None, MF.entries))
    return [t for t in Collection(MANIFEST, entries) if local(t) not in NOT_APPLICABLE]  # type: ignore[arg-type]


def steps(test: URIRef) -> list[Step]:
    action = MANIFEST.value(test, MF.action)
    out = []
    for request in Collection(MANIFEST, MANIFEST.value(action, HT.requests)):
        headers = {}
        header_list = MANIFEST.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(MANIFEST, header_list):
                headers[str(MANIFEST.value(header, HT.fieldName))] = str(
                    MANIFEST.value(header, HT.fieldValue)
                )
        body = None
        content = MANIFEST.value(request, HT.body)
        if content is not None:
            encoding = str(MANIFEST.value(content, CNT.characterEncoding) or "UTF-8")
            body = str(MANIFEST.value(content, CNT.chars)).encode(encoding)
        response = MANIFEST.value(request, HT.resp)
        statuses = {int(local(s)[len("StatusCode")]) for s in MANIFEST.objects(response, MF.expectedStatus)}
        fmt = MANIFEST.value(response, MF.expectedFormat)
        boolean = MANIFEST.value(response, MF.expectedBoolean)
        path = str(MANIFEST.value(request, HT.absolutePath))
        assert path.startswith("/sparql/")
        out.append(
            Step(
                method=str(MANIFEST.value(request, HT.methodName)),
                path="sparql" + path[len("/sparql/") :],  # our endpoint is /sparql
                headers=headers,
                body=body,
                statuses=statuses,
                format=str(fmt) if fmt is not None else None,
                boolean=boolean.toPython() if boolean is not None else None,
            )
        )
    return out


def check_format(response: httpx.Response, fmt: str, boolean: bool | None) -> None:
    media = response.headers["content-type"].split(";")[0].strip()
    if fmt == "boolean":
        if media == "application/sparql-results+json":
            value = response.json()["boolean"]
        else:
            assert media == "application/sparql-results+xml"
            element = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = element is not None and element.text == "true"
        if boolean is not None:
            assert value is boolean
    elif fmt == "tabular":
        assert media in {
            "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values",
        }  # fmt: skip
        if media.endswith("json"):
            assert "bindings" in json.loads(response.content)["results"]
    elif fmt == "RDF":
        syntax = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}
        assert media in syntax
        Graph().parse(data=response.content, format=syntax[media])


TESTS = protocol_tests()


def test_manifest_is_read() -> None:
    assert len(TESTS) + len(NOT_APPLICABLE) == 34
    assert all((t, RDF.type, MF.ProtocolTest) in MANIFEST for t in TESTS)


@pytest.mark.parametrize("test", TESTS, ids=[local(t) for t in TESTS])
def test_protocol(w3c: Serving, test: URIRef) -> None:
    with w3c.client() as client:
        for step in steps(test):
            response = client.request(step.method, step.path, headers=step.headers, content=step.body)
            assert response.status_code // 100 in step.statuses, (response.status_code, response.text)
            if step.format:
                check_format(response, step.format, step.boolean)


# --- SPARQL 1.1 Service Description tests (../service-description/manifest.ttl: three tests whose
# expectations are only named, so they are spelled out here) -----------------------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def service_description(server: Serving) -> Graph:
    response = server.get("sparql")  # a plain GET, no Accept: the description in some RDF syntax
    media = response.headers["content-type"].split(";")[0]
    assert response.status_code == 200 and media == "text/turtle"  # returns-rdf
    return Graph().parse(data=response.content, format="turtle")


def test_sd_returns_rdf_with_matching_endpoint(w3c: Serving) -> None:
    graph = service_description(w3c)
    assert (None, SD.endpoint, URIRef(w3c.url + "sparql")) in graph  # has-endpoint-triple


def test_sd_conforms_to_schema(w3c: Serving) -> None:
    graph = service_description(w3c)
    service = graph.value(None, RDF.type, SD.Service)
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert (graph.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in graph
    names = {graph.value(n, SD.name) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf") for n in (1, 2, 3)}
