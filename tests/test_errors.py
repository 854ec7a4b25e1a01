"""One error type, one handler (issue 9, deliverable 4): every HTTP error, whoever raised it, reaches
the client in one shape, Italian first then English, as RFC 9457 problem+json to a client that
reads JSON, as an HTML page to a browser and as one line of text to everyone else.

In-process: the app over the session's release of the real data (tests/conftest.py `other_build`)."""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from servers import OTHER_BASE, serve
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from psm_ld.config import PROJECT_ROOT, Settings
from psm_ld.errors import Problem
from psm_ld.queries import QueryError
from psm_ld.query.executor import QueryFailed
from psm_ld.query.sparql import ProtocolError
from psm_ld.web.app import create_app

MAX_ROWS = 50
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON_CLIENT = {"Accept": "application/json"}
PLAIN_CLIENT = {"Accept": "*/*"}
# one shape: «italiano» / «English»[: detail] (the Italian half has no « / » of its own)
SHAPE = re.compile(r"^(?P<it>[^\n]+?) / (?P<en>[^\n]+)$")


def settings(build_dir: Path) -> Settings:
    return Settings(base_uri=OTHER_BASE, root=PROJECT_ROOT, build_dir=build_dir, reload_seconds=0)


@pytest.fixture(scope="session")
def client(other_build: Path) -> Iterator[TestClient]:
    """The app over the session's release (tests/conftest.py), with a small row limit of its own."""
    limits = {"max_result_rows": MAX_ROWS, "sparql_workers": 1, "reload_seconds": 0}
    for served in serve(other_build, OTHER_BASE, "http://127.0.0.1:8123/", **limits):
        yield served.test_client


# (what, request) → status and words of each language that the text must hold
CASES = {
    "unknown IRI": (("GET", "/psm/2021-2023/azione/9.9.9", {}), 404, "Non c'è nulla", "Nothing is published"),
    "unknown document": (("GET", "/nessuna/risorsa.ttl", {}), 404, "Non c'è nulla", "Nothing is published"),
    "unknown download": (("GET", "/download/psm.exe", {}), 404, "Non c'è nulla", "Nothing is published"),
    "unknown named query": (("GET", "/queries/nessuna-query", {}), 404, "Query sconosciuta", "Unknown query"),
    "unknown parameter": (
        ("GET", "/queries/strategie-di-un-asse", {"params": {"nonesiste": "1"}}),
        400, "Parametri sconosciuti", "Unknown parameters",
    ),
    "two queries": (
        ("GET", "/sparql", {"params": [("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")]}),
        400, "Più di un parametro «query»", "More than one «query» parameter",
    ),
    "update refused": (
        ("POST", "/sparql", {"data": {"update": "CLEAR ALL"}}), 403, "sola lettura", "read-only",
    ),
    "SERVICE refused": (
        ("GET", "/sparql", {"params": {"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"}}),
        403, "query federate", "SERVICE is refused",
    ),
    "syntax error": (
        ("GET", "/sparql", {"params": {"query": "SELECT ?s WHERE { ?s ?p "}}),
        400, "Errore di sintassi SPARQL", "SPARQL syntax error",
    ),
    "too many rows": (
        ("GET", "/sparql", {"params": {"query": "SELECT * { ?s ?p ?o }"}}),
        422, f"più di {MAX_ROWS} righe", f"more than {MAX_ROWS} rows",
    ),
    "unsupported content type": (
        ("POST", "/sparql", {"content": b"x", "headers": {"Content-Type": "text/x-nothing"}}),
        415, "non supportato", "Unsupported Content-Type",
    ),
    "method not allowed": (("PUT", "/sparql", {}), 405, "Metodo non consentito", "Method not allowed"),
}  # fmt: skip


def ask(client: TestClient, request: tuple[str, str, dict], headers: dict[str, str]):  # type: ignore[no-untyped-def, type-arg]
    method, path, kwargs = request
    return client.request(method, path, **{**kwargs, "headers": {**kwargs.get("headers", {}), **headers}})


@pytest.mark.parametrize("case", CASES)
def test_plain_client_gets_one_line_in_both_languages(client: TestClient, case: str) -> None:
    request, status, italian, english = CASES[case]
    response = ask(client, request, PLAIN_CLIENT)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.endswith("\n") and response.text.count("\n") == 1
    shape = SHAPE.match(response.text.rstrip("\n"))
    assert shape, response.text
    assert italian in shape["it"] and english in shape["en"], response.text


