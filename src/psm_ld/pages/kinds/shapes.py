"""The SHACL shapes document (shapes.html): every shape the releases are validated against.

Contract: `context(model, v, iri)` gives the document's own properties and one section per shape
under `iri#` (node shapes first, then property shapes, each by name) with its property table.
"""

from __future__ import annotations

from psm_ld.pages.kinds.common import head
from psm_ld.pages.model import Model
from psm_ld.pages.properties import properties
from psm_ld.pages.urls import View
from psm_ld.vocab import RDF, SH


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    prefix = iri + "#"
    shapes = sorted(
        (s for s in model.instances(SH + "NodeShape", SH + "PropertyShape") if s.startswith(prefix)),
        key=lambda s: (SH + "NodeShape" not in model.types[s], s.casefold()),
    )
    sections = [
        {
            "iri": s,
            "anchor": s[len(prefix) :],
            "kind": model.kind(s),
            "rows": properties(model, v, s, skip={RDF + "type"}),
        }
        for s in shapes
    ]
    return {**head(model, v, iri), "rows": properties(model, v, iri), "sections": sections}
