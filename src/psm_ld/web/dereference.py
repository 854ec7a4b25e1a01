"""Dereferencing (Cool URIs, design.md "URIs"): a resource path answers 303 See Other to its
document for the negotiated format; documents (`.html .ttl .jsonld .rdf .nt`) answer 200 with
Vary, Link alternates and canonical, ETag and Last-Modified (304 on If-None-Match or, without it,
If-Modified-Since: `not_modified`).

The request path relative to the serving origin is the IRI relative to the canonical base, so one
release is served unchanged on any origin.

Languages (psm_ld.pages.urls has the decision): an HTML document's language is in its URL —
`X.html` Italian, `X.html?lang=en` English — so documents never vary on Accept-Language and each is
cached (and exported) once per language; the 303 from `X` carries `?lang=` on to the HTML document.
Pages that are not documents (`page_language`) follow `?lang=`, else Accept-Language, and then say
`Vary: Accept-Language`.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from psm_ld.errors import Problem
from psm_ld.pages import series
from psm_ld.pages.documents import DOCUMENT_TYPES
from psm_ld.pages.i18n import DEFAULT, explicit, language
from psm_ld.query import conneg
from psm_ld.web.served import Served

_SAFE = "/:@!$&'()*+,;=-._~"


def origin_of(request: Request) -> str:
    return str(request.base_url)


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") or media.endswith("json") else media


def page_language(request: Request, vary: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    """The language of a page that is not a document (home, search, SPARQL, queries, «not found»)
    and the headers that say how it was chosen: `Content-Language`, and `Vary: Accept-Language`
    when no `?lang=` chose it (after `vary`, the other headers the response depends on)."""
    given = explicit(request.query_params.get("lang"))
    lang = language(given, request.headers.get("accept-language"), negotiate=True)
    varies = (*vary, "Accept-Language") if given is None else vary
    headers = {"Content-Language": lang}
    if varies:
        headers["Vary"] = ", ".join(varies)
    return lang, headers


def document_language(request: Request, media: str) -> str:
    """The language of a document: `?lang=` for HTML (Italian without it), none for RDF."""
    if media != conneg.HTML:
        return ""
    return explicit(request.query_params.get("lang")) or DEFAULT


def not_found(request: Request) -> Problem:
    """The 404 of a request for nothing (web/errors.py shows it: a page with a search to a browser)."""
    return Problem(404, "Non c'è nulla a questo indirizzo", "Nothing is published at this address",
                   detail=str(request.url.replace(query="")))  # fmt: skip


def not_in_data(served: Served, request: Request, path: str) -> Problem:
    """The 404 of a path the release lacks: for an action the plan declares but the data does not
    hold yet, a Problem that says so with its numbers (the HTML page explains it at length:
    Pages.not_found); for anything else, `not_found`."""
    absent = served.pages.missing_action(path)
    if absent is None:
        return not_found(request)
    return Problem(
        404,
        f"Azione {absent.code} dichiarata dal piano ma non ancora nei dati",
        f"Action {absent.code} declared by the plan but not in the data yet",
        detail=absent.detail(),
    )


def document_path(served: Served, path: str) -> tuple[str, str] | None:
    """(stem, media type) when `path` (relative to the origin) names a document of a resource the
    release describes (`X.ttl` of `X`), else None."""
    stem, media = conneg.split_suffix(path)
    return (stem, media) if media and served.describer.known(served.settings.base_uri + stem) else None


def dereference(served: Served, request: Request, path: str) -> Response:
    base = served.settings.base_uri
    named = document_path(served, path)
    if named is not None:
        return document(served, request, *named)
    if not served.describer.known(base + path):
        raise not_in_data(served, request, path)
    chosen = conneg.choose(request.headers.get("accept"), request.query_params.get("format"), DOCUMENT_TYPES)
    if chosen is None:
        raise Problem(
            406,
            "Nessuno dei formati accettati è disponibile",
            "None of the accepted formats is available",
            detail=", ".join(DOCUMENT_TYPES),
            headers={"Vary": "Accept"},
        )
    location = origin_of(request) + quote(path, safe=_SAFE) + conneg.SUFFIX_OF[chosen]
    lang = document_language(request, chosen)
    if lang and lang != DEFAULT:
        location += f"?lang={lang}"
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


def document(served: Served, request: Request, stem: str, media: str) -> Response:
    origin, base = origin_of(request), served.settings.base_uri
    lang = document_language(request, media)
    # an HTML page may show an edition's status, which changes with the year (pages/series.py)
    year = series.today().year if media == conneg.HTML else 0
    tag, headers = _headers(served.release.id, served.last_modified, base, stem, media, origin, lang, year)
    if not_modified(request, headers["ETag"], headers["Last-Modified"]):
        return Response(status_code=304, headers=headers)
    body = served.documents.get(base + stem, media, origin, lang)
    if body is None:
        raise not_in_data(served, request, stem)
    return Response(body, media_type=content_type(media), headers=headers)


@lru_cache(maxsize=8192)
def _headers(
    release: str, last_modified: str, base: str, stem: str, media: str, origin: str, lang: str = "",
    year: int = 0,
) -> tuple[str, dict[str, str]]:
    """The ETag and the headers of a document: the same for every request, so computed once. An
    HTML document in English (`lang`) is its own URL: canonical `….html?lang=en`. `year` (0 for RDF)
    is the year an HTML page is rendered in: an edition's status changes with it, so the ETag does,
    and Last-Modified is at least 1 January of that year."""
    iri, quoted = base + stem, quote(stem, safe=_SAFE)
    tag = hashlib.sha256(f"{release}\n{iri}\n{media}\n{origin}\n{lang}\n{year}".encode()).hexdigest()[:32]
    if year:
        new_year = formatdate(calendar.timegm((year, 1, 1, 0, 0, 0)), usegmt=True)
        if parsedate_to_datetime(new_year) > parsedate_to_datetime(last_modified):
            last_modified = new_year
    links = [f'<{origin}{quoted}{conneg.SUFFIX_OF[m]}>; rel="alternate"; type="{m}"' for m in DOCUMENT_TYPES]
    query = f"?lang={lang}" if lang and lang != DEFAULT else ""
    links.append(f'<{base}{quoted}{conneg.SUFFIX_OF[media]}{query}>; rel="canonical"')
    links.append(f'<{iri}>; rel="describes"')
    headers = {
        "Vary": "Accept",
        "Link": ", ".join(links),
        "ETag": f'"{tag}"',
        "Last-Modified": last_modified,
        "Cache-Control": "public, max-age=300",
    }
    if lang:
        headers["Content-Language"] = lang
    return tag, headers


def not_modified(request: Request, etag: str, last_modified: str | None) -> bool:
    """Whether a GET or HEAD gets 304 Not Modified (RFC 9110 §13.2.2 steps 3-4): If-None-Match
    decides when present (weak comparison); otherwise If-Modified-Since, when it is one valid
    HTTP-date, is false (304) if the representation was last modified at or before it (§13.1.3).

    A date in the future is a valid HTTP-date, so it gives 304: RFC 9110 has no rule against it
    (RFC 2616 §14.25 called such a date invalid; RFC 7232 and 9110 dropped that sentence)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        candidates = {_opaque(c) for c in if_none_match.split(",")}
        return "*" in candidates or _opaque(etag) in candidates
    since = request.headers.getlist("if-modified-since")
    if len(since) != 1 or "," in since[0].partition(",")[2] or last_modified is None:
        return False  # no date, several fields or members: ignored (§13.1.3)
    date, modified = _http_date(since[0]), _http_date(last_modified)
    return date is not None and modified is not None and modified <= date


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/").strip('"')


def _http_date(value: str) -> datetime | None:
    """An HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms), or None."""
    try:
        date = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return date if date.tzinfo else date.replace(tzinfo=UTC)
