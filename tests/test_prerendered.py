"""Documents pre-rendered at build time (pages/prerendered.py, build/documents.py): the release holds
every resource's documents as the server would render them for the canonical origin, the server
answers those from the release's files, and renders on demand wherever they would not be the same
bytes (another origin, another year for HTML, another renderer)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from servers import InProcess

from psm_ld.build.documents import prerender
from psm_ld.config import Settings
from psm_ld.pages import documents as documents_module
from psm_ld.pages import series
from psm_ld.pages.documents import DOCUMENT_TYPES, Documents
from psm_ld.pages.i18n import LANGUAGES
from psm_ld.pages.prerendered import PRERENDERED_FILE, Prerendered, document_name, fingerprint
from psm_ld.queries import load_queries
from psm_ld.query import conneg
from psm_ld.query.store import StoreSource
from psm_ld.release import DOCUMENTS_DIR, Release, current_release, verify

ACTION = "psm/2021-2023/azione/2.1.1"


def documents_of(release: Release, base: str, **settings: object) -> Documents:
    store = StoreSource(release.nquads).open_faithful()
    config = Settings(base_uri=base, **settings)  # type: ignore[arg-type]
    return Documents(release, config, store, load_queries(config.queries_dir))


@pytest.fixture(scope="module")
def built(same_origin_build: tuple[Path, str]) -> tuple[Release, str]:
    build_dir, base = same_origin_build
    release = current_release(build_dir)
    assert release is not None
    return release, base


def test_every_document_is_pre_rendered_as_it_would_be_rendered(built: tuple[Release, str]) -> None:
    release, base = built
    found = Prerendered.of(release)
    assert found is not None and found.year == series.today().year
    on_demand = documents_of(release, base)
    assert on_demand.prerendered == found, "the renderer that wrote them finds them usable"
    on_demand.prerendered = None  # from here on every document is rendered, as without pre-rendering
    expected = {
        document_name(iri.removeprefix(base), media, lang)
        for iri in on_demand.resources()
        for media in DOCUMENT_TYPES
        for lang in (LANGUAGES if media == conneg.HTML else ("",))
    }
    assert found.names == expected, "every resource's documents, in every format and language"
    assert len(expected) > 1000
    for iri in on_demand.resources():
        for media in DOCUMENT_TYPES:
            for lang in LANGUAGES if media == conneg.HTML else ("",):
                name = document_name(iri.removeprefix(base), media, lang)
                rendered = on_demand.get(iri, media, base, lang)
                assert (found.folder / name).read_bytes() == rendered, name
    manifest = verify(release)
    assert f"{DOCUMENTS_DIR}/{PRERENDERED_FILE}" in manifest["files"]  # type: ignore[operator]
    assert f"{DOCUMENTS_DIR}/_en/{ACTION}.html" in manifest["files"]  # type: ignore[operator]


def test_the_server_answers_them_from_the_release(
    same_origin: InProcess, built: tuple[Release, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the canonical origin a document is the release's file: nothing renders it (rendering is
    made to fail here), in every format and language."""
    release, _ = built

    def no_rendering(*args: object) -> bytes:
        raise AssertionError("rendered on demand")

    monkeypatch.setattr(Documents, "_render", no_rendering)
    folder = release.path / DOCUMENTS_DIR
    with same_origin.client() as client:
        for suffix, lang in [(".html", "en")] + [(suffix, "") for suffix in conneg.SUFFIXES]:
            url = f"{same_origin.url}{ACTION}{suffix}" + (f"?lang={lang}" if lang else "")
            answer = client.get(url, headers={"Origin": "http://x.example"})  # past the replay layer
            assert answer.status_code == 200, url
            name = document_name(ACTION, conneg.SUFFIXES[suffix], lang)
            assert answer.content == (folder / name).read_bytes(), url


