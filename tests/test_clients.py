"""Independent SPARQL clients against /sparql: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from servers import Server
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

AXES = """PREFIX psm: <{base}ontologia#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?asse ?titolo WHERE {{
  ?asse a psm:Asse ; skos:inScheme <{base}psm/2021-2023> ; skos:prefLabel ?titolo .
  FILTER(lang(?titolo) = "it")
}} ORDER BY ?asse"""


def wrapper(server: Server, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(same_origin_server: Server, method: str) -> None:
    query = AXES.format(base=same_origin_server.base)
    result = wrapper(same_origin_server, query, JSON, method).queryAndConvert()
    rows = result["results"]["bindings"]  # type: ignore[index]
    assert len({r["asse"]["value"] for r in rows}) == 6


def test_sparqlwrapper_select_xml_and_csv(same_origin_server: Server) -> None:
    document = wrapper(same_origin_server, AXES.format(base=same_origin_server.base), XML).queryAndConvert()
    assert len(document.getElementsByTagName("result")) >= 6  # type: ignore[union-attr]
    csv = wrapper(same_origin_server, AXES.format(base=same_origin_server.base), CSV).queryAndConvert()
    assert csv.decode().splitlines()[0] == "asse,titolo"  # type: ignore[union-attr]


def test_sparqlwrapper_ask_and_construct(same_origin_server: Server) -> None:
    ask = wrapper(same_origin_server, "ASK { ?s ?p ?o }", JSON).queryAndConvert()
    assert ask["boolean"] is True  # type: ignore[index]
    query = f"CONSTRUCT WHERE {{ <{same_origin_server.base}pnrr/missione/M1> ?p ?o }}"
    graph = wrapper(same_origin_server, query, TURTLE).queryAndConvert()
    graph = graph if isinstance(graph, Graph) else Graph().parse(data=graph, format="turtle")
    assert len(graph) > 3


def test_sparqlwrapper_update_refused(same_origin_server: Server) -> None:
    sparql = SPARQLWrapper(same_origin_server.url + "sparql")
    sparql.setQuery("INSERT DATA { <http://a> <http://b> <http://c> }")
    sparql.setMethod("POST")
    with pytest.raises(Exception) as failure:  # noqa: B017 - SPARQLWrapper raises HTTPError subclasses
        sparql.query()
    assert "403" in str(failure.value) or "read-only" in str(failure.value)


def test_rdflib_sparqlstore(same_origin_server: Server) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=same_origin_server.url + "sparql"))
    rows = list(graph.query(AXES.format(base=same_origin_server.base)))
    assert len({row[0] for row in rows}) == 6
    assert bool(graph.query("ASK { ?s ?p ?o }").askAnswer) is True
    action = URIRef(same_origin_server.base + "psm/2021-2023/azione/2.1.1")
    labels = list(graph.objects(action, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert labels
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{action}> ?p ?o }}").graph
    assert constructed is not None and len(constructed) > 3
