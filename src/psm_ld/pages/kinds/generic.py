"""Any other IRI of the release: a term, a period, a label, a count… (generic.html).

Contract: `context(model, v, iri)` gives the IRI's property table and its incoming links grouped by
predicate (at most 200 subjects shown per predicate, with the total).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from psm_ld.pages.kinds.common import head
from psm_ld.pages.model import Model
from psm_ld.pages.properties import properties
from psm_ld.pages.urls import View

SHOWN = 200  # incoming subjects listed per predicate


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    incoming: dict[str, set[str]] = defaultdict(set)
    for quad in model.store.quads_for_pattern(None, None, ox.NamedNode(iri)):
        if isinstance(quad.subject, ox.NamedNode):
            incoming[quad.predicate.value].add(quad.subject.value)
    return {
        **head(model, v, iri),
        "rows": properties(model, v, iri),
        "incoming": [
            (model.link(p), [model.link(s) for s in sorted(subjects)[:SHOWN]], len(subjects))
            for p, subjects in sorted(incoming.items())
        ],
    }
