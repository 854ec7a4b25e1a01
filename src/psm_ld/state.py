"""What the server holds once a release is loaded, and the loading itself."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.utils import formatdate

import pyoxigraph as ox

from .config import Settings
from .describe import Describer
from .executor import WorkerPool, disk_store
from .pages import Pages
from .queries import NamedQuery
from .release import Release

log = logging.getLogger("uvicorn.error")


@dataclass
class Served:
    settings: Settings
    release: Release
    store: ox.Store  # read-only, in this process: pages and documents (bounded lookups only)
    describer: Describer
    pool: WorkerPool  # user and named queries (unbounded: time-limited in worker processes)
    pages: Pages
    queries: dict[str, NamedQuery]
    triples: int
    last_modified: str


def load(
    settings: Settings, release: Release, queries: dict[str, NamedQuery], loop: asyncio.AbstractEventLoop
) -> Served:
    """Blocking: open (or first write) the on-disk store, index it, start the query workers."""
    path = disk_store(release)
    store = ox.Store.read_only(str(path))
    describer = Describer(store, settings.base_uri)
    pool = WorkerPool(path, max(1, settings.sparql_workers), settings.query_timeout)
    pool.start(loop)
    served = Served(
        settings=settings,
        release=release,
        store=store,
        describer=describer,
        pool=pool,
        pages=Pages(store, settings, queries),
        queries=queries,
        triples=len(store),
        last_modified=formatdate(release.nquads.stat().st_mtime, usegmt=True),
    )
    log.info(
        "psm-ld: serving release %s: %d triples in %d named graphs, base %s, %d query workers",
        release.id, served.triples, len(describer.graphs), settings.base_uri, pool.size,
    )  # fmt: skip
    return served
