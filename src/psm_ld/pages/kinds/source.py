"""A source the data cites: a dct:BibliographicResource (source.html).

Contract: `context(model, v, iri)` gives the source's title, identifier, publisher, date, note and
everything that cites it (dct:source), in code order.
"""

from __future__ import annotations

from psm_ld.pages.kinds.common import head
from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCT, SKOS


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    citing = model.subjects(DCT + "source", iri)
    note, note_lang = model.literal_lang(iri, SKOS + "editorialNote")
    return {
        **head(model, v, iri),
        "identifier": model.literal(iri, DCT + "identifier"),
        "publisher": model.literal(iri, DCT + "publisher"),
        "date": model.literal(iri, DCT + "date"),
        "note": note,
        "note_lang": model.fallback(note_lang),
        "citing": [model.link(c) for c in citing],
    }
