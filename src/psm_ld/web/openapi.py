"""The API's OpenAPI description (/openapi.json): every route, with each status it answers and the
media types of each answer.

FastAPI sees the routes declared with it, not the statuses and media types they negotiate, nor the
plain Starlette routes (dereferencing, static files, robots.txt): RESPONSES says all of it, in one
table, and `describe` puts it over FastAPI's description. tests/test_openapi.py has schemathesis
check every operation's answers against it, and that no route is left out.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from psm_ld.pages.documents import DOCUMENT_TYPES
from psm_ld.queries import NamedQuery
from psm_ld.query import conneg
from psm_ld.release import CSV_FORMAT, NQUADS_FORMAT, RDF_FORMATS
from psm_ld.vocab import HTML, PLAIN_TEXT, PROBLEM_JSON
from psm_ld.web.endpoints import FORMAT_PARAMETER

JSON = "application/json"
XML = "application/xml"
# an error, as web/errors.py answers it for the client's Accept
ERROR = (PLAIN_TEXT, HTML, PROBLEM_JSON)
QUERY_RESULTS = (*dict.fromkeys((*conneg.SELECT_TYPES, *conneg.RDF_TYPES)), HTML)
DOWNLOADS = tuple(dict.fromkeys(f.media_type for f in (*RDF_FORMATS, NQUADS_FORMAT, CSV_FORMAT)))
STATIC = ("text/css", "text/javascript", "image/svg+xml")
SWAGGER_UI = ("text/css", "text/javascript", "image/png", HTML, PLAIN_TEXT)

Statuses = dict[int, tuple[str, tuple[str, ...]]]  # status → (description, media types)

_LOADING = (503, ("the release is still loading (Retry-After)", ERROR))
_QUERY: Statuses = {
    200: ("results in the negotiated format (Accept or ?format=)", QUERY_RESULTS),
    400: ("not a valid query, or a bad parameter", ERROR),
    403: ("an update, or a federated query (SERVICE): the endpoint is read-only", ERROR),
    406: ("no acceptable format for this query form", ERROR),
    413: ("request body over 1 MiB", ERROR),
    415: ("not application/sparql-query, a form, or UTF-8", ERROR),
    422: ("result over the row or byte limit", ERROR),
    500: ("the query failed in the engine, or its worker died", ERROR),
    503: ("all workers busy, the time limit reached, or the release still loading", ERROR),
}
RESPONSES: dict[tuple[str, str], Statuses] = {
    ("get", "/health"): {200: ("serving a release", (JSON,)), 503: ("loading, or failed to load", (JSON,))},
    ("get", "/"): {200: ("home page", (HTML,)), 503: _LOADING[1]},
    ("get", "/cerca"): {200: ("search results page", (HTML,)), 503: _LOADING[1]},
    ("get", "/sparql"): {**_QUERY, 200: (_QUERY[200][0] + "; without a query: the service description "
                                                     "(RDF) or the query page (HTML)", QUERY_RESULTS)},
    ("post", "/sparql"): _QUERY,
    ("get", "/sparql/completions.json"): {200: ("prefixes, classes, properties and resources", (JSON,)),
                                          304: ("not modified (If-None-Match)", ()), 503: _LOADING[1]},
    ("get", "/queries"): {200: ("the named queries", (JSON, HTML)), 503: _LOADING[1]},
    ("get", "/download/{name}"): {200: ("the file", DOWNLOADS),
                                  304: ("not modified (If-None-Match or If-Modified-Since)", ()),
                                  404: ("no such download", ERROR), 503: _LOADING[1]},
    ("get", "/.well-known/void"): {303: ("to the catalog's document (it holds the VoID)", ()),
                                   406: ("no acceptable format", ERROR), 503: _LOADING[1]},
    ("get", "/sitemap.xml"): {200: ("every HTML page", (XML,)), 503: _LOADING[1]},
    ("get", "/robots.txt"): {200: ("crawling rules", (PLAIN_TEXT,))},
    ("get", "/static/{file}"): {200: ("a stylesheet, script or image of the pages", STATIC),
                                404: ("no such file", (PLAIN_TEXT, *ERROR))},
    ("get", "/static/swagger-ui/{file}"): {200: ("a file of Swagger UI, for /docs", SWAGGER_UI),
                                           404: ("no such file", (PLAIN_TEXT, *ERROR))},
    ("get", "/{path}"): {
        200: ("a document of a resource (path ending .html .ttl .jsonld .rdf .nt)", DOCUMENT_TYPES),
        303: ("a resource: See Other, to its document in the negotiated format (Accept or ?format=)", ()),
        304: ("not modified (If-None-Match or If-Modified-Since)", ()),
        404: ("nothing published at this IRI", ERROR),
        406: ("no acceptable format", ERROR),
        503: _LOADING[1],
    },
}  # fmt: skip
RESOURCE = {
    "tags": ["linked data"],
    "summary": "Dereference an IRI of the release (Cool URIs: 303 to its document) or get a document",
    "operationId": "dereference",
    "parameters": [
        {"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "the IRI relative to the base, e.g. psm/2021-2023/azione/2.1.1 (.html, .ttl …)"},
        {**FORMAT_PARAMETER, "description": "Document format over Accept: html, ttl, jsonld, rdf, nt."},
    ],
}  # fmt: skip
_FILE = {"name": "file", "in": "path", "required": True, "schema": {"type": "string"}}
SPARQL_BODY = {
    "required": True,
    "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
}


def describe(app: FastAPI, queries: dict[str, NamedQuery]) -> dict[str, Any]:
    """FastAPI's description, plus the routes it does not see, one path per named query, and the
    statuses and media types of RESPONSES on every operation. Computed once per app."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description,
        routes=app.routes,
    )  # fmt: skip
    paths = schema["paths"]
    paths["/{path}"] = {"get": RESOURCE}
    paths["/robots.txt"] = {"get": {"tags": ["open data"], "summary": "robots.txt", "operationId": "robots"}}
    paths["/static/{file}"] = {"get": {
        "tags": ["pages"], "summary": "Stylesheet, script and images of the pages", "operationId": "static",
        "parameters": [_FILE],
    }}  # fmt: skip
    paths["/static/swagger-ui/{file}"] = {"get": {
        "tags": ["pages"], "summary": "Swagger UI's files, for /docs (served by psm-ld: no network needed)",
        "operationId": "swagger_ui", "parameters": [_FILE],
    }}  # fmt: skip
    for method in ("get", "post"):  # one route, two operations: each its own id
        paths["/sparql"][method]["operationId"] = f"sparql_{method}"
    paths["/sparql"]["post"]["requestBody"] = SPARQL_BODY
    for query in queries.values():
        paths[f"/queries/{query.name}"] = {"get": _named_query(query)}
    for (method, path), statuses in RESPONSES.items():
        paths[path][method]["responses"] = _responses(statuses)
    for query in queries.values():
        paths[f"/queries/{query.name}"]["get"]["responses"] = _responses(
            {**_QUERY, 400: ("a bad parameter", ERROR)}
        )
    schema.get("components", {}).pop("schemas", None)  # FastAPI's validation error: never sent
    app.openapi_schema = schema
    return schema


def _responses(statuses: Statuses) -> dict[str, Any]:
    return {
        str(status): {"description": text, **({"content": {m: {} for m in types}} if types else {})}
        for status, (text, types) in sorted(statuses.items())
    }


def _named_query(query: NamedQuery) -> dict[str, Any]:
    parameters = [
        {
            "name": p.name,
            "in": "query",
            "required": p.default is None,
            "description": p.description,
            "schema": {"type": p.type, **({"default": p.default} if p.default is not None else {})},
        }
        for p in query.params
    ]
    return {
        "tags": ["named queries"],
        "operationId": f"query_{query.name.replace('-', '_')}",
        "summary": query.title,
        "description": f"{query.description}\n\n{query.title_en}: {query.description_en}",
        "parameters": [*parameters, FORMAT_PARAMETER],
    }
