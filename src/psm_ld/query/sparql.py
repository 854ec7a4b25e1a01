"""SPARQL 1.1 Protocol for a read-only endpoint: reading the operation out of an HTTP request, and
the service description. What the query text itself must be is checked in the query worker
(query/guard.py, executor.run_job), off the server's event loop."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
import pyoxigraph as ox
from starlette.requests import Request

from psm_ld.errors import Problem
from psm_ld.query import conneg

# What a query's text says (analyse, map_iris) is read in the worker (guard.py: off the event loop);
# the names stay importable from here.
from psm_ld.query.guard import _TOKEN, READ_ONLY, UPDATE_KEYWORDS, UPDATES, Analysis, analyse, map_iris  # noqa: F401
from psm_ld.vocab import RDF, SD, VOID, W3C_FORMATS, XSD

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


class ProtocolError(Problem):
    """A request the SPARQL 1.1 Protocol, or this read-only endpoint, does not answer."""


@dataclass
class Operation:
    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None  # ?format= or a form's format (not in the protocol; handy for links)


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    """The value of a parameter sent at most once; sent again with the same value, it is still one
    (clients repeat themselves), with another value it is a 400."""
    values = list(dict.fromkeys(v for k, v in pairs if k == name))
    if len(values) > 1:
        raise ProtocolError(
            400,
            f"Più di un parametro «{name}»: inviarne uno solo",
            f"More than one «{name}» parameter: send one",
        )
    return values[0] if values else None


# What a ?format= value can select, per result kind: values that select the same in each agree.
_FORMAT_CHOICES = (conneg.SELECT_TYPES, conneg.ASK_TYPES, conneg.RDF_TYPES, (conneg.HTML,))


def _format(pairs: list[tuple[str, str]]) -> str | None:
    """?format= (in the URL or the POSTed form), which clients may repeat by alias: SPARQLWrapper sends
    `format=tsv&format=text/tab-separated-values` (a name and a media type), or an empty second value,
    and took a 400 for it. Empty values are no value; values that select the same format for every
    result kind are one parameter; values that disagree are still a 400."""
    values = list(dict.fromkeys(v.strip() for k, v in pairs if k == "format" and v.strip()))
    if len(values) > 1 and not conneg.same_format(values, _FORMAT_CHOICES):
        raise ProtocolError(
            400,
            "Parametri «format» in disaccordo: inviarne uno solo",
            "«format» parameters that disagree: send one",
            detail=", ".join(values),
        )
    return values[0] if values else None


def _decode(body: bytes, content_type: str) -> str:
    charset = re.search(r"charset\s*=\s*\"?([\w.-]+)", content_type, re.IGNORECASE)
    if charset and charset.group(1).lower().replace("_", "-") not in {"utf-8", "utf8", "us-ascii"}:
        found = charset.group(1)
        raise ProtocolError(
            415,
            f"Codifica «{found}» non supportata: il protocollo vuole UTF-8",
            f"Unsupported charset «{found}»: the protocol requires UTF-8",
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, "Il corpo della richiesta non è UTF-8 valido", "The request body is not valid UTF-8"
        ) from exc


MAX_BODY_BYTES = 1024 * 1024  # a query (or form) larger than this is refused with 413, unread
INLINE_FORM_BYTES = 16 * 1024  # a larger form is decoded in a thread (below)
# urllib decodes a form in Python per escape and per field: a second for 1 MiB (issue 10 point 6),
# long enough to stall the event loop. A large form is decoded in a thread, where the event loop
# gets the interpreter back every few milliseconds (sys.getswitchinterval; no C call there holds it
# long), two at a time (forms cannot take every thread); and a field's escapes are decoded by a few
# C calls rather than one Python step each: tens of milliseconds for a 1 MiB query, not a second.
_FORM_THREADS = anyio.CapacityLimiter(2)
_NOT_AN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


async def _form(text: str) -> list[tuple[str, str]]:
    """The fields of a form body: parse_qsl(text, keep_blank_values=True), the same pairs."""
    if len(text) <= INLINE_FORM_BYTES:
        return _fields(text)
    return await anyio.to_thread.run_sync(_fields, text, limiter=_FORM_THREADS)


def _fields(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _unquote_plus(text: str) -> str:
    """urllib.parse.unquote_plus(text) (UTF-8, errors replaced) in a few C calls, none long: every %XX
    made a \\xXX escape (backslashes first made %5C, a '%' that begins no escape %25) and decoded
    by codecs.escape_decode."""
    if "%" not in text:
        return text.replace("+", " ")
    raw = text.replace("+", " ").encode("utf-8").replace(b"\\", b"%5C")
    stray = _NOT_AN_ESCAPE.search(raw) is not None
    decoded = [
        codecs.escape_decode((_NOT_AN_ESCAPE.sub(b"%25", piece) if stray else piece).replace(b"%", b"\\x"))[0]
        for piece in _pieces(raw)
    ]
    return b"".join(decoded).decode("utf-8", "replace")


def _pieces(raw: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    """`raw` in pieces of about `size` bytes, each '%' in the same piece as the two bytes after it."""
    start = 0
    while start < len(raw):
        end = start + size
        if end < len(raw) and (cut := raw.find(b"%", end - 2, end)) != -1:
            end = cut
        yield raw[start:end]
        start = end


async def read_operation(request: Request) -> Operation:
    """The operation of a GET or POST request, as SPARQL 1.1 Protocol §2.1 defines them."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    body_query: str | None = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        body = await _bounded_body(request)
        if media == FORM:
            pairs += await _form(_decode(body, content_type))
        elif media == QUERY:
            body_query = _decode(body, content_type)
        elif media == UPDATE:
            raise ProtocolError(403, *READ_ONLY)
        else:
            raise ProtocolError(
                415,
                f"Content-Type «{media or '(nessuno)'}» non supportato: inviare con POST la query come "
                f"{QUERY} o come {FORM} con un parametro «query»",
                f"Unsupported Content-Type «{media or '(none)'}»: POST a query as {QUERY} "
                f"or as {FORM} with a «query» parameter",
            )
    if any(k in {"update", "using-graph-uri", "using-named-graph-uri"} for k, _ in pairs):
        raise ProtocolError(403, *READ_ONLY)
    query = _single(pairs, "query")
    if body_query is not None:
        if query is not None:
            raise ProtocolError(
                400,
                "Una query nel corpo e una nell'URL: inviarne una sola",
                "A query in the body and one in the URL: send exactly one",
            )
        query = body_query
    return Operation(
        query=query if query and query.strip() else None,
        default_graphs=[v for k, v in pairs if k == "default-graph-uri"],
        named_graphs=[v for k, v in pairs if k == "named-graph-uri"],
        format=_format(pairs),
    )