def test_elsewhere_they_are_rendered(built: tuple[Release, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Another origin, another year (HTML only: an edition's status may change) or another renderer:
    the document is rendered, not read."""
    release, base = built
    documents = documents_of(release, base)
    iri = base + ACTION
    monkeypatch.setattr(Documents, "_render", lambda self, *args: b"rendered")
    assert documents.get(iri, conneg.HTML, base) != b"rendered"
    assert documents.get(iri, conneg.HTML, "http://other.example/") == b"rendered"
    next_year = date(series.today().year + 1, 1, 1)
    monkeypatch.setattr(series, "today", lambda: next_year)
    assert documents.get(iri, conneg.HTML, base) == b"rendered"
    assert documents.get(iri, conneg.HTML, base, "en") == b"rendered"
    assert documents.get(iri, conneg.TURTLE, base) != b"rendered", "RDF does not depend on the year"
    assert documents_of(release, "http://other.example/").prerendered is None, "another base"
    monkeypatch.setattr(documents_module, "fingerprint", lambda *args: "another renderer")
    assert documents_of(release, base).prerendered is None, "another renderer"


def test_the_fingerprint_follows_the_named_queries_and_the_base(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    first = fingerprint("http://a.example/", tmp_path)
    assert fingerprint("http://a.example/", tmp_path) == first
    assert fingerprint("http://b.example/", tmp_path) != first
    (tmp_path / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert fingerprint("http://a.example/", tmp_path) != first


def test_only_listed_names_are_read(built: tuple[Release, str]) -> None:
    """A request path never becomes a file path: only the names the release lists are read."""
    found = Prerendered.of(built[0])
    assert found is not None
    year = found.year
    for stem in ("../manifest", "../../current/psm", f"{ACTION}/../../azione/2.1.1", "prerendered"):
        assert found.get(stem, conneg.TURTLE, "", year) is None, stem
    assert found.get(ACTION, conneg.TURTLE, "", year) is not None


def test_bounded_by_the_setting(built: tuple[Release, str], tmp_path: Path) -> None:
    """PSM_PRERENDER resources at most (sorted), none with 0."""
    release, base = built
    copy = Release(tmp_path / release.id)
    shutil.copytree(release.path, copy.path, ignore=shutil.ignore_patterns(DOCUMENTS_DIR))
    (copy.path / DOCUMENTS_DIR).mkdir()
    assert prerender(copy, Settings(base_uri=base, prerender=0)) == 0
    assert not (copy.path / DOCUMENTS_DIR / PRERENDERED_FILE).exists()
    written = prerender(copy, Settings(base_uri=base, prerender=3))
    meta = json.loads((copy.path / DOCUMENTS_DIR / PRERENDERED_FILE).read_bytes())
    first = documents_of(copy, base).resources()[:3]
    expected = sorted(
        document_name(iri.removeprefix(base), media, lang)
        for iri in first
        for media in DOCUMENT_TYPES
        for lang in (LANGUAGES if media == conneg.HTML else ("",))
    )
    assert written == len(expected) == len(meta["documents"]) and meta["documents"] == expected
    folder = copy.path / DOCUMENTS_DIR
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    expected.append(PRERENDERED_FILE)
    assert files == sorted(expected)


def test_a_document_whose_file_is_gone_is_rendered(built: tuple[Release, str], tmp_path: Path) -> None:
    """A release pruned while still served loses its files: its documents are rendered again from
    the store the server holds, never an error."""
    release, base = built
    copy = Release(tmp_path / release.id)
    shutil.copytree(release.path, copy.path, copy_function=shutil.copy)  # bytes, not timestamps: faster
    documents = documents_of(copy, base)
    iri = base + ACTION
    expected = documents.get(iri, conneg.TURTLE, base)
    assert documents.prerendered is not None and expected
    (copy.path / DOCUMENTS_DIR / document_name(ACTION, conneg.TURTLE, "")).unlink()
    assert documents.get(iri, conneg.TURTLE, base) == expected
