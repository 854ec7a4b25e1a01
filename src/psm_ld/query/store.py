"""The served store: a release's N-Quads in an embedded pyoxigraph store.

The default graph is the union of the named graphs (design.md, "Serve"). A small release (the plan
is about 3,000 quads) is loaded into memory by every process that queries it: pyoxigraph answers
the named queries 5-10x faster there than on its on-disk RocksDB store (bench/RESULTS.md). A large
release is written once to an on-disk store that all processes open read-only, so memory stays flat.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from psm_ld.vocab import XSD

if TYPE_CHECKING:  # not at run time: the query workers import this module and need no rdflib
    from psm_ld.queries import NamedQuery
    from psm_ld.query.remote import RemoteRelease

STORE_DIR = "oxigraph"
MEMORY_MAX_BYTES = 64 * 1024 * 1024  # N-Quads up to this size (about 300k quads) go in memory ("auto")


def load_store(nquads: Path) -> ox.Store:
    store = ox.Store()
    _fill(store, nquads)
    return store


def _fill(store: ox.Store, nquads: Path) -> None:
    """Load the N-Quads keeping their blank-node labels. (`Store.bulk_load` would rename them at
    random: documents, pages and results would then differ from one process to the next, while the
    release's labels are canonical, release.py.)"""
    store.bulk_extend(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))


@dataclass(frozen=True)
class StoreSource:
    """How a process opens the release's store (picklable: query workers get one)."""

    nquads: Path
    disk: Path | None = None  # the on-disk store, or None to load the N-Quads into memory
    remote: RemoteRelease | None = None  # the release published in a SPARQL engine (query/remote.py)

    @property
    def in_memory(self) -> bool:
        return self.disk is None and self.remote is None

    @property
    def kind(self) -> str:
        """memory, disk or sparql (as PSM_STORE names them; /health says which)."""
        return "sparql" if self.remote is not None else "memory" if self.disk is None else "disk"

    def open(self) -> ox.Store:
        """The store, read like a pyoxigraph store (a RemoteStore duck-types the part pages, documents
        and query workers use: query and quads_for_pattern)."""
        if self.remote is not None:
            return self.remote.open()  # type: ignore[return-value]
        return load_store(self.nquads) if self.disk is None else ox.Store.read_only(str(self.disk))

    def open_faithful(self) -> FaithfulStore:
        """The store for pages and documents: literals as the release writes them."""
        return FaithfulStore(self.open(), self.nquads)


def store_source(nquads: Path, mode: str = "auto") -> StoreSource:
    """How to open the release for a store mode (config.STORE_MODES, checked with the settings)."""
    if mode == "memory" or (mode == "auto" and nquads.stat().st_size <= MEMORY_MAX_BYTES):
        return StoreSource(nquads)
    return StoreSource(nquads, disk_store(nquads))


def disk_store(nquads: Path) -> Path:
    """The release's on-disk store, written on first use next to the N-Quads (built in a scratch
    folder and renamed, so concurrent starters never see half a store). A read-only build
    directory gets the store in the temporary directory instead."""
    folder = nquads.parent
    target = folder / STORE_DIR
    if (target / "CURRENT").exists():
        return target
    if not os.access(folder, os.W_OK):
        target = Path(tempfile.gettempdir()) / f"psm-ld-{folder.name}-{STORE_DIR}"
        if (target / "CURRENT").exists():
            return target
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    store = ox.Store(str(scratch))
    _fill(store, nquads)
    store.flush()
    store.optimize()
    del store  # closes RocksDB before anyone opens it read-only
    try:
        scratch.rename(target)
    except OSError:  # another process won the race; its store has the same content
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def run_named(
    store: ox.Store, query: NamedQuery, base: str, given: dict[str, str] | None = None
) -> ox.QuerySolutions:
    return store.query(  # type: ignore[return-value]
        query.render(given), base_iri=base, use_default_graph_as_union=True
    )


def rows(solutions: ox.QuerySolutions) -> list[dict[str, str]]:
    """Solutions as plain dicts of lexical values (unbound variables left out)."""
    names = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        out.append(row)
    return out


def store_from_bytes(nquads: bytes) -> ox.Store:
    """An in-memory store of a release not yet written (used by the report before publishing)."""
    store = ox.Store()
    store.bulk_extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    return store


# --- literals as the release writes them -----------------------------------------------------------

