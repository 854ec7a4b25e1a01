"""The property table of a resource: its outgoing triples grouped by predicate, blank nodes described
in place (RDF lists as lists), as the generic and the SHACL shapes pages show them.

Contract: `properties(model, v, subject)` gives `(predicate, values)` rows, predicates in a fixed
order (type, notation, labels, then by compact name) and values sorted; each `Value` is a term, an RDF
list or a described blank node, down to four levels (deeper blank nodes stay terms). Terms come as
`Shown` (psm_ld.pages.terms); the template macro `value` (templates/macros.html) renders them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.pages.model import Model, term_key
from psm_ld.pages.terms import Shown, shown
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, RDF, RDFS, SKOS

ORDER = [RDF + "type", SKOS + "notation", SKOS + "prefLabel", RDFS + "label", DCT + "title"]
DEPTH = 4  # blank nodes described in place up to this depth


@dataclass
class Value:
    """One object of a row: shown as `term`, unless it is an RDF list (`members`) or a blank node
    described in place (`rows`)."""

    term: Shown
    members: list[Value] | None = None
    rows: list[Row] | None = None


Row = tuple[Shown, list[Value]]  # the predicate, its objects


def properties(
    model: Model,
    v: View,
    subject: ox.NamedNode | ox.BlankNode | str,
    skip: set[str] | None = None,
    depth: int = 0,
) -> list[Row]:
    """Outgoing triples grouped by predicate, blank nodes described in place (RDF lists as lists)."""
    node = ox.NamedNode(subject) if isinstance(subject, str) else subject
    grouped: dict[str, list[ox.Term]] = defaultdict(list)
    for quad in model.store.quads_for_pattern(node, None, None):
        if skip and quad.predicate.value in skip:
            continue
        if quad.object not in grouped[quad.predicate.value]:
            grouped[quad.predicate.value].append(quad.object)
    rows = []
    for predicate in sorted(
        grouped, key=lambda p: (ORDER.index(p) if p in ORDER else len(ORDER), model.compact(p))
    ):
        values = [_value(model, v, o, depth) for o in sorted(grouped[predicate], key=term_key)]
        rows.append((shown(model, v, ox.NamedNode(predicate)), values))
    return rows


def _value(model: Model, v: View, term: ox.Term, depth: int) -> Value:
    if isinstance(term, ox.BlankNode) and depth < DEPTH:
        items = _rdf_list(model, term)
        if items is not None:
            return Value(shown(model, v, term), members=[_value(model, v, i, depth + 1) for i in items])
        return Value(shown(model, v, term), rows=properties(model, v, term, depth=depth + 1))
    return Value(shown(model, v, term))


def _rdf_list(model: Model, node: ox.BlankNode) -> list[ox.Term] | None:
    """The members of the RDF list that starts at `node` (at most 100); None when it is not a list."""
    items: list[ox.Term] = []
    current: ox.Term = node
    while isinstance(current, ox.BlankNode) and len(items) < 100:
        first = list(model.store.quads_for_pattern(current, ox.NamedNode(RDF + "first"), None))
        rest = list(model.store.quads_for_pattern(current, ox.NamedNode(RDF + "rest"), None))
        if not first or not rest:
            return None
        items.append(first[0].object)
        current = rest[0].object
    return items if isinstance(current, ox.NamedNode) and current.value == RDF + "nil" else None
