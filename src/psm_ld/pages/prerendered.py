"""Documents rendered at build time: every resource's documents written into the release, so that a
server serves them as files from its first request (bench/RESULTS.md, issue 13: a cold pass of
every document was rendering, not serving).

Layout (the same names as `psm-ld export`'s site, under the release's `documents/`):
    documents/<path>.html .ttl .jsonld .rdf .nt   the documents of the resource <base><path>
    documents/_en/<path>.html                     its HTML page in English (`<path>.html?lang=en`)
    documents/prerendered.json                    what they were rendered for (`Prerendered`)

They are the bytes `Documents` renders on demand for the canonical origin (the base), so they are
served only where those would be the same: on the canonical origin, by the same renderer (a
fingerprint of psm-ld's code, the named queries and the base), and, for HTML, in the year they were
rendered in (an edition's status changes with the year: pages/series.py). Anywhere else a document is
rendered on demand as before; nothing here is ever wrong, at worst unused.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from psm_ld.pages.i18n import DEFAULT
from psm_ld.query import conneg
from psm_ld.release import DOCUMENTS_DIR, Release

PRERENDERED_FILE = "prerendered.json"  # under DOCUMENTS_DIR
_PACKAGE = Path(__file__).resolve().parents[1]  # psm_ld: the code that renders


def document_name(stem: str, media: str, lang: str) -> str:
    """The file name of a document: its path under the base with the format's suffix; an HTML page
    in another language than the default under `_<lang>/`.

    >>> document_name("psm/2021-2023/azione/2.1.1", "text/html", "en")
    '_en/psm/2021-2023/azione/2.1.1.html'
    >>> document_name("ontologia", "text/turtle", "")
    'ontologia.ttl'
    """
    name = stem + conneg.SUFFIX_OF[media]
    return f"{language_folder(lang)}/{name}" if lang and lang != DEFAULT else name


def language_folder(lang: str) -> str:
    """The folder of the HTML documents in `lang` (not the default language), here and in the export:
    a name no resource path starts with."""
    return f"_{lang}"


def fingerprint(base: str, queries_dir: Path) -> str:
    """What the bytes of a document depend on besides the release: psm-ld's code and templates, the
    named queries and the canonical base (a change of any gives another fingerprint)."""
    digest = hashlib.sha256(_code_digest().encode())
    for path in sorted(queries_dir.glob("*.rq")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(base.encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Prerendered:
    """The documents a release holds pre-rendered, and what they were rendered for."""

    folder: Path
    year: int  # the year the HTML pages were rendered in
    fingerprint: str
    names: frozenset[str]

    @classmethod
    def of(cls, release: Release) -> Prerendered | None:
        """The release's pre-rendered documents, or None when it has none (a release written before
        them, a release too large to render at build time, PSM_PRERENDER=0)."""
        folder = release.path / DOCUMENTS_DIR
        try:
            meta = json.loads((folder / PRERENDERED_FILE).read_bytes())
        except FileNotFoundError:
            return None
        return cls(folder, meta["year"], meta["fingerprint"], frozenset(meta["documents"]))

    def get(self, stem: str, media: str, lang: str, year: int) -> bytes | None:
        """The document's bytes, or None when it was not pre-rendered (or, for HTML, not in `year`),
        or its file is gone (a release pruned while still served: then it is rendered from the store
        the server holds). Only names the release lists are read: a request path never becomes a
        file path."""
        name = document_name(stem, media, lang)
        if name not in self.names or (media == conneg.HTML and year != self.year):
            return None
        try:
            with open(os.path.join(self.folder, name), "rb") as file:  # not pathlib: ~5% of a cold answer
                return file.read()
        except OSError:
            return None


def write_prerendered(release: Release, base: str, year: int, renderer: str, names: Iterable[str]) -> None:
    """Record what the documents just written under the release's DOCUMENTS_DIR were rendered for
    (`renderer`: their `fingerprint`, which covers `base`; the base is written for people)."""
    meta = {"base": base, "year": year, "fingerprint": renderer, "documents": sorted(names)}
    text = json.dumps(meta, ensure_ascii=False, indent=0, sort_keys=True) + "\n"
    (release.path / DOCUMENTS_DIR / PRERENDERED_FILE).write_text(text, encoding="utf-8")
