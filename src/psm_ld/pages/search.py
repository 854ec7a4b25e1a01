"""Accent-insensitive search over the labels of the release (prefLabel, altLabel, title, notation…).

The index is built once from the store (the release is read-only): every label of every IRI, folded
to lower case without accents, so «citta» finds «Città» and «GRAN bosco» finds «Gran Bosco Torino».
A query matches a label when every word of the query is in it; hits are ranked by how well they match
(same code, label starting with the query, whole phrase, all words) and then by kind.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, RDFS, SKOS

# label property → how its hits are shown (Italian, the site's first language)
FIELDS: dict[str, str] = {
    SKOS + "prefLabel": "etichetta",
    SKOS + "altLabel": "altra denominazione",
    SKOS + "hiddenLabel": "altra denominazione",
    SKOS + "notation": "codice",
    DCT + "title": "titolo",
    DCT + "identifier": "identificativo",
    RDFS + "label": "etichetta",
}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "«": '"', "»": '"'})


def fold(text: str) -> str:
    """Lower case, no accents, one space between words: the form both labels and queries take."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Entry:
    iri: str
    text: str  # the label as written
    lang: str
    field: str  # FIELDS value
    folded: str


@dataclass(frozen=True)
class Hit:
    iri: str
    text: str
    lang: str
    field: str
    score: int


class SearchIndex:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries

    @classmethod
    def from_store(cls, store: ReadStore) -> SearchIndex:
        entries: list[Entry] = []
        seen: set[tuple[str, str, str]] = set()
        for predicate, field in FIELDS.items():
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                subject, obj = quad.subject, quad.object
                if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.Literal):
                    continue
                key = (subject.value, obj.value, field)
                if key in seen:
                    continue
                seen.add(key)
                entries.append(Entry(subject.value, obj.value, obj.language or "", field, fold(obj.value)))
        entries.sort(key=lambda e: (e.iri, e.field, e.lang, e.text))
        return cls(entries)

    def search(self, query: str, limit: int = 100) -> list[Hit]:
        """The best hit of each matching IRI, best first."""
        phrase = fold(query)
        words = phrase.split()
        if not words:
            return []
        best: dict[str, Hit] = {}
        for entry in self.entries:
            score = _score(entry, phrase, words)
            if score <= 0:
                continue
            current = best.get(entry.iri)
            if current is None or (score, entry.lang == "it") > (current.score, current.lang == "it"):
                best[entry.iri] = Hit(entry.iri, entry.text, entry.lang, entry.field, score)
        hits = sorted(best.values(), key=lambda h: (-h.score, h.text.casefold(), h.iri))
        return hits[:limit]


def _score(entry: Entry, phrase: str, words: list[str]) -> int:
    text = entry.folded
    if not all(word in text for word in words):
        return 0
    if text == phrase:
        return 100 if entry.field == "codice" else 90
    if text.startswith(phrase):
        return 70
    if phrase in text:
        # a phrase that starts a word beats one inside a word
        return 60 if (" " + phrase) in (" " + text) else 50
    return 30
