"""Talking to a SPARQL 1.1 engine (PSM_STORE=sparql): where it is (Endpoint, the operator's
settings), how psm-ld names things in it, its errors, and the small metadata queries that say which
release is published and current. Used by the remote store (remote.py) and by `psm-ld publish`
(build/publish.py).

Layout in the engine (all names under `urn:x-psm-ld:`, never shown to clients):
    <urn:x-psm-ld:r:{release id}:{graph}>   each named graph of each release, under its own name
    <urn:x-psm-ld:meta>                     the metadata graph: which release is current, and for
                                            every release publish started: its graphs and quads
    <urn:x-psm-ld:site:{site}:…>            the same two, for a site named by PSM_STORE_SITE: several
                                            psm-ld sites (or staging beside production) share one
                                            engine, each with its own current release, and a
                                            publish drops only its own site's old releases
    <urn:x-psm-ld:bnode:{label}>            the release's blank nodes, skolemized: an engine gives
                                            back blank nodes under labels of its own, which no later
                                            query can name; a skolem IRI it keeps as written
The engine URL is the operator's setting: nothing a client sends ever chooses where a connection goes.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import certifi  # httpx's own dependency: its default authorities
import httpx
import pyoxigraph as ox

from psm_ld.config import SAFE_NAME
from psm_ld.query.executor import QueryFailed

PREFIX = "urn:x-psm-ld:"
META_GRAPH = PREFIX + "meta"
STORE_NODE = PREFIX + "store"
CURRENT = PREFIX + "current"  # STORE_NODE CURRENT "release id"
RELEASE = PREFIX + "release:"  # + release id: the subject of a release's metadata
HAS_GRAPH = PREFIX + "graph"  # release HAS_GRAPH <graph as clients name it>
QUADS = PREFIX + "quads"  # release QUADS n (the manifest's count)
EMPTY_GRAPH = PREFIX + "empty"  # never written: the default graph when a query asks for none
ABSENT_GRAPH = PREFIX + "absent"  # never written: any graph a client names that the release lacks
SKOLEM = PREFIX + "bnode:"

RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
MAX_ERROR_BYTES = 2048




def site_prefix(site: str | None) -> str:
    """Where a site's metadata graph and release graphs are named (the default site: PREFIX)."""
    if not site:
        return PREFIX
    if not SAFE_NAME.fullmatch(site):
        raise ValueError(f"site name {site!r}: letters, digits, '_', '.', '-' only")
    return f"{PREFIX}site:{site}:"


def skolem(term: ox.Term) -> ox.Term:
    return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term


