"""Releases: a built, validated dataset written as deterministic N-Quads, switched in atomically.

Layout under the build directory:
    releases/<id>/psm.nq          sorted N-Quads, byte-identical for identical inputs
    releases/<id>/validazione.json the validation report (warnings included)
    current -> releases/<id>       the served release; replaced with one rename
A build that fails never touches `current`, so what is being served is never lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nt import _quoteLiteral

from .build import Built
from .validate import Report

NQUADS = "psm.nq"
REPORT = "validazione.json"


@dataclass(frozen=True)
class Release:
    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def nquads(self) -> Path:
        return self.path / NQUADS

    @property
    def report(self) -> Path:
        return self.path / REPORT


def canonical_nquads(dataset: Dataset) -> bytes:
    """Sorted N-Quads; blank nodes get stable labels (canonical per graph, prefixed by graph)."""
    lines: set[str] = set()
    for context in dataset.graphs():
        name = context.identifier
        if not isinstance(name, URIRef) or len(context) == 0:
            continue
        graph = Graph()
        for triple in context:
            graph.add(triple)
        prefix = "g" + hashlib.sha1(str(name).encode()).hexdigest()[:8]
        for s, p, o in to_canonical_graph(graph):
            lines.add(f"{_term(s, prefix)} {_term(p, prefix)} {_term(o, prefix)} <{name}> .\n")
    return "".join(sorted(lines)).encode("utf-8")


def _term(term: object, prefix: str) -> str:
    if isinstance(term, BNode):
        return f"_:{prefix}{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    return _quoteLiteral(term)  # type: ignore[arg-type]


def write_release(built: Built, report: Report, build_dir: Path) -> Release:
    """Write a release directory and point `current` at it; refuses a non-conforming report."""
    if not report.conforms:
        raise ValueError("a release that fails validation is never written")
    data = canonical_nquads(built.dataset)
    release_id = hashlib.sha256(data).hexdigest()[:16]
    releases = build_dir / "releases"
    target = releases / release_id
    staging = releases / f".{release_id}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / NQUADS).write_bytes(data)
    (staging / REPORT).write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    if target.exists():
        shutil.rmtree(staging)  # identical content already released
    else:
        staging.rename(target)
    _switch(build_dir / "current", Path("releases") / release_id)
    return Release(target)


def _switch(link: Path, target: Path) -> None:
    temporary = link.with_name(".current.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)  # atomic on POSIX: readers see the old or the new release


def current_release(build_dir: Path) -> Release | None:
    link = build_dir / "current"
    if not (link / NQUADS).exists():
        return None
    return Release(link.resolve())
