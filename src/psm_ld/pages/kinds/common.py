"""What every resource page has, whatever its kind: its head (the request's View, the IRI, its title
and that title's language, its kind and its alternate documents), and its title in the other language.
"""

from __future__ import annotations

from psm_ld.pages.model import Model
from psm_ld.pages.urls import View


def head(model: Model, v: View, iri: str, title: tuple[str, str] | None = None) -> dict[str, object]:
    """The head of a resource page: `title` (a text and the language it was found in; by default the
    IRI's label) with that language marked when it is not the page's (a fallback), and `document`."""
    text, lang = model.label_lang(iri) if title is None else title
    return {"v": v, "title": text, "title_lang": model.fallback(lang), **document(model, v, iri)}


def document(model: Model, v: View, iri: str) -> dict[str, object]:
    """What every resource page has: the IRI, alternate formats, the kind."""
    return {"iri": iri, "alternates": v.alternates(iri), "kind": model.kind(iri)}


def other_language(model: Model) -> str:
    """The language the page is not in: titles in it are shown beside the page's own."""
    return "it" if model.lang == "en" else "en"


def other_title(model: Model, iri: str) -> dict[str, object]:
    """The IRI's label in the other language ("" when it has none), and that language."""
    other = other_language(model)
    return {"other_title": model.labels.get(iri, {}).get(other, ""), "other_title_lang": other}