@pytest.mark.parametrize("case", CASES)
def test_json_client_gets_rfc9457_problem_details(client: TestClient, case: str) -> None:
    request, status, italian, english = CASES[case]
    response = ask(client, request, JSON_CLIENT)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= problem.keys()
    assert problem["type"] == "about:blank" and problem["status"] == status
    assert problem["instance"] == request[1]
    assert SHAPE.match(problem["title"]), problem["title"]  # the status's phrase, both languages
    shape = SHAPE.match(problem["detail"])
    assert shape and italian in shape["it"] and english in shape["en"], problem["detail"]


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][0][1] != "/sparql"])
def test_browser_gets_a_page_in_both_languages(client: TestClient, case: str) -> None:
    request, status, italian, english = CASES[case]
    response = ask(client, request, BROWSER)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.startswith("<!doctype html>") and '<html lang="it">' in page
    assert response.headers["content-language"] == "it" and "Accept-Language" in response.headers["vary"]
    # the same page in the reader's language (pages/i18n.py): English when the browser prefers it
    in_english = ask(client, request, {**BROWSER, "Accept-Language": "en-GB,en;q=0.9"})
    assert in_english.status_code == status and '<html lang="en">' in in_english.text
    assert in_english.headers["content-language"] == "en"
    if status == 404:  # the not-found page, with a search
        assert "Pagina non trovata" in page and 'role="search"' in page
        assert "Page not found" in in_english.text and 'role="search"' in in_english.text
    else:
        assert italian in page and english not in page, page
        assert english in in_english.text, in_english.text


def test_browser_sees_sparql_errors_in_the_query_editor(client: TestClient) -> None:
    """The SPARQL editor shows the error beside the query, to be corrected there."""
    query = "SELECT ?s WHERE { ?s ?p "
    response = client.get("/sparql", params={"query": query}, headers=BROWSER)
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "Errore di sintassi SPARQL / SPARQL syntax error" in response.text
    assert "?s ?p" in response.text  # the query, kept in the form


def test_limits_are_numbers_for_programs(client: TestClient) -> None:
    too_many = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, headers=JSON_CLIENT)
    assert too_many.json()["limit"] == MAX_ROWS


def test_format_parameter_chooses_the_error_representation(client: TestClient) -> None:
    """`?format=` wins over Accept, for errors as for results."""
    path = "/queries/strategie-di-un-asse"
    as_json = client.get(path, params={"nonesiste": "1", "format": "json"}, headers=BROWSER)
    assert as_json.headers["content-type"] == "application/problem+json"
    as_page = client.get(path, params={"nonesiste": "1", "format": "html"}, headers=PLAIN_CLIENT)
    assert as_page.headers["content-type"].startswith("text/html")
    as_text = client.get(path, params={"nonesiste": "1", "format": "csv"}, headers=JSON_CLIENT)
    assert as_text.headers["content-type"].startswith("text/plain")


def test_not_acceptable_keeps_vary(client: TestClient) -> None:
    response = client.get("/psm/2021-2023/asse/1", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "Accept" in response.headers["vary"].split(", ")
    assert "text/turtle" in response.text  # what is available


def test_while_loading_every_client_is_told_in_its_form(other_build: Path) -> None:
    """Before the release is loaded (no lifespan run here) the app answers 503, a page too."""
    loading = TestClient(create_app(settings(other_build)))
    page = loading.get("/", headers=BROWSER)
    assert page.status_code == 503 and page.headers["retry-after"] == "2"
    assert "Servizio non disponibile" in page.text and "si sta ancora caricando" in page.text
    english = loading.get("/?lang=en", headers=BROWSER)
    assert "Service Unavailable" in english.text and "still loading" in english.text
    problem = loading.get("/sparql", headers=JSON_CLIENT).json()
    assert problem["status"] == 503 and SHAPE.match(problem["detail"])
    text = loading.get("/psm/2021-2023", headers=PLAIN_CLIENT).text
    assert text.startswith("La release si sta ancora caricando") and "/ The release is still loading" in text


def test_an_unexpected_error_is_a_500_in_the_same_shape(other_build: Path) -> None:
    def broken(request: Request) -> Response:
        raise RuntimeError("boom")

    app = create_app(settings(other_build))
    app.router.routes.insert(0, Route("/guasto", broken))  # before the catch-all of resources
    failing = TestClient(app, raise_server_exceptions=False)  # no lifespan: no release is loaded
    response = failing.get("/guasto", headers=JSON_CLIENT)
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Errore interno del server / Internal server error"  # nothing leaks


@pytest.mark.parametrize("kind", [Problem, ProtocolError, QueryFailed, QueryError])
def test_problems_cross_processes_whole(kind: type[Problem]) -> None:
    """Query workers send their errors back pickled: every field survives."""
    sent = kind(422, "Troppi", "Too many", detail="più di 5", limit=5, headers={"Vary": "Accept"})
    back = pickle.loads(pickle.dumps(sent))
    assert type(back) is kind and back.message == sent.message == "Troppi / Too many: più di 5"
    assert (back.status, back.limit, back.headers) == (422, 5, {"Vary": "Accept"})
    assert str(back) == back.message


def test_problem_json_is_utf8_not_escaped(client: TestClient) -> None:
    response = client.get("/queries/nessuna-query", headers=JSON_CLIENT)
    assert "«nessuna-query»" in response.content.decode("utf-8")
    assert json.loads(response.content)["title"] == "Non trovato / Not Found"
