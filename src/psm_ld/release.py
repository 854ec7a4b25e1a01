"""Reading a release: the layout of a built, validated release and where the served one is.

Writing one is the build side's job (psm_ld.build.write); the server only reads, so importing this
module loads neither rdflib's graph machinery nor pyshacl.

Layout under the build directory:
    releases/<id>/psm.nq          sorted N-Quads, byte-identical for identical inputs
    releases/<id>/validazione.json the validation report (warnings included)
    releases/<id>/letterali-numerici.nq  the quads of psm.nq whose literal the store would change
                                   (store.py: documents and pages put them back as written)
    releases/<id>/download/        the downloads (dumps.py), described in the catalog graph
    releases/<id>/documents/       RDF documents written whole at build time (the catalog: harvesters
                                   read the whole catalog graph in one request, not one resource's
                                   description), and every resource's documents pre-rendered by the
                                   build (psm_ld.pages.prerendered)
    releases/<id>/manifest.json    what the release holds: each file's size and SHA-256, the number
                                   of quads; the id is a hash of it (so of every file)
    releases/<id>/indice.json      what a server would otherwise scan the whole store for at start
                                   (named graphs and their sizes, hash IRIs: pages/describe.py)
    releases/<id>/.verified        written by a server after a full check (`verify`): each file's
                                   size, inode, mtime and ctime then; not part of the release
    current -> releases/<id>       the served release; replaced with one rename
A build that fails never touches `current`, so what is being served is never lost; and a server
loads a release only if its manifest checks out (`verify`), so a truncated, empty or hand-made
folder is never served either. The full check reads every byte (0.5-1 s for 200 MB); once it has
passed, a server starting again on the same files checks only that no file was written, replaced or
touched since (`.verified`: size, inode, mtime and ctime of each, which no write or copy keeps).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psm_ld import vocab

RELEASES_DIR = "releases"  # under the build directory
NQUADS_FILE = "psm.nq"
REPORT_FILE = "validazione.json"
DOWNLOADS_DIR = "download"
DOCUMENTS_DIR = "documents"
MANIFEST_FILE = "manifest.json"
INDEX_FILE = "indice.json"
VERIFIED_FILE = ".verified"  # not in the manifest (manifest_of leaves dot files out)
CATALOG_STEM = "catalogo"  # the stem of the catalog's documents, under DOCUMENTS_DIR


@dataclass(frozen=True)
class DownloadFormat:
    key: str  # distribution IRI segment
    suffix: str
    media_type: str
    file_type: str  # EU Publications Office file-type code


RDF_FORMATS = (
    DownloadFormat("turtle", "ttl", vocab.TURTLE, "RDF_TURTLE"),
    DownloadFormat("n-triples", "nt", vocab.NTRIPLES, "RDF_N_TRIPLES"),
    DownloadFormat("json-ld", "jsonld", vocab.JSONLD, "JSON_LD"),
    DownloadFormat("rdf-xml", "rdf", vocab.RDFXML, "RDF_XML"),
)
NQUADS_FORMAT = DownloadFormat("n-quads", "nq", vocab.NQUADS, "RDF_N_QUADS")
CSV_FORMAT = DownloadFormat("csv", "csv", vocab.CSV, "CSV")


@dataclass(frozen=True)
class Release:
    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def nquads(self) -> Path:
        return self.path / NQUADS_FILE

    @property
    def report(self) -> Path:
        return self.path / REPORT_FILE

    @property
    def downloads(self) -> Path:
        return self.path / DOWNLOADS_DIR

    def index(self) -> dict[str, Any] | None:
        """The release's INDEX_FILE (checked with the rest by `verify`), or None for a release
        written before it existed."""
        try:
            return json.loads((self.path / INDEX_FILE).read_bytes())  # type: ignore[no-any-return]
        except FileNotFoundError:
            return None

    def document(self, stem: str, suffix: str) -> Path | None:
        """A document written whole at build time, if this release has one."""
        path = self.path / DOCUMENTS_DIR / f"{stem}{suffix}"
        return path if path.is_file() else None


class ReleaseError(Exception):
    """A release folder that must not be served: its manifest is missing or does not check out."""


def manifest_of(folder: Path) -> dict[str, object]:
    """The manifest of a release folder as written: every file but the manifest itself (and the
    on-disk store a server may add later, which is not part of the release) with its size and
    SHA-256, and the number of quads in psm.nq."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != MANIFEST_FILE and not name.startswith("."):
            files[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    quads = _count_lines(folder / NQUADS_FILE) if (folder / NQUADS_FILE).is_file() else 0
    return {"format": 1, "quads": quads, "files": files}


def manifest_bytes(manifest: dict[str, object]) -> bytes:
    """The manifest as stored: canonical JSON, so identical releases have identical manifests."""
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def seal(folder: Path) -> str:
    """Write the manifest of a release folder whose files are all written; returns the release id
    that identifies this content (a hash of the manifest, so of every file)."""
    manifest = manifest_bytes(manifest_of(folder))
    (folder / MANIFEST_FILE).write_bytes(manifest)
    return hashlib.sha256(manifest).hexdigest()[:16]


def verify(release: Release) -> dict[str, object]:
    """The release's manifest, once checked: it exists and parses, psm.nq holds more than 0 quads
    and as many as stated, the catalog's documents are there, and every file it lists has its size
    and checksum. Raises ReleaseError naming the first problem.

    Checksums and the quad count are read from the files once: after a full check passes, the
    state of every file (`_stamp`) is kept in `.verified`, and a later check whose manifest and
    files are in that same state passes without reading them again. Any write, truncation,
    replacement, copy or `touch` of a file changes its ctime, so a damaged release is checked in
    full (and refused) however its mtime was set."""
    path = release.path / MANIFEST_FILE
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw)
        files: dict[str, dict[str, object]] = manifest["files"]
        quads = int(manifest["quads"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"release {release.id}: no readable {MANIFEST_FILE} ({exc})") from exc
    if quads <= 0:
        raise ReleaseError(f"release {release.id}: {NQUADS_FILE} holds no quads")
    required = [NQUADS_FILE, *(f"{DOCUMENTS_DIR}/{CATALOG_STEM}.{f.suffix}" for f in RDF_FORMATS)]
    for name in required:
        if name not in files:
            raise ReleaseError(f"release {release.id}: {name} is missing from {MANIFEST_FILE}")
    for name, stated in sorted(files.items()):
        file = release.path / name
        if not file.is_file() or file.stat().st_size != stated.get("bytes"):
            raise ReleaseError(f"release {release.id}: {name} is missing or not the size stated")
    stamp = _stamp(release.path, raw, files)
    if _read_stamp(release.path) == stamp:
        return manifest  # checked in full before, and not a file written or touched since
    for name, stated in sorted(files.items()):  # sizes first: a truncated file is found cheaply
        if _sha256(release.path / name) != stated.get("sha256"):
            raise ReleaseError(f"release {release.id}: {name} does not match its checksum")
    if _count_lines(release.nquads) != quads:
        raise ReleaseError(f"release {release.id}: {NQUADS_FILE} does not hold {quads} quads")
    _write_stamp(release.path, stamp)
    return manifest


def _stamp(folder: Path, manifest: bytes, files: dict[str, dict[str, object]]) -> dict[str, object]:
    """The state of the manifest and of every file it lists, as the file system tells it: size,
    device, inode, mtime and ctime (in ns). The ctime cannot be set back by a program."""
    state = {}
    for name in sorted([MANIFEST_FILE, *files]):
        st = (folder / name).stat()
        state[name] = [st.st_size, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
    return {"manifest": hashlib.sha256(manifest).hexdigest(), "files": state}


def _read_stamp(folder: Path) -> object:
    try:
        return json.loads((folder / VERIFIED_FILE).read_bytes())
    except (OSError, ValueError):
        return None


def _write_stamp(folder: Path, stamp: dict[str, object]) -> None:
    """Keep the state of a release just checked in full (written whole, then renamed). A release
    folder the server may not write to is checked in full at every start instead."""
    scratch = folder / f"{VERIFIED_FILE}.{os.getpid()}.tmp"
    try:
        scratch.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(scratch, folder / VERIFIED_FILE)
    except OSError:
        scratch.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


def current_release(build_dir: Path) -> Release | None:
    link = build_dir / "current"
    if not (link / NQUADS_FILE).exists():
        return None
    return Release(link.resolve())
