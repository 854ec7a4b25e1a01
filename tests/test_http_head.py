"""HEAD answers as GET does, without the content (RFC 9110 §9.3.2), on every route of the app, every
URL of the sitemap and every URL of the catalog: same status, same header fields, Content-Length
included (harvesters compare it with dcat:byteSize), and no body.

The route walk reads the app's own routes, so a route added without an example here fails the test
instead of going unchecked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
import pytest
from fastapi.routing import APIRoute
from rdflib import Graph, URIRef
from servers import InProcess, Server
from starlette.routing import Mount, Route

# every store mode (conftest, tests/modes.py): memory, disk, Oxigraph server, Virtuoso
pytestmark = pytest.mark.every_store

DCAT = "http://www.w3.org/ns/dcat#"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# A concrete request for each parameterised route (path template -> path): the walk fails on a route
# missing here.
EXAMPLES = {
    "/download/{name}": ["/download/psm.ttl", "/download/psm.nq", "/download/nessuno.ttl"],
    "/queries/{name}": ["/queries/conteggi-per-asse", "/queries/conteggi-per-asse?format=csv",
                        "/queries/nessuna"],
    "/{path:path}": ["/psm/2021-2023/azione/2.1.1", "/psm/2021-2023/azione/2.1.1.ttl",
                     "/psm/2021-2023/azione/2.1.1.html", "/catalogo.jsonld", "/non/esiste"],
    "/static": ["/static/psm.css", "/static/non-esiste.css"],
    "/static/swagger-ui": ["/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"],
}  # fmt: skip
QUERIES = {
    "/sparql": ["/sparql?query=ASK%7B%7D", "/sparql?query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%201"],
    "/cerca": ["/cerca?q=bosco"],
}


def assert_head_like_get(client: httpx.Client, url: str, **headers: str) -> httpx.Response:
    get = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    assert head.status_code == get.status_code, url
    assert head.content == b"", url
    assert _fields(head) == _fields(get), url
    return head


def _fields(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in ("date", "server")}


def route_paths(routes: list[object]) -> list[str]:
    """A request path for every route that answers GET, from the app's own routing table."""
    paths = []
    for route in routes:
        if isinstance(route, Mount):
            assert route.path in EXAMPLES, f"no example for the mount {route.path}"
            paths += EXAMPLES[route.path]
            continue
        assert isinstance(route, (APIRoute, Route)), route
        if "GET" not in (route.methods or ()):
            continue
        if "{" in route.path:
            assert route.path in EXAMPLES, f"no example for the route {route.path}: add one to EXAMPLES"
            paths += EXAMPLES[route.path]
        else:
            paths += [route.path, *QUERIES.get(route.path, [])]
    return paths


def test_every_route_answers_head_as_get(same_origin: InProcess) -> None:
    paths = route_paths(same_origin.test_client.app.routes)  # type: ignore[attr-defined]
    assert {"/", "/health", "/robots.txt", "/sitemap.xml", "/queries", "/cerca", "/.well-known/void",
            "/sparql", "/docs", "/openapi.json"} <= set(paths)  # fmt: skip
    with same_origin.client() as client:
        statuses = {path: assert_head_like_get(client, path).status_code for path in paths}
    assert statuses["/"] == statuses["/health"] == statuses["/download/psm.ttl"] == 200
    assert statuses["/psm/2021-2023/azione/2.1.1"] == 303 and statuses["/non/esiste"] == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "text/turtle"},
        {"Accept": "text/html"},
        {"Accept": "application/sparql-results+xml"},
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ],
)
def test_head_as_get_with_negotiation_and_conditions(same_origin: InProcess, headers: dict[str, str]) -> None:
    with same_origin.client() as client:
        for path in ("/psm/2021-2023/azione/2.1.1", "/psm/2021-2023/azione/2.1.1.ttl", "/catalogo",
                     "/sparql?query=ASK%7B%7D", "/queries", "/non/esiste", "/download/psm.ttl"):  # fmt: skip
            assert_head_like_get(client, path, **headers)


def test_every_sitemap_url_answers_head_as_get(same_origin: InProcess) -> None:
    sitemap = ElementTree.fromstring(same_origin.get("/sitemap.xml").content)
    urls = [loc.text or "" for loc in sitemap.iter(SITEMAP + "loc")]
    assert len(urls) > 100
    with same_origin.client() as client:
        for url in urls:
            assert url.startswith(same_origin.url)
            assert assert_head_like_get(client, url).status_code == 200, url


def catalog_urls(serving: InProcess | Server) -> tuple[dict[str, int | None], list[str]]:
    """The catalog's download URLs (with dcat:byteSize) and access and landing-page URLs on this
    server; URLs elsewhere (the plan's own site) are not this server's to answer."""
    graph = Graph().parse(data=serving.get("/catalogo.ttl").text, format="turtle", publicID=serving.base)
    downloads: dict[str, int | None] = {}
    for distribution, url in graph.subject_objects(URIRef(DCAT + "downloadURL")):
        size = graph.value(distribution, URIRef(DCAT + "byteSize"))
        downloads[str(url)] = int(size) if size is not None else None
    others = {
        str(url)
        for predicate in ("accessURL", "landingPage")
        for url in graph.objects(None, URIRef(DCAT + predicate))
    }
    local = [u for u in sorted(others - set(downloads)) if u.startswith(serving.base)]
    return {u: s for u, s in downloads.items() if u.startswith(serving.base)}, local


def test_every_catalog_url_answers_head_as_get(same_origin: InProcess) -> None:
    downloads, others = catalog_urls(same_origin)
    assert len(downloads) >= 50 and others
    with same_origin.client() as client:
        for url, size in downloads.items():
            head = assert_head_like_get(client, url)
            assert head.status_code == 200, url
            assert size is not None and int(head.headers["content-length"]) == size, url
        for url in others:
            assert assert_head_like_get(client, url).status_code in (200, 303), url


def test_head_through_uvicorn_keeps_content_length(same_origin_server: Server) -> None:
    """The server sends no body for HEAD yet keeps the GET's Content-Length (a real socket: the
    in-process client cannot show what goes on the wire)."""
    downloads, _ = catalog_urls(same_origin_server)
    paths = ["/", "/health", "/robots.txt", "/sitemap.xml", "/queries", "/cerca?q=bosco", "/.well-known/void",
             "/sparql", "/docs", "/openapi.json", "/non/esiste",
             *(urlsplit(u).path for u in list(downloads)[:5])]  # fmt: skip
    with same_origin_server.client() as client:
        for path in paths:
            head = assert_head_like_get(client, path)
            assert head.status_code != 404 or path == "/non/esiste", path
            if head.status_code == 200:
                assert re.fullmatch(r"\d+", head.headers["content-length"]), path
