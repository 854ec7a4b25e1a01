"""HTTP routes that run queries: /sparql (SPARQL 1.1 Protocol) and /queries (named queries)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from psm_ld.errors import Problem
from psm_ld.pages import Table
from psm_ld.queries import NamedQuery
from psm_ld.query import conneg
from psm_ld.query.executor import Job, Result
from psm_ld.query.serialize import rewrite, triples_to_bytes
from psm_ld.query.sparql import (
    Operation,
    graph_names,
    read_operation,
    service_description,
)
from psm_ld.vocab import XSD
from psm_ld.web.dereference import content_type, origin_of, page_language
from psm_ld.web.served import Served

FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Result format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); "
    "ttl, nt, jsonld, rdf (CONSTRUCT/DESCRIBE); html.",
    "schema": {"type": "string"},
}
SPARQL_PARAMETERS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "SPARQL 1.1 query (also POSTed as a form or as application/sparql-query). "
     "Without a query: the service description (RDF) or the query page (HTML)."},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "explode": True,
     "description": "Default graph(s); by default the union of all named graphs."},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
    FORMAT_PARAMETER,
]  # fmt: skip
ANY_RESULT = (*conneg.SELECT_TYPES, *conneg.RDF_TYPES, conneg.HTML)


def varies(response: Response) -> Response:
    """`Vary: Accept` on a response of a route that negotiates: whichever representation it is (HTML
    or data, result or error), another Accept could have got another, and caches must know."""
    vary = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    if not any(v.lower() in ("accept", "*") for v in vary):
        response.headers["Vary"] = ", ".join([*vary, "Accept"])
    return response


def wants_html(request: Request, format_name: str | None) -> bool:
    return conneg.choose(request.headers.get("accept"), format_name, ANY_RESULT) == conneg.HTML


def client_of(request: Request) -> str:
    """Who a request counts against in the pool's per-client limits: its remote address."""
    return request.client.host if request.client else ""


def job_for(served: Served, request: Request, text: str, op: Operation | None, format_name: str | None,
            html: bool) -> Job:  # fmt: skip
    """The worker's job: formats negotiated per result kind (falling back to the default: an answer
    in a common format serves a client better than a 406), dataset from the protocol."""
    settings, accept = served.settings, request.headers.get("accept")
    origin, base = origin_of(request), settings.base_uri

    def pick(offered: tuple[str, ...]) -> str:
        return offered[0] if html else conneg.choose(accept, format_name, offered) or offered[0]

    rewriting = settings.rewrite_iris and origin != base

    def canonical(iri: str) -> str:  # a client that saw rewritten IRIs sends them back
        return base + iri[len(origin) :] if rewriting and iri.startswith(origin) else iri

    default = named = None
    if op is not None and (op.default_graphs or op.named_graphs):
        default = tuple(g.value for g in graph_names([canonical(g) for g in op.default_graphs]))
        named = tuple(g.value for g in graph_names([canonical(g) for g in op.named_graphs]))
    return Job(
        query=text,  # read (update? FROM? IRIs to map?) in the worker, off the event loop
        base_iri=base,
        union_default_graph=True,
        default_graphs=default,
        named_graphs=named,
        select_type=pick(conneg.SELECT_TYPES),
        ask_type=pick(conneg.ASK_TYPES),
        graph_type=conneg.NTRIPLES if html else pick(conneg.RDF_TYPES),
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
        rewrite_iris=(origin, base) if rewriting else None,
    )


def as_table(result: Result) -> Table:
    if result.kind == "select":
        parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
        columns = [v.value for v in parsed.variables]  # type: ignore[union-attr]
        rows = [{c: s[c] for c in columns if s[c] is not None} for s in parsed]  # type: ignore[union-attr]
        return Table(columns, rows)  # type: ignore[arg-type]
    if result.kind == "ask":
        value = bool(ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON))
        literal = ox.Literal(str(value).lower(), datatype=ox.NamedNode(XSD + "boolean"))
        return Table(["ask"], [{"ask": literal}])
    quads = ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES)
    return Table(
        ["subject", "predicate", "object"],
        [{"subject": q.subject, "predicate": q.predicate, "object": q.object} for q in quads],  # type: ignore[misc]
        graph=True,
    )


def result_response(served: Served, request: Request, result: Result) -> Response:
    body = result.body
    if served.settings.rewrite_iris:
        body = rewrite(body, served.settings.base_uri, origin_of(request))
    return Response(body, media_type=content_type(result.media_type), headers={"Vary": "Accept"})


