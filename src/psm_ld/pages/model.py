"""The model the pages show, read from the store: labels, codes, kinds, the plan's tree and the
sources of every IRI (its qualified alignments: pages/alignments.py, read through this model).

Contract: `Model(store, base)` reads an IRI's labels, notations and types when a page first asks
(pages/termtables.py, a bounded memo: the release is read-only; a new release means a new Model);
every other method reads the store when asked. Nothing
here renders: methods give strings, IRIs and `Link`s, lists sorted so that a page is the same at
every render (codes in natural order: 1.2 before 1.10).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from psm_ld.pages.termtables import Table, Terms
from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCAT, DCT, OWL, PROV, RDF, RDFS, SCHEMA_ORG, SH, SKOS, SKOSXL, VANN, XSD

KNOWN_PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "skosxl": SKOSXL,
    "dct": DCT,
    "dcat": DCAT,
    "sh": SH,
    "prov": PROV,
    "vann": VANN,
    "schema": SCHEMA_ORG,
}

LEVELS = ("Asse", "Strategia", "Azione")
VOCABULARY_CLASSES = (
    "MissionePNRR",
    "ComponentePNRR",
    "ObiettivoStrategicoCoesione",
    "ObiettivoSpecificoCoesione",
    "ProgrammaUE",
    "StrumentoFinanziamento",
)
# kinds shown in search results and page headers for classes outside the ontology
OTHER_KINDS = {
    SKOS + "ConceptScheme": ("Schema di concetti", "Concept scheme"),
    SKOS + "Concept": ("Concetto", "Concept"),
    DCT + "BibliographicResource": ("Fonte", "Source"),
    OWL + "Ontology": ("Ontologia", "Ontology"),
    OWL + "Class": ("Classe", "Class"),
    OWL + "ObjectProperty": ("Proprietà", "Property"),
    OWL + "DatatypeProperty": ("Proprietà", "Property"),
    SH + "NodeShape": ("Forma SHACL", "SHACL shape"),
    SH + "PropertyShape": ("Forma SHACL di proprietà", "SHACL property shape"),
    SKOSXL + "Label": ("Denominazione", "Label"),
    DCT + "PeriodOfTime": ("Periodo", "Period of time"),
    DCAT + "Catalog": ("Catalogo DCAT", "DCAT catalog"),
    DCAT + "DatasetSeries": ("Serie di dataset", "Dataset series"),
    DCAT + "Dataset": ("Dataset", "Dataset"),
    DCAT + "Distribution": ("Distribuzione", "Distribution"),
}


@dataclass
class Link:
    """An IRI as a page links to it: its label, code and kind; `note` is shown beside it."""

    iri: str
    label: str
    code: str = ""
    kind: str = ""
    note: str = ""
    lang: str = ""  # the label's language when it differs from the page's (a fallback): marked so


class Model:
    """What the release says about its IRIs, read from `store`; `base` is the base of canonical IRIs.

    A model speaks one language (`lang`, "it" or "en"): labels, literals and kinds come in it where the
    data has them, else in Italian (the plan's language), untagged, English, any. `speaking(lang)`
    gives the same model in another language (a shallow copy: the terms read once are shared)."""

    def __init__(self, store: ReadStore, base: str, lang: str = "it") -> None:
        self.store = store
        self.base = base
        self.lang = lang
        self.psm = base + "ontologia#"
        self._read_terms()

    def speaking(self, lang: str) -> Model:
        """This model in `lang`: the same terms and store, labels chosen for that language."""
        other = copy.copy(self)
        other.lang = lang
        return other

    def preference(self, lang: str | None = None) -> tuple[str, ...]:
        """Languages to look for, best first: the wanted one, then Italian, untagged, English."""
        wanted = lang or self.lang
        return tuple(dict.fromkeys((wanted, "it", "", "en")))

    def _read_terms(self) -> None:
        """The tables of labels, notations and types of every IRI: each IRI's entry is read from the
        store when first asked (one lookup of its outgoing quads gives all three) and kept in a
        bounded memo shared by the three; nothing is read or held for IRIs no page mentions, so a
        release of a million triples costs a server nothing at start."""
        self._terms = Terms(self.store)
        self.labels: Mapping[str, dict[str, str]] = Table(self._terms, 0)  # iri → lang → label
        self.notations: Mapping[str, str] = Table(self._terms, 1)
        self.types: Mapping[str, set[str]] = Table(self._terms, 2)
        # the alignment properties: sub-properties of psm:allineamento in the ontology
        self.alignment_properties = sorted(
            q.subject.value
            for q in self.store.quads_for_pattern(
                None, ox.NamedNode(RDFS + "subPropertyOf"), ox.NamedNode(self.psm + "allineamento")
            )
            if isinstance(q.subject, ox.NamedNode)
        )

    def scanned(self) -> Model:
        """This model with every IRI's labels, notation and types read in one pass over the store,
        not per IRI (for what lists the whole release, such as the editor's completions; not kept)."""
        other = copy.copy(self)
        other.labels, other.notations, other.types = self._terms.scan()
        return other

    def instances(self, *classes: str) -> set[str]:
        """The IRIs typed with any of `classes` (full IRIs)."""
        return {
            q.subject.value
            for cls in classes
            for q in self.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(cls))
            if isinstance(q.subject, ox.NamedNode)
        }

    # ------------------------------------------------------------------ triples

    def known(self, iri: str) -> bool:
        """Whether the store has the IRI as a subject or an object."""
        node = ox.NamedNode(iri)
        return any(True for _ in self.store.quads_for_pattern(node, None, None)) or any(
            True for _ in self.store.quads_for_pattern(None, None, node)
        )

    def objects(self, iri: str, predicate: str) -> list[ox.Term]:
        out = {
            q.object for q in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None)
        }
        return sorted(out, key=term_key)

    def subjects(self, predicate: str, iri: str) -> list[str]:
        """The IRIs with `predicate` to `iri`, in code order."""
        out = {
            q.subject.value
            for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(iri))
            if isinstance(q.subject, ox.NamedNode)
        }
        return sorted(out, key=self.code_key)

    def literal(self, iri: str, predicate: str, lang: str | None = None) -> str:
        """One literal value: in `lang` (default: the model's), else Italian, untagged, English,
        any; "" when none."""
        return self.literal_lang(iri, predicate, lang)[0]

    def literal_lang(self, iri: str, predicate: str, lang: str | None = None) -> tuple[str, str]:
        """`literal` with the language of the value found ("" when untagged or none)."""
        values = [o for o in self.objects(iri, predicate) if isinstance(o, ox.Literal)]
        for wanted in self.preference(lang):
            for value in values:
                if (value.language or "") == wanted:
                    return value.value, wanted
        return (values[0].value, values[0].language or "") if values else ("", "")

    def literals(self, iri: str, predicate: str) -> list[tuple[str, str]]:
        """Literal values with their language: the model's language first, then Italian, untagged,
        English, others."""
        found = [
            (o.value, o.language or "") for o in self.objects(iri, predicate) if isinstance(o, ox.Literal)
        ]
        order = {lang: n for n, lang in enumerate(self.preference())}
        return sorted(found, key=lambda pair: (order.get(pair[1], len(order)), pair[1]))

    # ------------------------------------------------------------------ names

    def label(self, iri: str, lang: str | None = None) -> str:
        """What an IRI is called: its label (in `lang`, default the model's, else Italian, untagged,
        English, any), its code, or its compact form."""
        return self.label_lang(iri, lang)[0]

    def label_lang(self, iri: str, lang: str | None = None) -> tuple[str, str]:
        """`label` with the language of the label found ("" for untagged labels, codes, IRIs)."""
        labels = self.labels.get(iri)
        if labels:
            for wanted in self.preference(lang):
                if wanted in labels:
                    return labels[wanted], wanted
            found = next(iter(labels))
            return labels[found], found
        if iri in self.notations:
            return self.notations[iri], ""
        return self.compact(iri), ""

    def fallback(self, found: str) -> str:
        """The language to mark on a text found in `found`: "" when it is the model's language or
        untagged, else `found` (an Italian label on an English page)."""
        return found if found and found != self.lang else ""

    def compact(self, iri: str) -> str:
        """The IRI as a query writes it: psm:Term, <path> relative to the base, prefix:name, or whole."""
        if iri.startswith(self.psm):
            return "psm:" + iri[len(self.psm) :]
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return "<" + iri[len(self.base) :] + ">"  # relative to the base, as queries write it
        for prefix, namespace in KNOWN_PREFIXES.items():
            if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def kind(self, iri: str) -> str:
        """What an IRI is, in the model's language (the label of its most specific known class)."""
        types = self.types.get(iri, set())
        english = self.lang == "en"
        for t in sorted(types):
            if t.startswith(self.psm):
                return self.label(t)
        for t, (it, en) in OTHER_KINDS.items():
            if t in types:
                return en if english else it
        if iri.startswith(self.psm):
            return "Ontology term" if english else "Termine dell'ontologia"
        return "Resource" if english else "Risorsa"

    def link(self, iri: str, note: str = "") -> Link:
        label, found = self.label_lang(iri)
        return Link(iri, label, self.notations.get(iri, ""), self.kind(iri), note, self.fallback(found))

    def code_key(self, iri: str) -> tuple[list[object], str]:
        """Sort key: the IRI's code (or label) in natural order, then the IRI."""
        return (_natural(self.notations.get(iri, self.label(iri))), iri)

    # ------------------------------------------------------------------ the plan's tree

    def plans(self) -> list[str]:
        """The plan editions, newest code first."""
        return sorted(
            self.instances(self.psm + "PianoStrategico"), key=lambda s: self.notations.get(s, s), reverse=True
        )

    def schemes(self) -> list[str]:
        """The concept schemes that are not plans (the vocabularies), by label."""
        schemes = self.instances(SKOS + "ConceptScheme") - self.instances(self.psm + "PianoStrategico")
        return sorted(schemes, key=self.label)

    def of_class(self, cls: str) -> list[str]:
        """The instances of the ontology class `cls` (local name), in code order."""
        return sorted(self.instances(self.psm + cls), key=self.code_key)

    def members(self, parent: str, level: str) -> list[str]:
        """Children of the plan (axes) or of a member, in code order."""
        if level == "Asse":
            found = self.subjects(SKOS + "topConceptOf", parent)
        else:
            found = self.subjects(SKOS + "broader", parent)
        return [m for m in found if self.psm + level in self.types.get(m, set())]

    def parent(self, iri: str) -> str | None:
        for o in self.objects(iri, SKOS + "broader"):
            if isinstance(o, ox.NamedNode):
                return o.value
        for o in self.objects(iri, SKOS + "topConceptOf"):
            if isinstance(o, ox.NamedNode):
                return o.value
        return None

    def lineage(self, iri: str) -> list[str]:
        """The chain from the plan down to the IRI's parent."""
        chain: list[str] = []
        current = self.parent(iri)
        while current and current not in chain and len(chain) < 10:
            chain.insert(0, current)
            current = self.parent(current)
        return chain

    def level(self, iri: str) -> str | None:
        """The level of a plan IRI: PianoStrategico, Asse, Strategia or Azione; None for any other."""
        types = self.types.get(iri, set())
        for level in ("PianoStrategico", *LEVELS):
            if self.psm + level in types:
                return level
        return None

    def descendants(self, owner: str, cls: str) -> list[str]:
        """Everything below `owner` in the tree that is of the class `cls` (local name)."""
        found: list[str] = []
        frontier = [owner]
        seen = {owner}
        while frontier:
            nxt = []
            for node in frontier:
                children = self.subjects(SKOS + "topConceptOf", node) + self.subjects(SKOS + "broader", node)
                for child in children:
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
                        if self.psm + cls in self.types.get(child, set()):
                            found.append(child)
            frontier = nxt
        return found

    def where(self, iri: str) -> str:
        """Where a search hit sits: its plan edition and parent, or its vocabulary."""
        if self.level(iri) in LEVELS:
            lineage = self.lineage(iri)
            parts = [f"PSM {self.notations.get(lineage[0], '')}"] if lineage else []  # same in both
            if len(lineage) > 1:
                parent = lineage[-1]
                parts.append(f"{self.kind(parent)} {self.notations.get(parent, '')}")
            return " › ".join(parts)
        schemes = [o.value for o in self.objects(iri, SKOS + "inScheme") if isinstance(o, ox.NamedNode)]
        return self.label(schemes[0]) if schemes else ""

    # ------------------------------------------------------------------ sources

    def sources(self, iri: str) -> list[Link]:
        """The sources of `iri` (dct:source), each with publisher and date as note."""
        out = []
        for o in self.objects(iri, DCT + "source"):
            if isinstance(o, ox.NamedNode):
                link = self.link(o.value)
                publisher = self.literal(o.value, DCT + "publisher")
                date = self.literal(o.value, DCT + "date")
                link.note = ", ".join(x for x in (publisher, date) if x)
                out.append(link)
        return out


def term_key(term: ox.Term) -> tuple[int, str, str]:
    """Sort key of RDF terms: IRIs and blank nodes by value, then literals by language and value."""
    if isinstance(term, ox.Literal):
        return (1, term.language or "", term.value)
    return (0, "", getattr(term, "value", str(term)))


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]
