"""A vocabulary: a SKOS concept scheme other than the plan (scheme.html).

Contract: `context(model, v, iri)` gives the scheme's titles, scope note, size and its tree: the top
concepts (or, without any, every concept in it), each with its narrower concepts, in code order.
"""

from __future__ import annotations

from psm_ld.pages.kinds.common import document
from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import SKOS


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    tops = model.subjects(SKOS + "topConceptOf", iri)
    members = model.subjects(SKOS + "inScheme", iri)
    tree = []
    for top in tops or members:
        tree.append(
            {
                "link": model.link(top),
                "children": [model.link(c) for c in model.subjects(SKOS + "broader", top)],
            }
        )
    return {
        "v": v,
        "title": model.label(iri),
        "title_en": model.labels.get(iri, {}).get("en", ""),
        "scope": model.literal(iri, SKOS + "scopeNote"),
        "tree": tree,
        "n": len(members),
        "sources": model.sources(iri),
        **document(model, v, iri),
    }
