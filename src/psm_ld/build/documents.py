"""Pre-rendering: every resource's documents written into the release being staged, as a server would
render them for the canonical origin (psm_ld.pages.prerendered says where they are served from).

A cold server then answers each document from a file instead of rendering it (bench/RESULTS.md,
issue 13). Bounded: at most PSM_PRERENDER resources (0: none), and only a release small enough to be
read into memory here (the `auto` store's limit); the rest is rendered on demand, as before.
"""

from __future__ import annotations

from psm_ld.config import Settings
from psm_ld.pages import series
from psm_ld.pages.documents import Documents
from psm_ld.pages.prerendered import write_prerendered
from psm_ld.queries import load_queries
from psm_ld.query.store import MEMORY_MAX_BYTES, StoreSource
from psm_ld.release import DOCUMENTS_DIR, Release


def prerender(release: Release, settings: Settings) -> int:
    """Write the documents of the first `settings.prerender` resources (sorted) of the release in
    `release.path` (written but not sealed); the number of documents written."""
    if settings.prerender <= 0 or release.nquads.stat().st_size > MEMORY_MAX_BYTES:
        return 0
    store = StoreSource(release.nquads).open_faithful()
    documents = Documents(release, settings, store, load_queries(settings.queries_dir))
    year = series.today().year
    names = []
    for name, body in documents.every(documents.resources()[: settings.prerender], settings.base_uri):
        target = release.path / DOCUMENTS_DIR / name
        if not target.exists():  # the catalog's documents are written whole before (build/write.py)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        names.append(name)
    write_prerendered(release, settings.base_uri, year, documents.fingerprint, names)
    return len(names)
