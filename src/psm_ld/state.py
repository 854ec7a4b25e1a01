"""What the server holds once a release is loaded, and the loading itself."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.utils import formatdate

from .config import Settings
from .describe import Describer
from .documents import Documents
from .executor import WorkerPool
from .pages import Pages
from .queries import NamedQuery
from .release import Release
from .store import FaithfulStore, store_source

log = logging.getLogger("uvicorn.error")


@dataclass
class Served:
    settings: Settings
    release: Release
    store: FaithfulStore  # in this process: pages and documents (bounded lookups only)
    describer: Describer
    pool: WorkerPool  # user and named queries (unbounded: time-limited in worker processes)
    pages: Pages
    queries: dict[str, NamedQuery]
    triples: int
    last_modified: str
    documents: Documents


def load(
    settings: Settings, release: Release, queries: dict[str, NamedQuery], loop: asyncio.AbstractEventLoop
) -> Served:
    """Blocking: open the store (in memory, or the on-disk one, written on first use), index it,
    start the query workers."""
    source = store_source(release.nquads, settings.store_mode)
    store = FaithfulStore(source.open(), release.nquads)
    describer = Describer(store, settings.base_uri)
    pool = WorkerPool(source, max(1, settings.sparql_workers), settings.query_timeout)
    pool.start(loop)
    pages = Pages(store, settings, queries)
    served = Served(
        settings=settings,
        release=release,
        store=store,
        describer=describer,
        pool=pool,
        pages=pages,
        queries=queries,
        triples=len(store),
        last_modified=formatdate(release.nquads.stat().st_mtime, usegmt=True),
        documents=Documents(release, settings, pages, describer),
    )
    log.info(
        "psm-ld: serving release %s: %d triples in %d named graphs, base %s, %s store, %d query workers",
        release.id, served.triples, len(describer.graphs), settings.base_uri,
        "in-memory" if source.in_memory else f"on-disk ({source.disk})", pool.size,
    )  # fmt: skip
    return served