# datatypes whose literals pyoxigraph's store keeps by value and gives back in a canonical form:
# "1.0"^^xsd:decimal as "1", "1.0e6"^^xsd:double as "1000000", xsd:nonNegativeInteger as xsd:integer
NUMERIC = frozenset(
    XSD + name
    for name in (
        "integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
        "unsignedInt", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
Key = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Literal]
NUMERIC_LITERALS = "letterali-numerici.nq"  # beside psm.nq: its literals that the store changes


def write_numeric_literals(nquads: Path) -> Path:
    """Write beside `nquads` its quads whose literal the store would change (a release's part: opening
    a large release then need not parse all of it to find them)."""
    target = nquads.with_name(NUMERIC_LITERALS)
    changed = [quad for quad, _ in _changed(_numeric_quads(nquads))]
    text = ox.serialize(changed, format=ox.RdfFormat.N_QUADS) if changed else b""
    # sorted by line, so by subject: a server looks a subject's lines up in it (FaithfulStore)
    target.write_bytes(b"".join(sorted(text.splitlines(keepends=True))))
    return target


def write_index(nquads: Path, base: str, store: ox.Store | None = None) -> Path:
    """Write beside `nquads` the index a server reads instead of scanning the store at start
    (release.INDEX_FILE; pages.describe.index_of), from `store` if given, else from the N-Quads."""
    from psm_ld.pages.describe import index_of  # the pages' own definition (not loaded by workers)
    from psm_ld.release import INDEX_FILE

    index = index_of(store if store is not None else load_store(nquads), base)
    target = nquads.with_name(INDEX_FILE)
    text = json.dumps(index, ensure_ascii=False, indent=0, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


class ReadStore(Protocol):
    """What pages and documents read: an `ox.Store`, or the FaithfulStore around one."""

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]: ...

    def query(self, *args: Any, **kwargs: Any) -> Any: ...


class FaithfulStore:
    """The store as pages and documents read it: each literal comes back as the release writes it.

    A document must state the data, and pyoxigraph's store changes numeric literals (NUMERIC), so
    those it would change are put back in what `quads_for_pattern` gives: looked up by subject in
    the release's NUMERIC_LITERALS file (sorted: a binary search in it, mapped, per subject read and
    kept in a bounded memo), so opening a large release reads nothing of it. A release without that
    file, or with it unsorted (written before it was sorted), is read whole into a table at open, as
    before. SPARQL results are the engine's.
    """

    def __init__(self, store: ox.Store, nquads: Path) -> None:
        self.store = store
        self._by_subject = _SortedLiterals.open(nquads.with_name(NUMERIC_LITERALS))
        # (subject, predicate, literal as the store gives it back) -> the literal as written
        self._exact: Callable[[Key], ox.Literal | None] = (
            self._by_subject.get if self._by_subject is not None else _changed_literals(nquads).get
        )

    def quads_for_pattern(self, *pattern: ox.Term | None) -> Iterator[ox.Quad]:
        for quad in self.store.quads_for_pattern(*pattern):  # type: ignore[arg-type]
            obj = quad.object
            if not isinstance(obj, ox.Literal) or obj.datatype.value not in NUMERIC:
                yield quad
                continue
            exact = self._exact((quad.subject, quad.predicate, obj))  # type: ignore[arg-type]
            yield quad if exact is None else ox.Quad(quad.subject, quad.predicate, exact, quad.graph_name)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self.store.query(*args, **kwargs)

    def __len__(self) -> int:
        return len(self.store)


class _SortedLiterals:
    """The NUMERIC_LITERALS file, sorted by line (so by subject), read one subject at a time: the
    subject's lines found by binary search in the mapped file, parsed, and kept (MEMO_SUBJECTS)."""

    MEMO_SUBJECTS = 4096

    def __init__(self, data: mmap.mmap | bytes) -> None:
        self.data = data
        self.memo: dict[str, dict[tuple[ox.NamedNode, ox.Literal], ox.Literal]] = {}

    @classmethod
    def open(cls, path: Path) -> _SortedLiterals | None:
        """The file mapped, if it exists and its lines are sorted; else None (read it whole)."""
        try:
            with path.open("rb") as file:
                empty = os.fstat(file.fileno()).st_size == 0
                data = b"" if empty else mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError:
            return None
        previous, at = b"", 0
        while at < len(data):  # one pass (a few ms per MB), nothing kept
            newline = data.find(b"\n", at)
            end = len(data) if newline < 0 else newline
            line = data[at:end]
            if line < previous:
                return None
            previous, at = line, end + 1
        return cls(data)

    def get(self, key: Key) -> ox.Literal | None:
        subject, predicate, stored = key
        name = str(subject)
        found = self.memo.get(name)
        if found is None:
            found = self._read(name)
            if len(self.memo) >= self.MEMO_SUBJECTS:
                self.memo.clear()
            self.memo[name] = found
        return found.get((predicate, stored)) if found else None

    def _read(self, name: str) -> dict[tuple[ox.NamedNode, ox.Literal], ox.Literal]:
        prefix = name.encode("utf-8") + b" "
        data, start = self.data, self._first_line_from(prefix)
        end = start
        while end < len(data) and data[end : end + len(prefix)] == prefix:
            newline = data.find(b"\n", end)
            end = len(data) if newline < 0 else newline + 1
        if end == start:
            return {}
        quads = list(ox.parse(bytes(data[start:end]), format=ox.RdfFormat.N_QUADS))
        return {(q.predicate, stored): q.object for q, stored in _changed(quads)}  # type: ignore[misc]

    def _first_line_from(self, key: bytes) -> int:
        """The offset of the first line not less than `key` (len(data) if none)."""
        data, lo, hi = self.data, 0, len(self.data)  # lo and hi are line starts (or the end)
        while lo < hi:
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", lo, mid) + 1 or lo
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            if data[start:end] < key:
                lo = end + 1
            else:
                hi = start
        return lo


def _changed_literals(nquads: Path) -> dict[Key, ox.Literal]:
    """(subject, predicate, literal as the store gives it back) -> the literal as written."""
    numeric = nquads.with_name(NUMERIC_LITERALS)
    quads = _numeric_quads(numeric if numeric.exists() else nquads)
    return {(q.subject, q.predicate, stored): q.object for q, stored in _changed(quads)}  # type: ignore[misc]


def _numeric_quads(nquads: Path) -> list[ox.Quad]:
    return [
        quad
        for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        if isinstance(quad.object, ox.Literal) and quad.object.datatype.value in NUMERIC
    ]


def _changed(quads: list[ox.Quad]) -> list[tuple[ox.Quad, ox.Literal]]:
    """The quads whose literal the store changes, with the store's form of it: found by a round trip
    through a scratch store, so it is pyoxigraph's own, whatever its rules."""
    scratch, predicate = ox.Store(), ox.NamedNode("urn:x-p")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-n:{n}"), predicate, q.object) for n, q in enumerate(quads))
    stored = {int(q.subject.value.rsplit(":", 1)[1]): q.object for q in scratch}
    return [(q, stored[n]) for n, q in enumerate(quads) if stored[n] != q.object]  # type: ignore[misc]
