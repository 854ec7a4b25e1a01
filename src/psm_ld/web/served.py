"""What the server holds once a release is loaded, and the loading itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate

from starlette.concurrency import run_in_threadpool

from psm_ld.config import Settings
from psm_ld.pages import Pages
from psm_ld.pages.describe import Describer
from psm_ld.pages.documents import Documents
from psm_ld.queries import NamedQuery
from psm_ld.query.guard import Limits
from psm_ld.query.pool import WorkerPool
from psm_ld.query.store import StoreSource, store_source
from psm_ld.release import RELEASES_DIR, Release, ReleaseError, current_release, verify

log = logging.getLogger("uvicorn.error")


@dataclass
class Served:
    settings: Settings
    release: Release
    documents: Documents  # pages and RDF documents, from the store in this process (bounded lookups)
    pool: WorkerPool  # user and named queries (unbounded: time-limited in worker processes)
    queries: dict[str, NamedQuery]
    triples: int
    last_modified: str
    # pages being rendered, by cache key: the requests that miss meanwhile wait for the same one
    _rendering: dict[tuple[str, ...], asyncio.Future[bytes]] = field(default_factory=dict, repr=False)

    @property
    def describer(self) -> Describer:
        return self.documents.describer

    @property
    def pages(self) -> Pages:
        return self.documents.pages

    async def page(self, name: str, origin: str, lang: str, render: Callable[[], str]) -> bytes:
        """An app page that depends on the release, the origin and the language only (the home page,
        the empty SPARQL form, the query list), kept in the documents' bounded cache: under load it
        is served from memory, not rendered per request (tens of ms each). A miss is rendered in a
        thread, so that a new origin never blocks the event loop."""
        key = ("page", name, origin, lang)
        body = self.documents.cache.get(key)
        if body is not None:
            return body
        # Rendered once, however many requests miss together: when 500 connections open at once,
        # each first request of the home page rendered it in a thread of its own, tens of renders
        # contending with the event loop for the interpreter. A task of its own: a requester that
        # goes away does not stop it for the others.
        rendering = self._rendering.get(key)
        if rendering is None:
            rendering = self._rendering[key] = asyncio.ensure_future(self._render(key, render))
        return await asyncio.shield(rendering)

    async def _render(self, key: tuple[str, ...], render: Callable[[], str]) -> bytes:
        try:
            body = (await run_in_threadpool(render)).encode("utf-8")
            self.documents.cache.put(key, body)
            return body
        finally:
            del self._rendering[key]


def load(
    settings: Settings, release: Release, queries: dict[str, NamedQuery], loop: asyncio.AbstractEventLoop
) -> Served:
    """Blocking: check the release's manifest (ReleaseError if it does not check out: such a
    release is never served), open the store (in memory, or the on-disk one, written on first
    use), index it, start the query workers."""
    manifest = verify(release)
    source = _source(settings, release)
    store = source.open_faithful()
    if source.kind == "sparql":  # the count the engine's metadata gives
        triples = len(store)
        empty = triples == 0
    else:  # the manifest's count, verified against psm.nq: counting the store would scan all of it
        triples = int(manifest["quads"])  # type: ignore[call-overload]
        empty = next(iter(store.quads_for_pattern(None, None, None, None)), None) is None
    if empty:  # the manifest said otherwise: never serve an empty store as "ok"
        raise ReleaseError(f"release {release.id}: the store holds no quads")
    documents = Documents(release, settings, store, queries)
    pool = WorkerPool(
        source, max(1, settings.sparql_workers), settings.query_timeout,
        short_workers=max(0, settings.short_workers), short_seconds=settings.short_query_seconds,
        queue_wait=settings.queue_wait, client_queries=max(1, settings.client_queries),
        limits=Limits(settings.query_max_depth, settings.query_max_symbols),
    )  # fmt: skip
    pool.start(loop)  # last: nothing above can fail and leave worker processes behind
    served = Served(
        settings=settings,
        release=release,
        documents=documents,
        pool=pool,
        queries=queries,
        triples=triples,
        last_modified=formatdate(release.nquads.stat().st_mtime, usegmt=True),
    )
    log.info(
        "psm-ld: serving release %s: %d triples in %d named graphs, base %s, %s store, %d query workers",
        release.id, served.triples, len(served.describer.graphs), settings.base_uri,
        {"memory": "in-memory", "disk": f"on-disk ({source.disk})",
         "sparql": f"SPARQL ({settings.store_query_url})"}[source.kind],
        pool.size,
    )  # fmt: skip
    return served


def release_to_serve(settings: Settings) -> Release | None:
    """The release to serve: `build/current` (PSM_STORE memory, disk, auto); with PSM_STORE=sparql,
    the one the engine's metadata graph says is current (`psm-ld publish` switched to it), read from
    `build/releases/<id>` (its downloads and catalog documents: every replica has the build folder).
    None when there is none; StoreUnavailable when the engine does not answer."""
    if settings.store_mode != "sparql":
        return current_release(settings.build_dir)
    from psm_ld.query import engine

    release_id = engine.current_id(engine.endpoint_of(settings))
    return None if release_id is None else Release(settings.build_dir / RELEASES_DIR / release_id)


def _source(settings: Settings, release: Release) -> StoreSource:
    if settings.store_mode != "sparql":
        return store_source(release.nquads, settings.store_mode)
    from psm_ld.query import engine, remote

    endpoint = engine.endpoint_of(settings)
    info = engine.release_info(endpoint, release.id)
    if info is None:
        raise ReleaseError(f"release {release.id}: not published in the SPARQL store ({endpoint.query_url})")
    graphs, quads = info
    answer_bytes = max(64 * 1024 * 1024, 4 * settings.max_result_bytes)  # the engine's JSON is wordier
    published = remote.RemoteRelease(endpoint, release.id, graphs, quads, answer_bytes)
    return StoreSource(release.nquads, remote=published)
