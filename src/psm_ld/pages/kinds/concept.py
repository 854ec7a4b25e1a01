"""A vocabulary concept: PNRR mission or component, cohesion objective, EU programme, financing
instrument (concept.html).

Contract: `context(model, v, iri, cls)` gives the concept's names, definition, vocabulary, broader,
narrower and matching concepts, and everything in the plan that aligns to it (`plan_elements`):
stated by a source (to the concept or to a narrower one), or derived (the strategies and actions below
a stated element). The scheme page counts the same elements (kinds/scheme.py).
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.kinds.common import document
from psm_ld.pages.model import Link, Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, SKOS


def plan_elements(model: Model, iri: str) -> tuple[list[dict[str, object]], list[Link]]:
    """What in the plan aligns to the concept `iri`: the elements a source states (to it or to a
    narrower concept), each with its property and the narrower concept it goes through; and the
    strategies and actions below a stated plan, axis or strategy (derived by rule), once each."""
    stated: list[dict[str, object]] = []
    narrower = model.subjects(SKOS + "broader", iri)
    for target in [iri, *narrower]:
        for prop in model.alignment_properties:
            for subject in model.subjects(prop, target):
                stated.append(
                    {
                        "link": model.link(subject),
                        "property": model.link(prop),
                        "via": model.link(target) if target != iri else None,
                        "plan": model.level(subject) == "PianoStrategico",
                    }
                )
    derived: list[Link] = []
    seen = {s["link"].iri for s in stated}  # type: ignore[attr-defined]
    for entry in list(stated):
        subject = entry["link"].iri  # type: ignore[attr-defined]
        level = model.level(subject)
        if level in ("PianoStrategico", "Asse", "Strategia"):
            for lower in ("Strategia", "Azione"):
                for d in model.descendants(subject, lower):
                    if d not in seen:
                        seen.add(d)
                        derived.append(model.link(d, note=model.label(subject)))
    return stated, derived


def context(model: Model, v: View, iri: str, cls: str) -> dict[str, object]:
    stated, derived = plan_elements(model, iri)
    narrower = model.subjects(SKOS + "broader", iri)
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
    title, title_lang = model.label_lang(iri)
    other = "it" if model.lang == "en" else "en"
    definition, definition_lang = model.literal_lang(iri, SKOS + "definition")
    if not definition:
        definition, definition_lang = model.literal_lang(iri, DCT + "description")
    scope, scope_lang = model.literal_lang(iri, SKOS + "scopeNote")
    return {
        "v": v,
        "cls": cls,
        "code": model.notations.get(iri, ""),
        "title": title,
        "title_lang": model.fallback(title_lang),
        "other_title": model.labels.get(iri, {}).get(other, ""),
        "other_title_lang": other,
        "alt": model.literals(iri, SKOS + "altLabel"),
        "definition": definition,
        "definition_lang": model.fallback(definition_lang),
        "scope": scope,
        "scope_lang": model.fallback(scope_lang),
        "schemes": schemes,
        "broader": broader,
        "narrower": [model.link(n) for n in narrower],
        "matches": [model.link(m) for m in matches],
        "stated": stated,
        "derived": derived,
        "sources": model.sources(iri),
        **document(model, v, iri),
    }