def register(app: FastAPI, served_of: Callable[[Request], Served], queries: dict[str, NamedQuery]) -> None:
    # One endpoint, two operations: each method its own operationId, parameters and body.
    @app.get(
        "/sparql", tags=["SPARQL"], operation_id="sparql_get",
        summary="SPARQL 1.1 Protocol: query by GET (read-only)",
        openapi_extra={"parameters": SPARQL_PARAMETERS},
    )  # fmt: skip
    @app.post(
        "/sparql", tags=["SPARQL"], operation_id="sparql_post",
        summary="SPARQL 1.1 Protocol: query by POST, as a form or as application/sparql-query",
        openapi_extra={"parameters": [FORMAT_PARAMETER]},
    )  # fmt: skip
    async def sparql_endpoint(request: Request) -> Response:
        return varies(await sparql(request))

    async def sparql(request: Request) -> Response:
        served = served_of(request)
        origin, client = origin_of(request), client_of(request)
        asks = request.method == "POST" or "query" in request.query_params  # not the empty form
        if asks and not served.pool.admits(client):  # before reading and parsing anything
            raise served.pool.too_many()
        op = await read_operation(request)  # a ProtocolError is answered by web/errors.py
        html = wants_html(request, op.format)
        lang, headers = page_language(request, ("Accept",))
        if op.query is None:
            if html:

                def form() -> str:
                    return served.pages.sparql_form(None, None, None, origin, lang)

                return HTMLResponse(await served.page("sparql", origin, lang, form), headers=headers)
            return service_description_response(served, request, op.format)
        try:
            result = await served.pool.run(job_for(served, request, op.query, op, op.format, html), client)
        except Problem as exc:
            if not html:
                raise  # answered by web/errors.py
            # the query editor shows its own error beside the query, to be corrected there
            page = served.pages.sparql_form(op.query, None, exc.message, origin, lang)
            return HTMLResponse(page, status_code=exc.status, headers={**headers, **exc.headers})
        if html:
            page = served.pages.sparql_form(op.query, as_table(result), None, origin, lang)
            return HTMLResponse(page, headers=headers)
        return result_response(served, request, result)

    @app.get(
        "/sparql/completions.json", tags=["SPARQL"], operation_id="sparql_completions",
        summary="What the query editor completes: the project's prefixes, classes, properties and "
        "labelled resources of the release (computed once per release, at most 5,000 terms)",
    )  # fmt: skip
    def sparql_completions(request: Request) -> Response:
        served = served_of(request)
        etag = f'"{served.release.id}-completions"'  # one document per release
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(served.pages.completions, media_type="application/json", headers=headers)

    @app.get("/queries", tags=["named queries"], summary="The named queries (JSON, or HTML for browsers)")
    async def queries_index(request: Request, format: str | None = None) -> Response:  # noqa: A002
        served, origin = served_of(request), origin_of(request)
        chosen = conneg.choose(request.headers.get("accept"), format, ("application/json", conneg.HTML))
        if chosen == conneg.HTML:
            lang, headers = page_language(request)

            def index() -> str:
                return served.pages.queries_index(origin, lang)

            page = await served.page("queries", origin, lang, index)
            return varies(HTMLResponse(page, headers=headers))

        def listing() -> str:  # as JSONResponse writes it
            found = [_query_json(q, origin) for q in queries.values()]
            return json.dumps(found, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

        # kept per origin (it depends on nothing else): it was encoded per request, a sixth of the
        # server's time under 500 connections
        body = await served.page("queries.json", origin, "", listing)
        return varies(Response(body, media_type="application/json"))

    @app.get("/queries/{name}", include_in_schema=False)  # described per query (web/openapi.py)
    async def named_query(request: Request, name: str) -> Response:
        return varies(await run_named(request, name))

    async def run_named(request: Request, name: str) -> Response:
        served = served_of(request)
        if name not in queries:
            raise Problem(
                404, f"Query sconosciuta «{name}»", f"Unknown query «{name}»", detail=", ".join(queries)
            )
        query = queries[name]
        format_name = request.query_params.get("format")
        params = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
        html = wants_html(request, format_name)
        origin = origin_of(request)
        text = query.render(params)  # a QueryError (bad parameter) is answered by web/errors.py
        job = job_for(served, request, text, None, format_name, html)
        result = await served.pool.run(job, client_of(request))
        if html:
            lang, headers = page_language(request, ("Accept",))
            page = served.pages.query_page(name, params, as_table(result), origin, lang=lang)
            return HTMLResponse(page, headers=headers)
        return result_response(served, request, result)


def service_description_response(served: Served, request: Request, format_name: str | None) -> Response:
    media = conneg.choose(request.headers.get("accept"), format_name, conneg.RDF_TYPES) or conneg.TURTLE
    base = served.settings.base_uri
    endpoint = origin_of(request) + "sparql"  # where the service answers, whatever the canonical base
    body = triples_to_bytes(service_description(endpoint, served.describer.graphs), media, base)
    if served.settings.rewrite_iris:
        body = rewrite(body, base, origin_of(request))
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


def _query_json(query: NamedQuery, origin: str) -> dict[str, object]:
    return {
        "name": query.name,
        "url": f"{origin}queries/{query.name}",
        "title": query.title,
        "title_en": query.title_en,
        "description": query.description,
        "description_en": query.description_en,
        "params": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.params
        ],
        "query": query.text,
    }
