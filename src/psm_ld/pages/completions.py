"""What the SPARQL editor (assets/sparql-editor.js) offers to complete: the project's prefixes, the
classes and properties of the release, and its labelled resources, as one JSON document.

Contract: `completions(model, store)` reads the release once and gives plain data:

    {"prefixes": {"psm": "<base>ontologia#", "rdf": …},          the prefixes of the project's output
     "terms": [{"iri", "kind": "class"|"property"|"resource",   classes and properties first, then
                "label", "code", "type", "label_en"?}, …],        resources in code order; label in
                                                                  Italian, label_en where it differs
     "truncated": false}                                          true when MAX_TERMS cut the list

IRIs are canonical (settings.base_uri), as the absolute prefixes of the examples are: a query that
uses them runs here and in any other tool. A release never changes while served, so `Pages` computes
this once, on its first request; MAX_TERMS bounds its size whatever the data.
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.model import Model
from psm_ld.query.serialize import prefixes
from psm_ld.query.store import ReadStore
from psm_ld.vocab import OWL, RDF, RDFS

USED_PROPERTIES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
USED_CLASSES = f"SELECT DISTINCT ?c WHERE {{ ?s <{RDF}type> ?c }}"
MAX_TERMS = 5000  # ~100 bytes each: the document stays well under 1 MB on any release
CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (
    RDF + "Property",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
)


def completions(model: Model, store: ReadStore) -> dict[str, object]:
    """The completion data of the release in `store` (see the module's contract)."""
    # what the data uses, asked of the engine (DISTINCT there: no scan of every quad through Python,
    # which on a remote store would mean streaming the whole release)
    properties = {s["p"].value for s in store.query(USED_PROPERTIES, use_default_graph_as_union=True)}
    classes = {
        s["c"].value
        for s in store.query(USED_CLASSES, use_default_graph_as_union=True)
        if isinstance(s["c"], ox.NamedNode)
    }
    full = model.scanned()  # one pass over the release, not one lookup per IRI
    for iri, types in full.types.items():
        if types & set(CLASS_TYPES):
            classes.add(iri)
        if types & set(PROPERTY_TYPES):
            properties.add(iri)
    properties -= classes
    resources = [
        iri
        for iri in full.labels.keys() | full.notations.keys()
        if iri.startswith(model.base) and iri not in classes and iri not in properties
    ]

    def term(iri: str, kind: str) -> dict[str, str]:
        labels = full.labels.get(iri, {})
        label = labels.get("it") or labels.get("") or labels.get("en") or next(iter(labels.values()), "")
        out = {
            "iri": iri,
            "kind": kind,
            "label": label,
            "code": full.notations.get(iri, ""),
            "type": full.kind(iri) if kind == "resource" else "",
        }
        if labels.get("en", label) != label:
            out["label_en"] = labels["en"]  # the editor finds a term by either name
        return out

    found = [(iri, "class") for iri in sorted(classes)] + [(iri, "property") for iri in sorted(properties)]
    found += [(iri, "resource") for iri in sorted(resources, key=full.code_key)]
    terms = [term(iri, kind) for iri, kind in found[:MAX_TERMS]]
    return {
        "prefixes": prefixes(model.base),
        "terms": terms,
        "truncated": len(found) > MAX_TERMS,
    }
