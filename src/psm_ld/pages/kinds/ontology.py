"""The ontology document (ontology.html): every psm: class and property, one section each.

Contract: `context(model, v, iri)` gives the ontology's titles, descriptions, version, licence, prefix
and namespace, and its classes and properties sorted by name, each with labels, definitions,
relations (subclass, subproperty, domain, range), the SHACL shapes that target it and how many
instances the data has.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from psm_ld.pages.kinds.common import head, other_language
from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, OWL, RDFS, SH, SKOS, VANN

RELATIONS = (  # property, message key (psm_ld.pages.i18n)
    (RDFS + "subClassOf", "ontology.subclass_of"),
    (RDFS + "subPropertyOf", "ontology.subproperty_of"),
    (RDFS + "domain", "ontology.domain"),
    (RDFS + "range", "ontology.range"),
)


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    title, title_lang = model.literal_lang(iri, DCT + "title")
    other = other_language(model)
    return {
        **head(model, v, iri, (title or "psm:", title_lang)),
        "other_title": model.literal_lang(iri, DCT + "title", other)[0],
        "other_title_lang": other,
        "descriptions": model.literals(iri, DCT + "description"),
        "version": model.literal(iri, OWL + "versionInfo"),
        "license": [o.value for o in model.objects(iri, DCT + "license") if isinstance(o, ox.NamedNode)],
        "prefix": model.literal(iri, VANN + "preferredNamespacePrefix") or "psm",
        "namespace": model.psm,
        "classes": _terms(model, [OWL + "Class"]),
        "properties": _terms(model, [OWL + "ObjectProperty", OWL + "DatatypeProperty"]),
    }


def _terms(model: Model, kinds: Iterable[str]) -> list[dict[str, object]]:
    """The psm: terms of the given types, sorted by name, as their sections show them."""
    found = sorted(
        {s for s in model.instances(*kinds) if s.startswith(model.psm)},
        key=lambda s: s.casefold(),
    )
    out = []
    other = other_language(model)
    for term in found:
        out.append(
            {
                "iri": term,
                "anchor": term[len(model.psm) :],
                "curie": model.compact(term),
                "label": model.label(term),
                "other": model.labels.get(term, {}).get(other, ""),
                "other_lang": other,
                "definition": model.literals(term, SKOS + "definition")
                + model.literals(term, RDFS + "comment"),
                "kind": ", ".join(sorted(model.compact(t) for t in model.types.get(term, set()))),
                "relations": [
                    (
                        label,
                        [model.link(o.value) for o in model.objects(term, p) if isinstance(o, ox.NamedNode)],
                    )
                    for p, label in RELATIONS
                ],
                "shapes": [model.link(s) for s in model.subjects(SH + "targetClass", term)],
                "instances": len(model.instances(term)),
            }
        )
    return out
