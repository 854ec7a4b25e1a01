"""A vocabulary concept: PNRR mission or component, cohesion objective, EU programme, financing
instrument (concept.html).

Contract: `context(model, v, iri, cls)` gives the concept's names, definition, vocabulary, broader,
narrower and matching concepts, and everything in the plan that aligns to it (or to a narrower
concept), by basis: stated by a source, interpretation of a source's layout, derived by rule from an
axis (the qualified alignment nodes, each with its sources and note). `plan_elements` gives the same
elements for the scheme page's counts (kinds/scheme.py).
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.alignments import BASES, Alignment, alignments_to
from psm_ld.pages.kinds.common import head, other_title
from psm_ld.pages.model import Link, Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, SKOS


def plan_elements(model: Model, iri: str) -> tuple[list[dict[str, object]], list[Link]]:
    """What in the plan aligns to the concept `iri` (or a narrower one), as the release's qualified
    alignments say: the elements a source states or a reading of a source gives, each with its
    property and the narrower concept it goes through; and the elements whose alignment is derived by
    rule from their axis, once each."""
    stated: list[dict[str, object]] = []
    derived: list[Link] = []
    for a in _aligned(model, iri):
        if a.basis == "derivato":
            if a.subject.iri not in {d.iri for d in derived}:
                derived.append(a.subject)
            continue
        stated.append(
            {
                "link": a.subject,
                "property": a.property,
                "via": a.target if a.target.iri != iri else None,
                "plan": model.level(a.subject.iri) == "PianoStrategico",
            }
        )
    return stated, derived


def _aligned(model: Model, iri: str) -> list[Alignment]:
    narrower = model.subjects(SKOS + "broader", iri)
    return [a for target in [iri, *narrower] for a in alignments_to(model, target)]


def context(model: Model, v: View, iri: str, cls: str) -> dict[str, object]:
    narrower = model.subjects(SKOS + "broader", iri)
    found = _aligned(model, iri)
    by_basis = {basis: [a for a in found if a.basis == basis] for basis in BASES}
    schemes = [
        model.link(o.value) for o in model.objects(iri, SKOS + "inScheme") if isinstance(o, ox.NamedNode)
    ]
    broader = [
        model.link(o.value) for o in model.objects(iri, SKOS + "broader") if isinstance(o, ox.NamedNode)
    ]
    matches = [
        o.value
        for p in ("exactMatch", "closeMatch", "related")
        for o in model.objects(iri, SKOS + p)
        if isinstance(o, ox.NamedNode)
    ]
    definition, definition_lang = model.literal_lang(iri, SKOS + "definition")
    if not definition:
        definition, definition_lang = model.literal_lang(iri, DCT + "description")
    scope, scope_lang = model.literal_lang(iri, SKOS + "scopeNote")
    return {
        **head(model, v, iri),
        **other_title(model, iri),
        "cls": cls,
        "code": model.notations.get(iri, ""),
        "alt": model.literals(iri, SKOS + "altLabel"),
        "definition": definition,
        "definition_lang": model.fallback(definition_lang),
        "scope": scope,
        "scope_lang": model.fallback(scope_lang),
        "schemes": schemes,
        "broader": broader,
        "narrower": [model.link(n) for n in narrower],
        "matches": [model.link(m) for m in matches],
        "alignments": by_basis,
        "aligned": bool(found),
        "sources": model.sources(iri),
    }
