"""Writing a release: a built, validated dataset as deterministic N-Quads plus its downloads,
written into a staging folder and switched in atomically (layout: psm_ld.release).

A build that fails never touches `current`, so what is being served is never lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nt import _quoteLiteral

from psm_ld.build.catalog import describe_release, example_resources
from psm_ld.build.dumps import write_dumps
from psm_ld.build.graph import Built
from psm_ld.build.validate import Report
from psm_ld.query import conneg
from psm_ld.query.serialize import triples_to_bytes
from psm_ld.query.store import write_numeric_literals
from psm_ld.release import DOCUMENTS_DIR, DOWNLOADS_DIR, NQUADS_FILE, REPORT_FILE, Release


def canonical_nquads(dataset: Dataset, exclude: URIRef | None = None) -> bytes:
    """Sorted N-Quads; blank nodes get stable labels (canonical per graph, prefixed by graph)."""
    lines = [
        line
        for name in _graph_names(dataset)
        if name != exclude
        for line in canonical_lines(dataset.graph(name))
    ]
    return "".join(sorted(lines)).encode("utf-8")


def _graph_names(dataset: Dataset) -> list[URIRef]:
    return [g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)]


def canonical_lines(context: Graph) -> list[str]:
    """One named graph as N-Quads lines, blank nodes labelled canonically (and by graph)."""
    name = context.identifier
    graph = Graph()
    for triple in context:
        graph.add(triple)
    prefix = "g" + hashlib.sha1(str(name).encode()).hexdigest()[:8]
    return [
        f"{_term(s, prefix)} {_term(p, prefix)} {_term(o, prefix)} <{name}> .\n"
        for s, p, o in to_canonical_graph(graph)
    ]


def _term(term: object, prefix: str) -> str:
    if isinstance(term, BNode):
        return f"_:{prefix}{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    return _quoteLiteral(term)  # type: ignore[arg-type]


def write_release(built: Built, report: Report, build_dir: Path, data_dir: Path) -> Release:
    """Write a release directory and point `current` at it; refuses a non-conforming report."""
    if not report.conforms:
        raise ValueError("a release that fails validation is never written")
    releases = build_dir / "releases"
    staging = releases / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    base = built.iris.base
    data = canonical_nquads(built.dataset, exclude=built.iris.catalog)
    dumps = write_dumps(data, base + "dataset/", data_dir, staging / DOWNLOADS_DIR, base)
    describe_release(built, dumps, example_resources(built))
    catalog = canonical_lines(built.dataset.graph(built.iris.catalog))  # the only graph changed since
    full = "".join(sorted(data.decode("utf-8").splitlines(keepends=True) + catalog)).encode("utf-8")
    _write_documents(staging / DOCUMENTS_DIR, "catalogo", "".join(catalog).encode("utf-8"), base)
    (staging / NQUADS_FILE).write_bytes(full)
    write_numeric_literals(staging / NQUADS_FILE)
    (staging / REPORT_FILE).write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    release_id = _digest(staging)
    target = releases / release_id
    if target.exists():
        shutil.rmtree(staging)  # identical content already released
    else:
        staging.rename(target)
    _switch(build_dir / "current", Path("releases") / release_id)
    return Release(target)


def _digest(folder: Path) -> str:
    """The release id: a hash of every file it holds, so a new layout is a new release."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _write_documents(folder: Path, stem: str, nquads: bytes, base: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    triples = [quad.triple for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)]
    for media in conneg.RDF_TYPES:
        (folder / f"{stem}{conneg.SUFFIX_OF[media]}").write_bytes(triples_to_bytes(triples, media, base))


def _switch(link: Path, target: Path) -> None:
    temporary = link.with_name(".current.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)  # atomic on POSIX: readers see the old or the new release
