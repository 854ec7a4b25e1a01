"""The documents of the release's resources: the HTML page or the RDF description of an IRI.

One place renders them, for the server (dereference.py) and for the static export (export.py), so
the bytes a client gets are the same whichever serves them. A release never changes while it is
served, so each document is rendered once per (IRI, media type, serving origin, language) and then
kept: an HTML document exists in Italian and English (`lang`, psm_ld.pages.urls), an RDF document in
one version (its `lang` is ""). An HTML page also per year, since it may show an edition's status
(psm_ld.pages.series). Documents the build pre-rendered into the release (psm_ld.pages.prerendered)
are read from there wherever they are the bytes this would render.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from psm_ld.config import Settings
from psm_ld.pages import series
from psm_ld.pages.describe import Describer
from psm_ld.pages.i18n import DEFAULT, LANGUAGES
from psm_ld.pages.prerendered import Prerendered, document_name, fingerprint
from psm_ld.pages.render import Pages
from psm_ld.queries import NamedQuery
from psm_ld.query import conneg
from psm_ld.query.cache import LRUCache
from psm_ld.query.serialize import rewrite, triples_to_bytes
from psm_ld.query.store import ReadStore
from psm_ld.release import Release

DOCUMENT_TYPES = (conneg.HTML, *conneg.RDF_TYPES)
CACHE_BYTES = 64 * 1024 * 1024
DOWNLOADS_PATH = "download/"


class Documents:
    def __init__(
        self, release: Release, settings: Settings, store: ReadStore, queries: dict[str, NamedQuery]
    ) -> None:
        self.release, self.settings = release, settings
        self.describer = Describer(store, settings.base_uri, release.index())
        self.pages = Pages(store, settings, queries)
        self.cache: LRUCache[bytes] = LRUCache(CACHE_BYTES, len)  # used from the event loop only
        self.fingerprint = fingerprint(settings.base_uri, settings.queries_dir)
        found = Prerendered.of(release)
        self.prerendered = found if found and found.fingerprint == self.fingerprint else None

    def get(self, iri: str, media: str, origin: str, lang: str = "") -> bytes | None:
        """The document's bytes, or None when the release has no page for `iri`. `lang` is the HTML
        page's language (Italian when empty); RDF documents ignore it."""
        lang = (lang or DEFAULT) if media == conneg.HTML else ""
        year = series.today().year if media == conneg.HTML else 0
        base = self.settings.base_uri
        if self.prerendered is not None and origin == base:  # not cached: read from the release's file
            body = self.prerendered.get(iri.removeprefix(base), media, lang, year)
            if body is not None:
                return body
        key = (iri, media, origin, lang, year)
        body = self.cache.get(key)
        if body is None:
            body = self._render(iri, media, origin, lang)
            if body is not None:
                self.cache.put(key, body)
        return body

    def _render(self, iri: str, media: str, origin: str, lang: str) -> bytes | None:
        base = self.settings.base_uri
        if media == conneg.HTML:
            page = self.pages.resource(iri, origin, lang)
            return None if page is None else page.encode("utf-8")
        # the catalog is written whole at build time: its document is the whole graph (release.py)
        prebuilt = self.release.document(iri.removeprefix(base), conneg.SUFFIX_OF[media])
        if prebuilt:
            body = prebuilt.read_bytes()
        else:
            body = triples_to_bytes(self.describer.describe(iri), media, base)
        return rewrite(body, base, origin) if self.settings.rewrite_iris else body

    def every(self, resources: Iterable[str], origin: str) -> Iterator[tuple[str, bytes]]:
        """Every document of `resources` for `origin`, with its file name (prerendered.document_name):
        what the build pre-renders and `psm-ld export` writes."""
        base = self.settings.base_uri
        for iri in resources:
            for media in DOCUMENT_TYPES:
                for lang in LANGUAGES if media == conneg.HTML else ("",):
                    body = self.get(iri, media, origin, lang)
                    if body is not None:
                        yield document_name(iri.removeprefix(base), media, lang), body

    def resources(self) -> list[str]:
        """Every IRI under the base that the release describes as a subject and that has documents,
        sorted. Hash IRIs are left out (their document is their parent's), and so are the download
        files (/download/ answers them as files) and the base itself (the home page)."""
        base = self.settings.base_uri
        query = (
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(base)}) && !CONTAINS(STR(?s), '#')) }}"
        )
        solutions = self.describer.store.query(query, use_default_graph_as_union=True)
        iris = (s["s"].value for s in solutions)  # type: ignore[index,union-attr]
        return sorted(i for i in iris if i != base and not i.startswith(base + DOWNLOADS_PATH))