class StoreUnavailable(QueryFailed):
    """The engine did not answer, or answered with an error that is not the query's fault."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            503,
            "L'archivio SPARQL non risponde: riprovare tra poco",
            "The SPARQL store is not answering: try again shortly",
            detail=detail,
            headers={"Retry-After": "5"},
        )


class _Auth(httpx.Auth):
    """Credentials sent only when the engine asks (401), in the scheme it asks for: Virtuoso's
    /sparql-graph-crud-auth wants Digest, most others Basic. Reads that need none carry none."""

    def __init__(self, user: str, password: str) -> None:
        self.basic, self.digest = httpx.BasicAuth(user, password), httpx.DigestAuth(user, password)
        self.scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:  # type: ignore[override]
        if self.scheme is not None:
            yield from self.scheme.auth_flow(request)  # type: ignore[misc]
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self.scheme = self.digest if challenge.startswith("digest") else self.basic
        yield from self.scheme.auth_flow(request)  # type: ignore[misc]


@dataclass(frozen=True)
class Endpoint:
    """Where the engine is (the operator's settings; picklable: query workers get one)."""

    query_url: str
    gsp_url: str | None = None
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0  # seconds per request (the query workers are stopped sooner, at the limit)
    site: str | None = None  # PSM_STORE_SITE: this site's names in a shared engine (site_prefix)

    @property
    def meta_graph(self) -> str:
        """The site's metadata graph (META_GRAPH for the default site)."""
        return site_prefix(self.site) + "meta"

    def stored_prefix(self, release_id: str) -> str:
        """The prefix of a release's graph names in the engine."""
        return f"{site_prefix(self.site)}r:{release_id}:"

    def client(self) -> httpx.Client:
        auth = _Auth(self.user, self.password or "") if self.user else None
        return httpx.Client(
            auth=auth,
            verify=tls_context(),
            timeout=httpx.Timeout(self.timeout, connect=10.0),
            follow_redirects=False,  # an answer never sends a connection elsewhere
            trust_env=False,  # nor does a proxy variable of the environment
        )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context, as httpx makes it by default (certificates verified against
    certifi's authorities), shared by its clients: httpx builds a new one per client otherwise,
    reading every authority's certificate again (15-70 ms of CPU), and the reload loop makes a client
    every PSM_RELOAD_SECONDS (`select`). An SSLContext may be shared by connections in any thread."""
    return ssl.create_default_context(cafile=certifi.where())


def raise_for(response: httpx.Response, what: str) -> None:
    """Errors as Problems: 400 is the query's fault (the engine's message as detail), others are the
    store's. Also refuses answers an engine marks as cut short (Virtuoso's partial 'anytime' results
    and its ResultSetMaxRows cut): psm-ld never passes on an incomplete answer as complete."""
    if response.status_code >= 400:
        body = response.read()[:MAX_ERROR_BYTES].decode("utf-8", "replace")
        detail = " ".join(body.split())[:500]
        if response.status_code == 400:
            raise QueryFailed(400, "Errore di sintassi SPARQL", "SPARQL syntax error", detail=detail)
        raise StoreUnavailable(f"{what}: HTTP {response.status_code} {detail}")
    state = response.headers.get("x-sql-state")
    if state or "x-sparql-maxrows" in response.headers:
        message = response.headers.get("x-sql-message", "")
        raise QueryFailed(
            503,
            "L'archivio SPARQL ha interrotto la query (risultato incompleto): restringere la query",
            "The SPARQL store cut the query short (incomplete result): narrow the query",
            detail=f"{state or 'ResultSetMaxRows'} {message}".strip(),
        )


class _Stream:
    """A response body as a file for pyoxigraph's parsers, read lazily, at most `limit` bytes."""

    def __init__(self, chunks: Iterator[bytes], limit: int) -> None:
        self.chunks, self.limit, self.read_bytes, self.buffer = chunks, limit, 0, b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.read_bytes += len(chunk)
            if self.read_bytes > self.limit:
                raise QueryFailed(
                    422,
                    f"Risultato troppo grande (più di {self.limit} byte dall'archivio): aggiungere LIMIT",
                    f"Result too large (more than {self.limit} bytes from the store): add LIMIT",
                    limit=self.limit,
                )
            self.buffer += chunk
        if size < 0:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def release_info(
    endpoint: Endpoint, release_id: str, http: httpx.Client | None = None
) -> tuple[tuple[str, ...], int] | None:
    """(graphs, quads) of a release as the metadata graph states them, or None if it states none."""
    if not SAFE_NAME.fullmatch(release_id):
        return None
    rows = select(
        endpoint,
        f"SELECT ?g ?n WHERE {{ GRAPH <{endpoint.meta_graph}> {{ <{RELEASE}{release_id}> <{QUADS}> ?n "
        f"OPTIONAL {{ <{RELEASE}{release_id}> <{HAS_GRAPH}> ?g }} }} }}",
        http,
    )
    if not rows:
        return None
    return tuple(sorted({r["g"].value for r in rows if "g" in r})), int(rows[0]["n"].value)


def current_id(endpoint: Endpoint, http: httpx.Client | None = None) -> str | None:
    """The release the store's metadata graph says is current (None: none, or not one)."""
    rows = select(
        endpoint,
        f"SELECT ?id WHERE {{ GRAPH <{endpoint.meta_graph}> {{ <{STORE_NODE}> <{CURRENT}> ?id }} }}",
        http,
    )
    ids = {r["id"].value for r in rows if "id" in r}
    return ids.pop() if len(ids) == 1 and SAFE_NAME.fullmatch(next(iter(ids))) else None


def select(endpoint: Endpoint, query: str, http: httpx.Client | None = None) -> list[dict[str, ox.Term]]:
    """A small SELECT of psm-ld's own (metadata, checks), all of it in memory."""
    client = http or endpoint.client()
    try:
        response = client.post(endpoint.query_url, data={"query": query}, headers={"Accept": RESULTS_JSON})
    except httpx.HTTPError as exc:
        raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if http is None:
            client.close()
    raise_for(response, "query")
    parsed = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]  # type: ignore[union-attr]
    return [{n: t for n in names if (t := s[n]) is not None} for s in parsed]  # type: ignore[union-attr]


def endpoint_of(settings: Any) -> Endpoint:
    """The engine of `settings` (config.Settings with store_mode "sparql")."""
    return Endpoint(
        query_url=settings.store_query_url,
        gsp_url=settings.store_gsp_url,
        update_url=settings.store_update_url,
        user=settings.store_user,
        password=settings.store_password,
        timeout=max(60.0, settings.query_timeout + 5),
        site=settings.store_site,
    )
