"""An axis, a strategy or an action of the plan (member.html).

Contract: `context(model, v, iri, level)` gives the member's code, titles, lineage, children, declared
counts (for an axis), alternative names with their sources, its qualified alignments as the release
holds them (stated by a source, interpretations of a source's layout, derived by rule from its axis:
each with its basis, sources and note), the plan's own alignments as a link (they are the plan's, not
the member's: no rule in the data hands them down), and schema.org JSON-LD.
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.alignments import BASES, alignments_of
from psm_ld.pages.counts import counts
from psm_ld.pages.jsonld import member_jsonld
from psm_ld.pages.kinds.common import head, other_language
from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, SKOS, SKOSXL

CHILD_LEVEL = {"Asse": "Strategia", "Strategia": "Azione"}


def context(model: Model, v: View, iri: str, level: str) -> dict[str, object]:
    lineage = model.lineage(iri)
    plan = next((p for p in lineage if model.level(p) == "PianoStrategico"), None)
    alignments = alignments_of(model, iri)
    by_basis = {basis: [a for a in alignments if a.basis == basis] for basis in BASES}
    children_level = CHILD_LEVEL.get(level)
    children = []
    if children_level:
        for child in model.members(iri, children_level):
            link = model.link(child)
            grandchildren = len(model.members(child, "Azione")) if children_level == "Strategia" else None
            children.append({"link": link, "n": grandchildren, "titled": child in model.labels})
    labels = model.labels.get(iri, {})
    title, title_lang = model.label_lang(iri) if labels else ("", "")
    other = other_language(model)
    description, description_lang = model.literal_lang(iri, DCT + "description")
    return {
        **head(model, v, iri, (title, title_lang)),
        "level": level,
        "level_label": model.label(model.psm + level),
        "code": model.notations.get(iri, ""),
        "other_title": labels.get(other, "") if labels.get(other) != title else "",
        "other_title_lang": other,
        "description": description,
        "description_lang": model.fallback(description_lang),
        "lineage": [model.link(p) for p in lineage],
        "alignments": by_basis,
        "plan": model.link(plan) if plan else None,
        "plan_aligned": bool(plan and alignments_of(model, plan)),
        "children": children,
        "children_level": children_level,
        "counts": counts(model, iri) if level == "Asse" else [],
        "present_children": len(children),
        "sources": model.sources(iri),
        "alt_names": _alt_names(model, iri),
        "jsonld": member_jsonld(model, v, iri, level, lineage, title),
    }


def _alt_names(model: Model, iri: str) -> list[dict[str, object]]:
    """Other names of the member: SKOS-XL labels with note and sources, else plain altLabels."""
    names: list[dict[str, object]] = []
    for label in model.objects(iri, SKOSXL + "altLabel"):
        if isinstance(label, ox.NamedNode):
            names.append(
                {
                    "text": model.literal(label.value, SKOSXL + "literalForm"),
                    "lang": model.literal_lang(label.value, SKOSXL + "literalForm")[1],
                    "note": model.literal(label.value, SKOS + "editorialNote"),
                    "sources": model.sources(label.value),
                }
            )
    if not names:
        names = [
            {"text": t, "lang": lang, "note": "", "sources": []}
            for t, lang in model.literals(iri, SKOS + "altLabel")
        ]
    return names
