"""/sparql (SPARQL 1.1 Protocol, read-only) and /queries, against the app in-process, and a real server
for the time limit (its worker processes killed while the server answers others; tests/conftest.py)."""

from __future__ import annotations

import csv
import io
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace
from servers import MAX_ROWS, QUERY_TIMEOUT, Serving

from psm_ld.config import PROJECT_ROOT

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SELECT_AXES = (
    "PREFIX psm: <http://psm.example/ontologia#> "
    "SELECT ?asse ?n WHERE { ?asse a psm:Asse ; <http://www.w3.org/2004/02/skos/core#notation> ?n ; "
    "<http://www.w3.org/2004/02/skos/core#inScheme> <http://psm.example/psm/2021-2023> } ORDER BY ?n"
)
CONSTRUCT = (
    "CONSTRUCT { ?a <http://www.w3.org/2004/02/skos/core#broader> ?b } "
    "WHERE { ?a <http://www.w3.org/2004/02/skos/core#broader> ?b } LIMIT 50"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }"


def select(server: Serving, query: str, accept: str = "application/sparql-results+json") -> httpx.Response:
    return server.get("sparql", params={"query": query}, headers={"Accept": accept})


def test_select_json(other_origin: Serving) -> None:
    response = select(other_origin, SELECT_AXES)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    assert [r["n"]["value"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[0]["asse"] == {"type": "uri", "value": "http://psm.example/psm/2021-2023/asse/1"}


def test_select_xml(other_origin: Serving) -> None:
    response = select(other_origin, SELECT_AXES, "application/sparql-results+xml")
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(response.content)
    assert len(root.findall("r:results/r:result", ns)) == 6


@pytest.mark.parametrize(("accept", "delimiter"), [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_select_csv_tsv(other_origin: Serving, accept: str, delimiter: str) -> None:
    response = select(other_origin, SELECT_AXES, accept)
    assert response.headers["content-type"].startswith(accept)
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    assert [c.lstrip("?") for c in rows[0]] == ["asse", "n"] and len(rows) == 7


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask(other_origin: Serving, accept: str) -> None:
    response = select(other_origin, "ASK { ?s a <http://psm.example/ontologia#Azione> }", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert b"true" in response.content


@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE <http://psm.example/psm/2021-2023/asse/1>"],
                         ids=["construct", "describe"])  # fmt: skip
@pytest.mark.parametrize(
    ("accept", "syntax"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_and_describe_in_every_rdf_format(
    other_origin: Serving, accept: str, syntax: str, query: str
) -> None:
    response = select(other_origin, query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=syntax)
    assert len(graph) > 0


@pytest.mark.parametrize(
    ("name", "media"), [("json", "application/sparql-results+json"), ("tsv", "text/tab")]
)
def test_format_parameter(other_origin: Serving, name: str, media: str) -> None:
    response = other_origin.get("sparql", params={"query": SELECT_AXES, "format": name})
    assert response.headers["content-type"].startswith(media)


def test_post_form_and_post_direct(other_origin: Serving) -> None:
    form = other_origin.post("sparql", data={"query": SELECT_AXES}, headers={"Accept": "application/json"})
    direct = other_origin.post(
        "sparql", content=SELECT_AXES.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )  # fmt: skip
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


def test_default_graph_is_the_union_and_protocol_dataset_is_honoured(other_origin: Serving) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    count = lambda r: int(r.json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    union = count(select(other_origin, query))
    pnrr = count(
        other_origin.get("sparql", params={"query": query, "default-graph-uri": OTHER + "dataset/pnrr"})
    )
    assert 0 < pnrr < union
    named = other_origin.get(
        "sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": OTHER + "dataset/pnrr",
        },
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [OTHER + "dataset/pnrr"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "GET", "params": {"update": "CLEAR ALL"}},
        {"method": "GET", "params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
        {"method": "GET", "params": {"query": "PREFIX x: <http://x/> LOAD <http://example.org/data.ttl>"}},
    ],
)
def test_updates_are_refused(other_origin: Serving, request_kwargs: dict) -> None:  # type: ignore[type-arg]
    before = select(other_origin, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    with other_origin.client() as client:
        response = client.request(url="sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert select(other_origin, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json() == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(other_origin: Serving, query: str) -> None:
    response = select(other_origin, query)
    assert response.status_code == 403
    assert "SERVICE" in response.text


def test_service_inside_a_string_is_not_a_federated_query(other_origin: Serving) -> None:
    response = select(other_origin, 'SELECT ("SERVICE <x>" AS ?v) WHERE {} # SERVICE in a comment')
    assert response.status_code == 200


def test_malformed_query_is_400_naming_the_error(other_origin: Serving) -> None:
    response = select(other_origin, "SELECT ?s WHERE { ?s ?p ")
    assert response.status_code == 400
    assert "syntax error" in response.text.lower() and "1:" in response.text


def test_result_size_limit(other_origin: Serving) -> None:
    response = select(other_origin, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 422
    assert f"more than {MAX_ROWS} rows" in response.text
    limited = select(other_origin, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert len(limited.json()["results"]["bindings"]) == MAX_ROWS


def test_runaway_query_is_stopped_while_others_are_answered(other_origin_server: Serving) -> None:
    other_origin = other_origin_server  # a real process: requests from two threads, a worker killed
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["response"] = select(other_origin, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # let it reach a worker
    answered = select(other_origin, "ASK { ?s ?p ?o }")
    assert answered.status_code == 200 and answered.json()["boolean"] is True
    assert thread.is_alive(), "the runaway query was still running when the other was answered"
    thread.join(60)
    response: httpx.Response = outcome["response"]  # type: ignore[assignment]
    assert response.status_code == 503
    assert "time limit" in response.text
    assert QUERY_TIMEOUT <= outcome["seconds"] < QUERY_TIMEOUT + 20  # type: ignore[operator]
    # the killed worker is replaced: the endpoint keeps answering, on every worker
    for _ in range(4):
        assert select(other_origin, SELECT_AXES).status_code == 200


def test_service_description(other_origin: Serving) -> None:
    response = other_origin.get("sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    service = next(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SD.Service))
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.endpoint, URIRef(other_origin.url + "sparql")) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) == 8
    names = set(graph.objects(None, SD.name))
    assert URIRef(OTHER + "dataset/psm-2021-2023") in names


def test_html_query_page_with_results(other_origin: Serving) -> None:
    form = other_origin.get("sparql", headers={"Accept": "text/html"})
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    page = other_origin.get("sparql", params={"query": SELECT_AXES}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "asse/1" in page.text
    bad = other_origin.get("sparql", params={"query": "SELECT"}, headers={"Accept": "text/html"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")


def test_cors_on_sparql(other_origin: Serving) -> None:
    assert select(other_origin, "ASK {}").headers["access-control-allow-origin"] == "*"


# --- named queries ------------------------------------------------------------------------------


def test_queries_index_json_and_html(other_origin: Serving) -> None:
    listing = other_origin.get("queries", headers={"Accept": "application/json"}).json()
    names = {q["name"] for q in listing}
    assert {"strategie-di-un-asse", "matrice-allineamenti", "azioni-per-missione-pnrr"} <= names
    strategies = next(q for q in listing if q["name"] == "strategie-di-un-asse")
    assert strategies["title"] and strategies["params"][0]["name"]
    assert (
        other_origin.get("queries", headers={"Accept": "text/html"})
        .headers["content-type"]
        .startswith("text/html")
    )


NAMED_QUERIES = sorted(path.stem for path in (PROJECT_ROOT / "queries").glob("*.rq"))


def test_the_index_lists_every_named_query(other_origin: Serving) -> None:
    listing = other_origin.get("queries", headers={"Accept": "application/json"}).json()
    assert sorted(q["name"] for q in listing) == NAMED_QUERIES


@pytest.mark.parametrize("name", NAMED_QUERIES)
@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values", "text/html"],
)  # fmt: skip
def test_every_named_query_runs_in_every_format(other_origin: Serving, accept: str, name: str) -> None:
    response = other_origin.get(f"queries/{name}", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)


def test_named_query_parameters(other_origin: Serving) -> None:
    axis_2 = other_origin.get("queries/strategie-di-un-asse", params={"asse": "2", "format": "json"}).json()
    codes = [b["codice"]["value"] for b in axis_2["results"]["bindings"]]
    assert codes and all(c.startswith("2.") for c in codes)
    bad = other_origin.get("queries/strategie-di-un-asse", params={"nonesiste": "1"})
    assert bad.status_code == 400
    assert other_origin.get("queries/nessuna-query").status_code == 404


def test_named_queries_in_openapi(other_origin: Serving) -> None:
    schema = other_origin.get("openapi.json").json()
    operation = schema["paths"]["/queries/strategie-di-un-asse"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"asse", "format"}
    assert "/sparql" in schema["paths"]
    assert other_origin.get("docs").status_code == 200


def test_health(other_origin: Serving) -> None:
    health = other_origin.get("health").json()
    assert health["status"] == "ok" and health["triples"] > 1000 and health["release"]


def test_rewriting_maps_iris_both_ways(rewriting: Serving) -> None:
    """With rewriting on, a client that only ever saw the serving origin can query with it."""
    query = f"SELECT ?b WHERE {{ <{rewriting.url}psm/2021-2023/azione/2.1.1> ?p ?b }}"
    values = [b["b"]["value"] for b in select(rewriting, query).json()["results"]["bindings"]]
    assert values and not any(v.startswith(OTHER) for v in values)
    assert any(v.startswith(rewriting.url) for v in values)


OTHER = "http://psm.example/"


def test_an_oversized_query_is_refused_unread(other_origin: Serving) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1024 * 1024)
    response = other_origin.post("sparql", content=huge.encode(),
                                 headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    assert response.status_code == 413 and "1024 KiB" in response.text

    def chunks():  # no Content-Length: chunked transfer encoding
        yield b"query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D"
        for _ in range(20):
            yield b"+" * 65536

    chunked = other_origin.post("sparql", content=chunks(),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert chunked.status_code == 413
    assert select(other_origin, SELECT_AXES).status_code == 200  # the server goes on answering
