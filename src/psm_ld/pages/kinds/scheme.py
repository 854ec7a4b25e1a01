"""A vocabulary: a SKOS concept scheme other than the plan (scheme.html).

Contract: `context(model, v, iri)` gives the scheme's titles, scope note and size; its tree (the top
concepts, or without any every concept in it, each with its narrower concepts down to `DEPTH`
levels, in code order: missions → components, objectives → specific objectives); an A-Z of every
concept by its label in the page's language (letters, each with its concepts); and, per concept,
how many plan elements of each edition align to it (`Tally`: axes, strategies, actions; stated by a
source or derived by rule, the same elements the concept page lists), with the editions in order.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from psm_ld.pages.kinds.common import head, other_title
from psm_ld.pages.kinds.concept import plan_elements
from psm_ld.pages.model import LEVELS, Link, Model
from psm_ld.pages.urls import View
from psm_ld.vocab import SKOS

DEPTH = 3  # levels of the tree shown (a scheme deeper than that links on from the concept pages)


@dataclass
class Tally:
    """How many elements of one edition align to a concept: level (Asse, Strategia, Azione) → n."""

    edition: Link
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.levels.values())


def context(model: Model, v: View, iri: str) -> dict[str, object]:
    tops = model.subjects(SKOS + "topConceptOf", iri)
    members = model.subjects(SKOS + "inScheme", iri)
    editions = model.plans()
    tallies = {c: _tally(model, c, editions) for c in members}
    scope, scope_lang = model.literal_lang(iri, SKOS + "scopeNote")
    return {
        **head(model, v, iri),
        **other_title(model, iri),
        "scope": scope,
        "scope_lang": model.fallback(scope_lang),
        "tree": [_node(model, top, tallies, 1) for top in (tops or members)],
        "az": _a_to_z(model, members),
        "editions": [model.link(e) for e in editions],
        "tallies": [(model.link(c), tallies[c]) for c in members],
        "levels": LEVELS,
        "n": len(members),
        "sources": model.sources(iri),
    }


def _node(model: Model, concept: str, tallies: dict[str, list[Tally]], depth: int) -> dict[str, object]:
    children = model.subjects(SKOS + "broader", concept) if depth < DEPTH else []
    return {
        "link": model.link(concept),
        "tallies": [t for t in tallies.get(concept, []) if t.total],
        "children": [_node(model, c, tallies, depth + 1) for c in children],
    }


def _tally(model: Model, concept: str, editions: list[str]) -> list[Tally]:
    """Per edition (in `editions` order), the axes, strategies and actions aligned to `concept`."""
    stated, derived = plan_elements(model, concept)
    elements = {s["link"].iri for s in stated} | {d.iri for d in derived}  # type: ignore[attr-defined]
    out = {e: Tally(model.link(e), dict.fromkeys(LEVELS, 0)) for e in editions}
    for element in elements:
        level = model.level(element)
        if level not in LEVELS:
            continue
        lineage = model.lineage(element)
        if lineage and lineage[0] in out:
            out[lineage[0]].levels[level] += 1
    return list(out.values())


def _a_to_z(model: Model, concepts: list[str]) -> list[tuple[str, list[Link]]]:
    """The concepts by label, grouped under their initial (accents folded: «È» under E)."""
    links = sorted((model.link(c) for c in concepts), key=lambda link: (_fold(link.label), link.iri))
    letters: dict[str, list[Link]] = {}
    for link in links:
        initial = _fold(link.label)[:1].upper()
        letters.setdefault(initial if initial.isalpha() else "#", []).append(link)
    return list(letters.items())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lstrip("'«\"( "))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
