"""What every resource page has, whatever its kind: its IRI, its kind and its alternate documents."""

from __future__ import annotations

from psm_ld.pages.model import Model
from psm_ld.pages.urls import View


def document(model: Model, v: View, iri: str) -> dict[str, object]:
    """What every resource page has: the IRI, alternate formats, the kind."""
    return {"iri": iri, "alternates": v.alternates(iri), "kind": model.kind(iri)}
