"""Every HTTP error, shown in one place: `install(app)` registers the one handler.

Whatever failed (a `Problem` from the protocol, the query workers or a named query; Starlette's own
404/405; FastAPI's parameter validation; an unexpected exception), the client gets:
- an HTML page when it prefers HTML (a browser: `text/html` explicitly accepted, at least as much
  as JSON, or `?format=html`): `Pages.not_found` for a 404 (with a search), otherwise the error page;
- `application/problem+json` (RFC 9457: type, title, status, detail, instance, and `limit` when
  there is one) when it explicitly accepts JSON (`application/json`, `application/problem+json` or
  any `+json` type, such as SPARQL JSON results or JSON-LD);
- otherwise one line of plain text (curl's `*/*`, RDF, CSV and SPARQL XML clients), as the SPARQL
  protocol's clients have always had it.
Titles and texts are Italian first, then English (psm_ld.errors: `italiano / English[: detail]`).
"""

from __future__ import annotations

import json
from http import HTTPStatus

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from psm_ld.errors import Problem
from psm_ld.pages.errors import error_page
from psm_ld.query import conneg
from psm_ld.vocab import HTML, PLAIN_TEXT, PROBLEM_JSON
from psm_ld.web.dereference import page_language
from psm_ld.web.served import Served

# The title of each status (RFC 9457 §3.1.3: the same for every occurrence), Italian first.
TITLES = {
    400: "Richiesta non valida / Bad Request",
    403: "Non consentito / Forbidden",
    404: "Non trovato / Not Found",
    405: "Metodo non consentito / Method Not Allowed",
    406: "Formato non disponibile / Not Acceptable",
    413: "Richiesta troppo grande / Content Too Large",
    415: "Tipo di contenuto non supportato / Unsupported Media Type",
    422: "Contenuto non elaborabile / Unprocessable Content",
    500: "Errore interno / Internal Server Error",
    503: "Servizio non disponibile / Service Unavailable",
}
_HTML_TYPES = frozenset({HTML, "application/xhtml+xml"})


def install(app: FastAPI) -> None:
    """Register the handler for every error the app can raise."""
    app.add_exception_handler(Problem, _handle)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _handle)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _handle)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _handle)  # answered, then re-raised by Starlette (logged)


def title(status: int) -> str:
    """The title of a status, `italiano / English` (RFC 9457: the same for every occurrence)."""
    if status in TITLES:
        return TITLES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a status no RFC names
        phrase = "Error"
    return f"Errore {status} / {phrase}"


def as_problem(exc: Exception) -> Problem:
    """Anything raised while answering, as a Problem (the ones from below pass unchanged)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            problem = Problem(404, "Non c'è nulla a questo indirizzo", "Nothing is published at this address")
        elif exc.status_code == 405:
            problem = Problem(405, "Metodo non consentito qui", "Method not allowed here")
        else:
            it, _, en = title(exc.status_code).partition(" / ")
            said = str(exc.detail) if exc.detail and str(exc.detail) != en else None  # not the phrase again
            problem = Problem(exc.status_code, it, en, detail=said)
        problem.headers.update(exc.headers or {})
        return problem
    if isinstance(exc, RequestValidationError):
        wrong = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return Problem(422, "Parametri non validi", "Invalid parameters", detail=wrong)
    return Problem(500, "Errore interno del server", "Internal server error")


def representation(request: Request) -> str:
    """HTML, problem+json or plain text, by `?format=` or else by Accept (module docstring)."""
    format_name = request.query_params.get("format")
    named = format_name and conneg.from_name(format_name, tuple(conneg.MEDIA_TYPES))
    ranges = conneg.parse_accept(named or request.headers.get("accept"))
    html = max((q for media, q in ranges if media in _HTML_TYPES), default=0.0)
    json_q = max((q for media, q in ranges if media == "application/json" or media.endswith("+json")),
                 default=0.0)  # fmt: skip
    if html > 0 and html >= json_q:
        return HTML
    return PROBLEM_JSON if json_q > 0 else PLAIN_TEXT


def response(request: Request, problem: Problem) -> Response:
    """The answer to `request` that says `problem`, in the representation the client prefers, which
    another Accept could change: `Vary: Accept` (issue 12), whatever else the problem varies on."""
    headers = {**problem.headers}
    if "accept" not in headers.get("Vary", "").lower():
        headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept"]))
    kind = representation(request)
    if kind == HTML:
        lang, lang_headers = page_language(request, tuple(v for v in [headers.get("Vary")] if v))
        headers.update(lang_headers)
        return HTMLResponse(_page(request, problem, lang), status_code=problem.status, headers=headers)
    if kind == PROBLEM_JSON:
        body: dict[str, object] = {
            "type": "about:blank",  # the status says it all (RFC 9457 §4.2.1); title is its phrase
            "title": title(problem.status),
            "status": problem.status,
            "detail": problem.message,
            "instance": request.url.path,
        }
        if problem.limit is not None:
            body["limit"] = problem.limit
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n"
        return Response(content, problem.status, headers, media_type=PROBLEM_JSON)
    return PlainTextResponse(problem.message.rstrip() + "\n", problem.status, headers)


async def _handle(request: Request, exc: Exception) -> Response:
    return response(request, as_problem(exc))


def _page(request: Request, problem: Problem, lang: str) -> str:
    """The HTML page of `problem`, in `lang` (the page's language: web.dereference.page_language)."""
    origin = str(request.base_url)
    served: Served | None = getattr(request.app.state, "served", None)
    if problem.status == 404 and served is not None:
        return served.pages.not_found(request.scope["path"].lstrip("/"), origin, lang)
    base = request.app.state.settings.base_uri
    return error_page(problem, title(problem.status), base, origin, lang, request.scope["path"])
