"""The Accept table: which representation each Accept header gets, on resources, /sparql, /queries and
404s, edge cases included; `Vary: Accept` on every negotiated response; repeated parameters; and
conditional requests (If-None-Match, If-Modified-Since as RFC 9110 §13.1.3 and §13.2.2 say)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from servers import InProcess

# every store mode (conftest, tests/modes.py): memory, disk, Oxigraph server, Virtuoso
pytestmark = pytest.mark.every_store

ACTION = "/psm/2021-2023/azione/2.1.1"
SELECT = "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
CONSTRUCT = "/sparql?query=" + quote("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2")
HTML = "text/html"
NOT_HTML_ONLY = "text/html;q=0, */*;q=0.1"

# (path, Accept or None for no header, expected status, expected media type or Location suffix)
TABLE = [
    # a resource IRI: 303 to the document of the negotiated format
    (ACTION, None, 303, ".html"),
    (ACTION, "*/*", 303, ".html"),
    (ACTION, "*", 303, ".html"),  # old Java clients
    (ACTION, "text/html", 303, ".html"),
    (ACTION, "application/xhtml+xml", 303, ".html"),
    (ACTION, "text/*", 303, ".html"),
    (ACTION, "text/turtle", 303, ".ttl"),
    (ACTION, "TEXT/Turtle", 303, ".ttl"),
    (ACTION, "application/x-turtle", 303, ".ttl"),
    (ACTION, "text/n3", 303, ".ttl"),
    (ACTION, "application/ld+json", 303, ".jsonld"),
    (ACTION, 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', 303, ".jsonld"),
    (ACTION, "application/json", 303, ".jsonld"),
    (ACTION, "application/rdf+xml", 303, ".rdf"),
    (ACTION, "application/xml", 303, ".rdf"),
    (ACTION, "application/n-triples", 303, ".nt"),
    (ACTION, "text/plain", 303, ".nt"),
    (ACTION, "application/*", 303, ".jsonld"),  # not HTML through its alias application/xhtml+xml
    (ACTION, NOT_HTML_ONLY, 303, ".ttl"),  # HTML refused; the first of the rest
    (ACTION, "text/html;q=0.5, text/turtle", 303, ".ttl"),
    (ACTION, "application/rdf+xml;q=0.9, text/turtle;q=0.8", 303, ".rdf"),
    (ACTION, "text/html, application/xhtml+xml;q=0.9, */*;q=0.8", 303, ".html"),  # a browser
    (ACTION, "image/png", 406, "text/plain"),
    (ACTION, "text/turtle;q=0", 406, "text/plain"),
    # SELECT results
    (SELECT, None, 200, "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", 200, "application/sparql-results+xml"),
    (SELECT, "application/xml", 200, "application/sparql-results+xml"),
    (SELECT, "application/json", 200, "application/sparql-results+json"),
    (SELECT, "text/csv", 200, "text/csv"),
    (SELECT, "text/tab-separated-values", 200, "text/tab-separated-values"),
    (SELECT, "text/html", 200, HTML),
    (SELECT, "application/*", 200, "application/sparql-results+json"),
    (SELECT, NOT_HTML_ONLY, 200, "application/sparql-results+json"),
    (SELECT, "image/png", 200, "application/sparql-results+json"),  # a result beats a 406
    # CONSTRUCT results
    (CONSTRUCT, None, 200, "text/turtle"),
    (CONSTRUCT, "application/ld+json", 200, "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", 200, "application/rdf+xml"),
    (CONSTRUCT, "application/n-triples", 200, "application/n-triples"),
    (CONSTRUCT, "application/*", 200, "application/ld+json"),
    (CONSTRUCT, NOT_HTML_ONLY, 200, "text/turtle"),
    (CONSTRUCT, "text/html", 200, HTML),
    # /sparql without a query: the query page or the service description
    ("/sparql", "text/html", 200, HTML),
    ("/sparql", "text/turtle", 200, "text/turtle"),
    ("/sparql", "application/*", 200, "application/ld+json"),
    ("/sparql", NOT_HTML_ONLY, 200, "text/turtle"),
    # the named queries
    ("/queries", None, 200, "application/json"),
    ("/queries", "text/html", 200, HTML),
    ("/queries", "application/*", 200, "application/json"),
    ("/queries", NOT_HTML_ONLY, 200, "application/json"),
    ("/queries/conteggi-per-asse", "text/html", 200, HTML),
    ("/queries/conteggi-per-asse", "text/csv", 200, "text/csv"),
    ("/queries/conteggi-per-asse", NOT_HTML_ONLY, 200, "application/sparql-results+json"),
    # not found (web/errors.py): a page for browsers, problem+json for JSON clients, text for the rest
    ("/non/esiste", "text/html", 404, HTML),
    ("/non/esiste", "text/html, application/xhtml+xml;q=0.9, */*;q=0.8", 404, HTML),
    ("/non/esiste", None, 404, "text/plain"),
    ("/non/esiste", "application/*", 404, "text/plain"),
    ("/non/esiste", NOT_HTML_ONLY, 404, "text/plain"),
    ("/non/esiste", "application/json", 404, "application/problem+json"),
    ("/queries/nessuna", "text/html", 404, HTML),
    ("/download/nessuno.ttl", "application/ld+json", 404, "application/problem+json"),
    # errors of the endpoint are negotiated too
    ("/sparql?query=SELEKT", "text/html", 400, HTML),
    ("/sparql?query=SELEKT", "application/sparql-results+json", 400, "application/problem+json"),
    ("/sparql?query=SELEKT", "text/csv", 400, "text/plain"),
]


@pytest.mark.parametrize(("path", "accept", "status", "expected"), TABLE)
def test_accept_table(
    same_origin: InProcess, path: str, accept: str | None, status: int, expected: str
) -> None:
    response = same_origin.get(path, headers={"Accept": accept} if accept is not None else {})
    assert response.status_code == status, response.text[:300]
    if status == 303:
        assert response.headers["location"] == same_origin.url + ACTION.lstrip("/") + expected
    else:
        assert response.headers["content-type"].split(";")[0] == expected
    vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
    assert "accept" in vary, f"no Vary: Accept on {path} for {accept}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # SPARQLWrapper's own pairs: a name and a media type (or its Accept list) for one format
        ("format=tsv&format=text/tab-separated-values", (200, "text/tab-separated-values")),
        ("format=csv&format=csv", (200, "text/csv")),
        ("format=xml&format=application/sparql-results%2Bxml", (200, "application/sparql-results+xml")),
        ("format=tsv&format=", (200, "text/tab-separated-values")),  # an empty value is no value
        ("format=json&format=xml", (400, "text/plain")),
        ("format=csv&format=text/tab-separated-values", (400, "text/plain")),
    ],
)
def test_repeated_format_parameters(same_origin: InProcess, query: str, expected: tuple[int, str]) -> None:
    response = same_origin.get(f"{SELECT}&{query}")
    assert (response.status_code, response.headers["content-type"].split(";")[0]) == expected


def test_repeated_format_for_a_graph(same_origin: InProcess) -> None:
    wanted = "format=json-ld&format=" + quote("application/ld+json,application/x-json+ld")
    response = same_origin.get(f"{CONSTRUCT}&{wanted}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")


def test_repeated_query_parameters(same_origin: InProcess) -> None:
    ask = quote("ASK {}")
    assert same_origin.get(f"/sparql?query={ask}&query={ask}").status_code == 200
    assert same_origin.get(f"/sparql?query={ask}&query={quote('ASK { ?s ?p ?o }')}").status_code == 400


def test_format_in_a_posted_form(same_origin: InProcess) -> None:
    response = same_origin.post("/sparql", data={"query": "SELECT * { ?s ?p ?o } LIMIT 1", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


# --- conditional requests ------------------------------------------------------------------------

FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"
PAST = "Sun, 06 Nov 1994 08:49:37 GMT"


@pytest.mark.parametrize("path", [ACTION + ".ttl", ACTION + ".html", "/catalogo.ttl", "/download/psm.ttl"])
def test_if_modified_since(same_origin: InProcess, path: str) -> None:
    """RFC 9110 §13.1.3: the condition is false (304) when the representation was last modified at or
    before the date. A date later than the server's clock is still a valid HTTP-date: RFC 2616 called
    it invalid, RFC 7232 and 9110 no longer do, so it gives 304 like any date after the change."""
    fresh = same_origin.get(path)
    assert fresh.status_code == 200
    last_modified = fresh.headers["last-modified"]

    def status(*headers: tuple[str, str]) -> int:
        with same_origin.client() as client:
            return client.get(path, headers=list(headers)).status_code

    assert status(("If-Modified-Since", last_modified)) == 304
    assert status(("If-Modified-Since", FUTURE)) == 304
    assert status(("If-Modified-Since", PAST)) == 200
    assert status(("If-Modified-Since", "Sunday, 06-Nov-94 08:49:37 GMT")) == 200  # RFC 850 form, past
    assert status(("If-Modified-Since", "ieri")) == 200  # not an HTTP-date: ignored
    assert status(("If-Modified-Since", FUTURE), ("If-Modified-Since", FUTURE)) == 200  # two fields: ignored
    # If-None-Match decides when present (§13.2.2), whatever If-Modified-Since says
    assert status(("If-None-Match", '"other"'), ("If-Modified-Since", FUTURE)) == 200
    assert status(("If-None-Match", fresh.headers["etag"]), ("If-Modified-Since", PAST)) == 304
    not_modified = same_origin.get(path, headers={"If-Modified-Since": FUTURE})
    assert not_modified.content == b"" and not_modified.headers["etag"] == fresh.headers["etag"]
