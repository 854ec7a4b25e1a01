"""Writing a release: a built, validated dataset as deterministic N-Quads plus its downloads,
written into a staging folder and switched in atomically (layout: psm_ld.release).

A build that fails never touches `current`, so what is being served is never lost, and leaves no
staging folder behind (a full disk included). Every file is written in a deterministic order, so
identical inputs give identical bytes, the same release id and so the same ETags. Old releases are
pruned: the newest `keep` stay, the current one always.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from psm_ld.build.built import Built
from psm_ld.build.catalog import describe_release, example_resources
from psm_ld.build.documents import prerender
from psm_ld.build.dumps import write_dumps
from psm_ld.build.validate import Report
from psm_ld.config import Settings
from psm_ld.query import conneg
from psm_ld.query.serialize import triples_to_bytes
from psm_ld.query.store import write_index, write_numeric_literals
from psm_ld.release import CATALOG_STEM, DOCUMENTS_DIR, DOWNLOADS_DIR, NQUADS_FILE, REPORT_FILE, Release, seal

STAGING = ".staging-"  # + the pid of the build writing it


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
    """One named graph as N-Quads lines, blank nodes labelled canonically (and by graph). A graph
    without blank nodes is written as it is: canonical labelling (a copy of the graph, then rdflib's
    hashing of it) would give back the same triples."""
    name = context.identifier
    triples = list(context)
    if any(isinstance(term, BNode) for triple in triples for term in triple):
        triples = list(to_canonical_graph(_Linked(triples)))
    prefix = blank_node_prefix(name)
    return [f"{_term(s, prefix)} {_term(p, prefix)} {_term(o, prefix)} <{name}> .\n" for s, p, o in triples]


def blank_node_prefix(name: URIRef) -> str:
    """What a graph's blank-node labels start with in the N-Quads: no two graphs share a blank node."""
    return "g" + hashlib.sha1(str(name).encode()).hexdigest()[:8]


class _Linked(Graph):
    """A copy of some triples that also answers "which triples link s to o?" (`triples((s, None, o))`)
    from a dict. rdflib's canonical labelling asks that for every pair of nodes it compares (70,000
    times for the shapes graph), and the memory store answers through generators and a check of
    each triple's graphs: with the dict the labelling takes two thirds of the time (0.37 -> 0.24 s).
    The answers are the same triples, so the labels are too (a colour's hash is a sum over its
    triples: their order does not count; tests/test_build.py compares with a plain copy's lines)."""

    def __init__(self, triples: list[tuple[Node, Node, Node]]) -> None:
        super().__init__()
        self._linking: dict[tuple[Node, Node], list[tuple[Node, Node, Node]]] = defaultdict(list)
        for triple in triples:
            self.add(triple)
            self._linking[triple[0], triple[2]].append(triple)

    def triples(self, triple):  # type: ignore[no-untyped-def, override]
        s, p, o = triple
        if p is None and s is not None and o is not None:
            return iter(self._linking.get((s, o), ()))
        return super().triples(triple)


def _term(term: object, prefix: str) -> str:
    if isinstance(term, BNode):
        return f"_:{prefix}{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    return _quoteLiteral(term)  # type: ignore[arg-type]


def write_release(
    built: Built,
    report: Report,
    build_dir: Path,
    data_dir: Path,
    keep: int = 5,
    *,
    pages: Settings | None = None,
) -> Release:
    """Write a release directory, point `current` at it and prune old releases (keeping `keep`);
    refuses a non-conforming report. `pages`: the settings its documents are pre-rendered with
    (build/documents.py; PSM_PRERENDER), None for none. On any failure (OSError included: a full
    disk) the staging folder is removed before the exception propagates, and `current` is untouched."""
    if not report.conforms:
        raise ValueError("a release that fails validation is never written")
    releases = build_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(releases)
    staging = releases / f"{STAGING}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        release_id = _write(built, report, staging, data_dir, pages)
        target = releases / release_id
        if target.exists():
            shutil.rmtree(staging)  # identical content already released
            os.utime(target)  # the newest again, for pruning
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _switch(build_dir / "current", Path("releases") / release_id)
    prune(releases, keep, current=release_id)
    return Release(target)


def _write(built: Built, report: Report, staging: Path, data_dir: Path, pages: Settings | None) -> str:
    """Write the release's files into `staging`; its id: a hash of its manifest."""
    base = built.iris.base
    data = canonical_nquads(built.dataset, exclude=built.iris.catalog)
    dumps = write_dumps(data, base + "dataset/", data_dir, staging / DOWNLOADS_DIR, base)
    describe_release(built, dumps, example_resources(built))
    # the only graph changed since; sorted, as every file is (its documents keep this order)
    catalog = sorted(canonical_lines(built.dataset.graph(built.iris.catalog)))
    full = "".join(sorted(data.decode("utf-8").splitlines(keepends=True) + catalog)).encode("utf-8")
    _write_documents(staging / DOCUMENTS_DIR, CATALOG_STEM, "".join(catalog).encode("utf-8"), base)
    (staging / NQUADS_FILE).write_bytes(full)
    write_numeric_literals(staging / NQUADS_FILE)
    write_index(staging / NQUADS_FILE, base)
    (staging / REPORT_FILE).write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    if pages is not None:  # last: documents render from the release's files as a server reads them
        prerender(Release(staging), pages)
    return seal(staging)


def prune(releases: Path, keep: int, current: str) -> list[str]:
    """Remove all but the `keep` newest releases (by modification time; never `current`, whatever
    its age). Returns the ids removed. A server still serving a pruned release keeps its store in
    memory, so only keep >= 2 is safe for servers that have not yet switched."""
    folders = sorted(
        (p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    kept = {current}
    for folder in folders:
        if len(kept) >= max(1, keep):
            break
        kept.add(folder.name)
    removed = [p.name for p in folders if p.name not in kept]
    for name in removed:
        shutil.rmtree(releases / name, ignore_errors=True)
    return removed


def _remove_abandoned_staging(releases: Path) -> None:
    """Staging folders of builds that died (killed, or before this cleanup existed)."""
    for folder in releases.glob(f"{STAGING}*"):
        pid = folder.name.removeprefix(STAGING)
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
