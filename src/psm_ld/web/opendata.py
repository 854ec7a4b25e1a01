"""Open-data routes for harvesters and crawlers: downloads, VoID discovery, sitemap, robots.txt.

The catalog itself (`/catalogo`, `.ttl`, `.rdf`, `.jsonld`) is an ordinary dereferenceable resource
whose document is the whole catalog graph (describe.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from psm_ld.query.cache import LRUCache
from psm_ld.release import CSV_FORMAT, NQUADS_FORMAT, RDF_FORMATS
from psm_ld.web.dereference import dereference, not_found, not_modified, origin_of
from psm_ld.web.served import Served

DOWNLOAD_TYPES = {f.suffix: f.media_type for f in (*RDF_FORMATS, NQUADS_FORMAT, CSV_FORMAT)}


def register(app: FastAPI, served_of: Callable[[Request], Served]) -> None:
    @app.get(
        "/download/{name}", tags=["open data"], summary="Dump completo o tabella CSV / full dump or CSV table"
    )
    def download(request: Request, name: str) -> Response:
        served = served_of(request)
        folder = served.release.downloads
        suffix = name.rsplit(".", 1)[-1]
        path = folder / name
        # only names the release lists: no path tricks reach outside the downloads folder
        if suffix not in DOWNLOAD_TYPES or name not in _listing(str(folder)):
            raise not_found(request)
        media = DOWNLOAD_TYPES[suffix]
        if media.startswith("text/"):
            media += "; charset=utf-8"
        cache = {"Cache-Control": "public, max-age=300"}
        response = FileResponse(path, media_type=media, headers=cache, stat_result=path.stat())
        if not_modified(request, response.headers["etag"], response.headers["last-modified"]):
            kept = ("etag", "last-modified", "cache-control")
            return Response(status_code=304, headers={k: response.headers[k] for k in kept})
        return response

    @app.get("/.well-known/void", tags=["open data"], summary="VoID: descrizione del dataset")
    def void(request: Request) -> Response:
        return dereference(served_of(request), request, "catalogo")  # the catalog graph carries the VoID

    @app.get("/sitemap.xml", tags=["open data"], summary="Sitemap di tutte le pagine HTML")
    def sitemap(request: Request) -> Response:
        served = served_of(request)
        origin = origin_of(request)
        key = (served.release.id, origin)
        body = _SITEMAPS.get(key)
        if body is None:  # the page list: one query per release, not per crawl or per Host
            pages = _PAGES.get(served.release.id) or _PAGES.put(served.release.id, _pages(served))
            body = _SITEMAPS.put(key, _sitemap(origin, pages))
        return Response(body, media_type="application/xml")

    @app.get("/robots.txt", tags=["open data"], include_in_schema=False)
    def robots(request: Request) -> Response:
        origin = origin_of(request)
        return PlainTextResponse(
            f"User-agent: *\nAllow: /\nDisallow: /sparql?\nSitemap: {origin}sitemap.xml\n"
        )


# Bounded: the origin comes from the Host header, which any client sets (5,000 hosts once took
# 105 -> 196 MB). Pages by release (a few releases at most); sitemaps by release and origin, LRU.
_PAGES: LRUCache[list[str]] = LRUCache(32 * 1024 * 1024, lambda p: sum(len(x) + 56 for x in p))
_SITEMAPS: LRUCache[bytes] = LRUCache(4 * 1024 * 1024, len, 1024 * 1024)


@lru_cache(maxsize=8)
def _listing(folder: str) -> frozenset[str]:
    return frozenset(p.name for p in Path(folder).iterdir() if p.is_file())


def _pages(served: Served) -> list[str]:
    """Paths of every HTML page: home, SPARQL, queries, and each resource of the release."""
    base = served.settings.base_uri
    resources = [iri.removeprefix(base) for iri in served.documents.resources()]
    named = [f"queries/{name}" for name in sorted(served.queries)]
    own_routes = ("", "sparql")  # listed as themselves; downloads are files, not pages
    pages = [f"{p}.html" for p in resources if p not in own_routes]
    return ["", "sparql", "queries", *named, *pages]


def _sitemap(origin: str, paths: list[str]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(origin + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    ).encode("utf-8")
