"""Labels, notations and types of IRIs for the pages' model (pages/model.py), read from the store
when a page first asks about an IRI, not at start: one lookup of the IRI's outgoing quads gives all
three, kept in a bounded memo (MEMO_IRIS) shared by the model's three tables; iterating a table scans
the store (for the pages that list the whole release).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, RDF, RDFS, SKOS, SKOSXL

LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", SKOSXL + "literalForm")


TermEntry = tuple[dict[str, str], str | None, set[str]]  # labels by language, notation, types
MEMO_IRIS = 16_384  # entries kept by Terms (under 1 KB each); forgotten all at once past it


class Terms:
    """Labels, notation and types of one IRI at a time, read from the store's outgoing quads of the
    IRI when first asked and kept (up to MEMO_IRIS; a release never changes while served)."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.memo: dict[str, TermEntry] = {}

    def get(self, iri: str) -> TermEntry:
        entry = self.memo.get(iri)
        if entry is None:
            entry = self.read(iri)
            if len(self.memo) >= MEMO_IRIS:
                self.memo.clear()  # bounded; pages run in threads: a plain dict's calls are atomic
            self.memo[iri] = entry
        return entry

    def read(self, iri: str) -> TermEntry:
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # not an IRI (a request path may hold any character): nothing known
            return {}, None, set()
        found: dict[str, dict[str, str]] = {}
        notation: str | None = None
        types: set[str] = set()
        for quad in self.store.quads_for_pattern(node, None, None):
            predicate, obj = quad.predicate.value, quad.object
            if predicate in _LABEL_RANK and isinstance(obj, ox.Literal):
                found.setdefault(predicate, {})[obj.language or ""] = obj.value
            elif predicate == _NOTATION:
                notation = obj.value  # type: ignore[union-attr]
            elif predicate == _TYPE and isinstance(obj, ox.NamedNode):
                types.add(obj.value)
        labels: dict[str, str] = {}
        for predicate in reversed(LABEL_PROPERTIES):  # first in LABEL_PROPERTIES wins
            labels.update(found.get(predicate, {}))
        return labels, notation, types

    def scan(self) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, set[str]]]:
        """Every IRI's labels, notation and types, by one pass over each predicate (for the pages
        that list the whole release, such as the editor's completions: not kept)."""
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for predicate in reversed(LABEL_PROPERTIES):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                    labels[quad.subject.value][quad.object.language or ""] = quad.object.value
        notations: dict[str, str] = {}
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(_NOTATION), None):
            if isinstance(quad.subject, ox.NamedNode):
                notations[quad.subject.value] = quad.object.value  # type: ignore[union-attr]
        types: dict[str, set[str]] = defaultdict(set)
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(_TYPE), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                types[quad.subject.value].add(quad.object.value)
        return dict(labels), notations, dict(types)


_LABEL_RANK = {p: n for n, p in enumerate(LABEL_PROPERTIES)}
_NOTATION, _TYPE = SKOS + "notation", RDF + "type"


class Table(Mapping[str, Any]):
    """One of the model's tables (labels, notations or types) as a read-only mapping from IRI: a
    lookup reads that IRI only (`Terms`); iterating it scans the store (whole-release pages use
    `Terms.scan`, one pass for the three tables)."""

    def __init__(self, terms: Terms, column: int) -> None:
        self.terms, self.column = terms, column

    def __getitem__(self, iri: str) -> Any:
        value = self.terms.get(iri)[self.column]
        if not _present(value):
            raise KeyError(iri)
        return value

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and _present(self.terms.get(iri)[self.column])

    def _all(self) -> dict[str, Any]:
        return self.terms.scan()[self.column]  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _present(value: object) -> bool:
    """Whether a table has an entry: a notation ("" too), or labels or types (not none)."""
    return isinstance(value, str) or bool(value)
