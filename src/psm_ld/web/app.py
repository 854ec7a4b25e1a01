"""The read-only web app: `create_app()` (uvicorn --factory friendly).

Start-up checks that a release exists, then loads it in a background thread so the server answers
at once: /health says 503 until the release is loaded, 200 with its id and size afterwards. Then the
server follows `build/current` and serves each new release that a build publishes (reload.py).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette._utils import get_route_path
from starlette.routing import Match, Mount, Route
from starlette.types import Receive, Scope, Send

from psm_ld import __version__
from psm_ld.config import Settings, SettingsError, load_settings
from psm_ld.errors import Problem
from psm_ld.pages import SEARCH_PATH, STATIC_DIR, STATIC_PATH, SUGGEST_PATH
from psm_ld.queries import load_queries
from psm_ld.release import ReleaseError, current_release
from psm_ld.web import apidocs, endpoints, errors, openapi, opendata
from psm_ld.web.dereference import dereference, document, document_path, origin_of, page_language
from psm_ld.web.reload import follow_releases
from psm_ld.web.replay import DocumentReplay
from psm_ld.web.security import HEADERS, DefaultHeaders
from psm_ld.web.served import Served, load, release_to_serve

log = logging.getLogger("uvicorn.error")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over `settings`, or over the environment's (PSM_*): when these are unusable the server
    does not start, and says why in one line (no traceback)."""
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            print(f"psm-ld: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    queries = load_queries(settings.queries_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        remote = settings.store_mode == "sparql"  # the engine is asked in the background
        release = None if remote else current_release(settings.build_dir)
        if release is None and not remote:
            raise RuntimeError(f"no release in {settings.build_dir}: run «psm-ld build» first")
        loop = asyncio.get_running_loop()

        def background() -> None:
            chosen = release
            try:
                chosen = chosen or release_to_serve(settings)
                if chosen is None:
                    where = settings.store_query_url
                    raise ReleaseError(f"no release published in {where}: run «psm-ld publish»")
                log.info("psm-ld: loading release %s from %s", chosen.id, chosen.path)
                app.state.served = load(settings, chosen, queries, loop)
            except Exception as exc:  # reported by /health; the process stays up to say so
                app.state.load_error = f"{type(exc).__name__}: {exc}"
                log.exception("psm-ld: loading release %s failed", chosen.id if chosen else "(none)")

        threading.Thread(target=background, name="psm-load", daemon=True).start()
        follower = None
        if settings.reload_seconds > 0:
            follower = asyncio.create_task(follow_releases(app.state, settings, queries))
        yield
        if follower is not None:
            follower.cancel()
        served: Served | None = app.state.served
        if served is not None:
            served.pool.close()

    app = FastAPI(
        title="psm-ld",
        summary="Piano Strategico Metropolitano di Torino come linked data",
        description="SPARQL 1.1 endpoint, dereferenceable IRIs (HTML/RDF by content negotiation), "
        "named queries. Read-only. Every GET also answers HEAD: the same status and headers "
        "(Content-Length included), no body.",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # web/apidocs.py: Swagger UI from local files, under the site's own policy
        redoc_url=None,  # ReDoc would need a CDN, and inline styles ('unsafe-inline')
    )
    app.state.settings, app.state.served, app.state.load_error = settings, None, None
    app.router.route_class = GetAlsoHead  # before any route is registered: every GET route answers HEAD
    for layer, options in LAYERS:
        app.add_middleware(layer, **options)
    errors.install(app)  # every error answered in one place, in the client's language and format
    # outermost: a document already answered once is answered again from its kept bytes, and a
    # document's first answer is made without the router, through the same LAYERS (replay.py)
    app.add_middleware(
        DocumentReplay, release=lambda: app.state.served and app.state.served.release.id,
        direct=lambda scope: document_of(app, scope), layers=LAYERS,
    )  # fmt: skip

    @app.get("/health", tags=["operations"])
    def health() -> JSONResponse:
        served: Served | None = app.state.served
        if served is None or served.triples <= 0:  # never "ok" over an empty release
            status = "error" if app.state.load_error or served is not None else "loading"
            error = app.state.load_error or (served and f"release {served.release.id} holds no triples")
            return JSONResponse({"status": status, "error": error}, status_code=503)
        return JSONResponse({
            "status": "ok",
            "release": served.release.id,
            "triples": served.triples,
            "store": served.pool.source.kind,
            "cache": {"results": served.pool.cache.stats(), "documents": served.documents.cache.stats()},
        })  # fmt: skip

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    async def home(request: Request) -> HTMLResponse:
        lang, headers = page_language(request)
        served, origin = served_of(request), origin_of(request)
        page = await served.page("home", origin, lang, lambda: served.pages.home(origin, lang))
        return HTMLResponse(page, headers=headers)

    @app.get(f"/{SEARCH_PATH}", response_class=HTMLResponse, tags=["pages"])
    def search(request: Request, q: str = "") -> HTMLResponse:
        lang, headers = page_language(request)
        return HTMLResponse(served_of(request).pages.search(q, origin_of(request), lang), headers=headers)

    @app.get(
        f"/{SUGGEST_PATH}", tags=["pages"],
        summary="Suggerimenti di ricerca / search suggestions: [{label, code, kind, context, url}]",
    )  # fmt: skip
    def suggest(request: Request, q: str = "") -> JSONResponse:
        lang, headers = page_language(request)
        found = served_of(request).pages.suggestions(q[:200], origin_of(request), lang)
        return JSONResponse(found, headers={**headers, "Cache-Control": "public, max-age=300"})

    endpoints.register(app, served_of, queries)
    opendata.register(app, served_of)
    apidocs.register(app)
    app.mount(f"/{STATIC_PATH.strip('/')}", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    # A plain Starlette route, not FastAPI's: no dependency solving on the hottest path (documents
    # from the cache), and async, so no hop to a threadpool. Not in the OpenAPI description anyway.
    async def resource(request: Request) -> Response:
        return dereference(served_of(request), request, request.path_params["path"])

    # the routes before it that take a path parameter, which a document's path could match too
    # (with the literal start of their path: a path without it cannot match them)
    app.state.rivals = tuple(
        (route.path.partition("{")[0], route)
        for route in app.router.routes
        if isinstance(route, Mount) or "{" in getattr(route, "path", "")
    )
    app.router.routes.append(Route("/{path:path}", resource, methods=["GET", "HEAD"]))

    app.openapi = lambda: openapi.describe(app, queries)  # type: ignore[method-assign]
    return app


# The middleware every answer goes through, innermost first (a document's direct answer too: replay.py).
# CORSMiddleware answers only requests that carry Origin; linked data wants the header everywhere.
LAYERS: tuple[tuple[type, dict[str, Any]], ...] = (
    (CORSMiddleware, {"allow_origins": ["*"], "allow_methods": ["GET", "HEAD", "POST"],
                      "allow_headers": ["*"],
                      "expose_headers": ["ETag", "Link", "Location", "Last-Modified"]}),
    (DefaultHeaders, {"headers": {"Access-Control-Allow-Origin": "*", **HEADERS}}),
)  # fmt: skip


def document_of(app: FastAPI, scope: Scope) -> Response | None:
    """The answer of the resource route (`dereference`) to a request for a document of the release,
    made without the router: what the route would answer, or None when the route would not be the
    one to answer (no release yet, not a document of the release, a path another route takes) or
    would raise (the app then answers, and says what went wrong, as always)."""
    served: Served | None = app.state.served
    path = get_route_path(scope)
    named = None if served is None else document_path(served, path.removeprefix("/"))
    if named is None:
        return None
    for start, route in app.state.rivals:
        if path.startswith(start) and route.matches(scope)[0] is not Match.NONE:
            return None
    try:
        return document(served, Request(scope), *named)
    except Exception:  # the app answers it as always (an error included)
        return None


class GetAlsoHead(APIRoute):
    """A FastAPI route whose GET also answers HEAD, as Starlette's own routes do (RFC 9110 §9.3.2:
    HEAD is GET without the content, same status and header fields, Content-Length included).

    FastAPI's routes answer only the methods they list, so a HEAD fell through to the catch-all
    resource route: 404, or a 303 to a document that did not exist (issue 12). Matching HEAD here
    fixes every route at once; the endpoint runs as for GET and the server (uvicorn) sends no body.
    HEAD stays out of `methods`, hence out of the OpenAPI operations and their ids (one per route)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.PARTIAL and scope["method"] == "HEAD" and "GET" in self.methods:
            return Match.FULL, child_scope
        return match, child_scope

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD" and "GET" in self.methods:
            await self.app(scope, receive, send)  # the GET endpoint (Route.handle would answer 405)
        else:
            await super().handle(scope, receive, send)


def served_of(request: Request) -> Served:
    """The loaded release of the app answering `request` (503 while the first one is loading)."""
    served: Served | None = request.app.state.served
    if served is None:
        raise Problem(
            503,
            "La release si sta ancora caricando: riprovare tra poco",
            "The release is still loading: retry in a moment",
            headers={"Retry-After": "2"},
        )
    return served
