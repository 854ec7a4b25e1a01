"""How an RDF term is shown on a page: its text, where it links, what is written beside it.

Contract: `shown(model, v, term)` gives a `Shown`, plain data; the macro `term` in
templates/macros.html writes its markup. An IRI shows its label with its compact form beside it (or
the compact form alone when it has no label), links onto the origin and is marked external outside
the base; a literal shows its language or its datatype (none for xsd:string); a blank node its id.
Computed in Python, not in the template, because result tables show thousands of terms and a call
from a template costs several times a call from Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import XSD

NONE = "none"
IRI = "iri"
BNODE = "bnode"
LITERAL = "literal"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Shown:
    """An RDF term as a page shows it (`kind` is one of the constants above)."""

    kind: str
    text: str = ""  # the label or compact IRI, the blank node id, the literal's value
    href: str = ""  # IRI: where the link goes
    title: str = ""  # IRI: the IRI itself
    external: bool = False  # IRI: outside the base
    note: str = ""  # IRI: its compact form beside its label; literal: its datatype, compact
    lang: str = ""  # literal: its language


def shown(model: Model, v: View, term: ox.Term | None) -> Shown:
    if term is None:
        return Shown(NONE)
    if isinstance(term, ox.NamedNode):
        iri = term.value
        label = model.label(iri)
        compact = model.compact(iri)
        external = not v.local(iri)
        if label != compact and label != iri:
            return Shown(IRI, label, v.href(iri), iri, external, compact)
        return Shown(IRI, compact, v.href(iri), iri, external)
    if isinstance(term, ox.BlankNode):
        return Shown(BNODE, term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Shown(LITERAL, term.value, lang=term.language)
        datatype = term.datatype.value
        return Shown(LITERAL, term.value, note="" if datatype == XSD + "string" else model.compact(datatype))
    return Shown(OTHER, str(term))
