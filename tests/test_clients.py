"""Independent SPARQL clients against /sparql: SPARQLWrapper and rdflib's SPARQLStore, in every store
mode: from memory on a real uvicorn (`endpoint_server`), in the other modes on the mode's in-process
app through a loopback socket (servers.Bridge: a uvicorn per mode would cost its start-up)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from servers import Bridge, InProcess, Serving
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

# SPARQLWrapper and SPARQLStore need a real URL; every store mode (conftest, tests/modes.py)
pytestmark = [pytest.mark.slow, pytest.mark.every_store]


@pytest.fixture(scope="session")
def bridges() -> Iterator[dict[int, Bridge]]:
    """One bridge per in-process app, opened on first use, closed at the end of the session."""
    opened: dict[int, Bridge] = {}
    yield opened
    for bridge in opened.values():
        bridge.close()


@pytest.fixture
def endpoint_server(
    store_mode: str, same_origin: InProcess, bridges: dict[int, Bridge], request: pytest.FixtureRequest
) -> Serving:
    """The same-origin release on a real URL, from the store `store_mode` names."""
    if store_mode == "memory":
        return request.getfixturevalue("same_origin_server")
    if id(same_origin) not in bridges:
        bridges[id(same_origin)] = Bridge.open(same_origin)
    return bridges[id(same_origin)]

AXES = """PREFIX psm: <{base}ontologia#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?asse ?titolo WHERE {{
  ?asse a psm:Asse ; skos:inScheme <{base}psm/2021-2023> ; skos:prefLabel ?titolo .
  FILTER(lang(?titolo) = "it")
}} ORDER BY ?asse"""


def wrapper(server: Serving, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


MISSION = "{base}pnrr/missione/M1"
FORMS = {
    "SELECT": AXES,
    "ASK": "ASK {{ <{base}psm/2021-2023/asse/1> ?p ?o }}",
    "CONSTRUCT": "CONSTRUCT WHERE {{ <" + MISSION + "> ?p ?o }}",
    "DESCRIBE": "DESCRIBE <" + MISSION + ">",
}
RETURN_FORMATS = (JSON, XML, CSV, TSV, N3, TURTLE, RDF, RDFXML, JSONLD)  # every one SPARQLWrapper has
RESULTS_JSON, RESULTS_XML = "application/sparql-results+json", "application/sparql-results+xml"


def expected_media(form: str, fmt: str) -> str:
    """What psm-ld answers SPARQLWrapper. The pairs SPARQLWrapper offers get their format; the others
    (it then sends Accept: */* and warns) get the default of the query form, or what their ?format=
    names (json: JSON-LD for a graph; rdf: RDF/XML). ASK has no CSV/TSV form (the CSV/TSV results
    format defines none for a boolean): JSON."""
    if form in ("SELECT", "ASK"):
        offered = {XML: RESULTS_XML}
        if form == "SELECT":
            offered |= {CSV: "text/csv", TSV: "text/tab-separated-values"}
        return offered.get(fmt, RESULTS_JSON)
    graph_formats = {XML: "application/rdf+xml", RDFXML: "application/rdf+xml", RDF: "application/rdf+xml",
                     JSON: "application/ld+json", JSONLD: "application/ld+json"}  # fmt: skip
    return graph_formats.get(fmt, "text/turtle")


def check_converted(form: str, media: str, converted: object, base: str) -> None:
    """SPARQLWrapper's conversion of the answer holds the expected result."""
    if media == RESULTS_JSON:
        assert isinstance(converted, dict)
        if form == "ASK":
            assert converted["boolean"] is True
        else:
            assert len({row["asse"]["value"] for row in converted["results"]["bindings"]}) == 6
    elif media == RESULTS_XML:
        if form == "ASK":
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[attr-defined]
        else:
            assert len(converted.getElementsByTagName("result")) >= 6  # type: ignore[attr-defined]
    elif media in ("text/csv", "text/tab-separated-values"):
        lines = converted.decode().splitlines()  # type: ignore[attr-defined]
        assert lines[0] in ("asse,titolo", "?asse\t?titolo") and len(lines) >= 7
    else:  # a graph: rdflib's (RDF/XML, JSON-LD) or Turtle text
        graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
        assert len(graph) > 3
        assert URIRef(MISSION.format(base=base)) in set(graph.subjects())


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", RETURN_FORMATS)
@pytest.mark.parametrize("form", FORMS)
def test_sparqlwrapper_matrix(endpoint_server: Serving, form: str, fmt: str, method: str) -> None:
    """SPARQLWrapper, every query form by every return format, by GET and by POST. It sends
    `format=tsv&format=text/tab-separated-values` and the like (a name and its media type): psm-ld
    takes agreeing repeats as one parameter (it answered 400 before)."""
    base = endpoint_server.base
    sparql = wrapper(endpoint_server, FORMS[form].format(base=base), fmt, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper warns on the pairs it does not offer, rdflib on
        result = sparql.query()  # ConjunctiveGraph; neither is about the server
        media = result.info()["content-type"].split(";")[0]
        assert media == expected_media(form, fmt)
        check_converted(form, media, result.convert(), base)


def test_sparqlwrapper_update_refused(endpoint_server: Serving) -> None:
    sparql = SPARQLWrapper(endpoint_server.url + "sparql")
    sparql.setQuery("INSERT DATA { <http://a> <http://b> <http://c> }")
    sparql.setMethod("POST")
    with pytest.raises(Exception) as failure:  # noqa: B017 - SPARQLWrapper raises HTTPError subclasses
        sparql.query()
    assert "403" in str(failure.value) or "read-only" in str(failure.value)


def test_rdflib_sparqlstore(endpoint_server: Serving) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=endpoint_server.url + "sparql"))
    rows = list(graph.query(AXES.format(base=endpoint_server.base)))
    assert len({row[0] for row in rows}) == 6
    assert bool(graph.query("ASK { ?s ?p ?o }").askAnswer) is True
    action = URIRef(endpoint_server.base + "psm/2021-2023/azione/2.1.1")
    labels = list(graph.objects(action, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert labels
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{action}> ?p ?o }}").graph
    assert constructed is not None and len(constructed) > 3
