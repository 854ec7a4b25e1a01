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
                                   description)
    current -> releases/<id>       the served release; replaced with one rename
A build that fails never touches `current`, so what is being served is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psm_ld import vocab

NQUADS_FILE = "psm.nq"
REPORT_FILE = "validazione.json"
DOWNLOADS_DIR = "download"
DOCUMENTS_DIR = "documents"


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

    def document(self, stem: str, suffix: str) -> Path | None:
        """A document written whole at build time, if this release has one."""
        path = self.path / DOCUMENTS_DIR / f"{stem}{suffix}"
        return path if path.is_file() else None


def current_release(build_dir: Path) -> Release | None:
    link = build_dir / "current"
    if not (link / NQUADS_FILE).exists():
        return None
    return Release(link.resolve())
