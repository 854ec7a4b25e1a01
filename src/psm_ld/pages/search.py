"""Accent- and case-insensitive search over the release's titles, descriptions, other names and codes.

The index is built once from the store (the release is read-only): every label, alternative label,
code, title, description and definition of every IRI, folded to lower case without accents, so
«citta» finds «Città», «GRAN bosco» finds «Gran Bosco Torino» and «aree protette» finds the action
whose description speaks of them. A query matches a text when every word of the query is in it.

Ranking (`search`): the best hit of each IRI, scored by where and how it matched, best first —
an exact code (100) above an exact name (90), a name that starts with the query (70), the phrase at
a word's start in a name (60) or inside one (50), every word somewhere in a name (30); other names
(altLabel) a little below names; descriptions and definitions below every name (the phrase 20, the
words 10). Ties go to the text in the reader's language, then alphabetically.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, RDFS, SKOS

# indexed property → the field its hits are shown as (a message key: search.field.<field>)
FIELDS: dict[str, str] = {
    SKOS + "prefLabel": "etichetta",
    SKOS + "altLabel": "altra denominazione",
    SKOS + "hiddenLabel": "altra denominazione",
    SKOS + "notation": "codice",
    DCT + "title": "titolo",
    DCT + "identifier": "identificativo",
    RDFS + "label": "etichetta",
    DCT + "description": "descrizione",
    SKOS + "definition": "definizione",
}
TEXT_FIELDS = ("descrizione", "definizione")  # long texts: ranked below every name
OTHER_NAMES = ("altra denominazione",)
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

    def search(self, query: str, limit: int = 100, lang: str = "it") -> list[Hit]:
        """The best hit of each matching IRI, best first (the module's ranking); among equal scores
        the text in `lang` wins."""
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
            if current is None or (score, entry.lang == lang) > (current.score, current.lang == lang):
                best[entry.iri] = Hit(entry.iri, entry.text, entry.lang, entry.field, score)
        hits = sorted(best.values(), key=lambda h: (-h.score, fold(h.text), h.iri))
        return hits[:limit]


def _score(entry: Entry, phrase: str, words: list[str]) -> int:
    text = entry.folded
    if not all(word in text for word in words):
        return 0
    if entry.field in TEXT_FIELDS:
        return 20 if phrase in text else 10
    if text == phrase:
        score = 100 if entry.field == "codice" else 90
    elif text.startswith(phrase):
        score = 70
    elif phrase in text:
        # a phrase that starts a word beats one inside a word
        score = 60 if (" " + phrase) in (" " + text) else 50
    else:
        score = 30
    return score - 5 if entry.field in OTHER_NAMES else score


def snippet(text: str, query: str, width: int = 140) -> str:
    """A window of about `width` characters of `text` around the first word of `query` it holds
    (matched folded, cut at spaces, «…» where cut); the start of the text when none is found."""
    words = fold(query).split()
    folded = "".join(fold(ch) or " " for ch in text)  # one character for each, so indexes agree
    at = next((i for i in (folded.find(w) for w in words) if i >= 0), 0) if len(folded) == len(text) else 0
    if len(text) <= width:
        return text
    start = max(0, at - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