async def _bounded_body(request: Request) -> bytes:
    kib = MAX_BODY_BYTES // 1024
    too_large = ProtocolError(
        413,
        f"Corpo della richiesta oltre {kib} KiB: inviare una query più breve",
        f"Request body larger than {kib} KiB: send a shorter query",
        limit=MAX_BODY_BYTES,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():  # a body without Content-Length is bounded too
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def graph_names(iris: list[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise ProtocolError(
            400,
            "IRI di grafo non valido in default-graph-uri o named-graph-uri",
            "Invalid graph IRI in default-graph-uri or named-graph-uri",
            detail=str(exc),
        ) from exc


# --- service description (SPARQL 1.1 Service Description) ------------------------------------

SD_RESULT_FORMATS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
)  # fmt: skip


def service_description(endpoint: str, graphs: dict[str, int]) -> list[ox.Triple]:
    """sd:Service for `endpoint`; the default dataset lists the named graphs with their sizes."""
    sd, void = (lambda local: ox.NamedNode(SD + local)), (lambda local: ox.NamedNode(VOID + local))
    rdf_type = ox.NamedNode(RDF + "type")
    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    out = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
        ox.Triple(default, void("triples"), ox.Literal(str(sum(graphs.values())), datatype=_INTEGER)),
    ]
    out += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(W3C_FORMATS + f)) for f in SD_RESULT_FORMATS]
    for n, (name, size) in enumerate(sorted(graphs.items())):
        named, graph = ox.BlankNode(f"named{n}"), ox.BlankNode(f"graph{n}")
        out += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, rdf_type, sd("Graph")),
            ox.Triple(graph, void("triples"), ox.Literal(str(size), datatype=_INTEGER)),
        ]
    return out


_INTEGER = ox.NamedNode(XSD + "integer")
