"""HTML pages (Jinja2, autoescaped, Italian first, English where the data has it).

The server (app.py) calls only the methods of `Pages`. `origin` is the serving origin
(e.g. http://127.0.0.1:8123/) that links in HTML point to: canonical IRIs (settings.base_uri) are
mapped onto it; IRIs outside the base stay as they are.

Static files live in `STATIC_DIR` and are expected under the URL path `STATIC_PATH` (/static/).
Everything a page shows comes from the store; the release is read-only, so labels, types and the
search index are read once when `Pages` is made (a new release means a new `Pages`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from psm_ld.config import Settings
from psm_ld.pages.search import SearchIndex
from psm_ld.queries import NamedQuery, QueryError
from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCAT, DCT, OWL, PROV, RDF, RDFS, SCHEMA_ORG, SH, SKOS, SKOSXL, VANN, XSD

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_PATH = "static/"  # URL path under the origin where the server mounts STATIC_DIR (/static/)
HOME_EDITION = "2021-2023"  # the edition the home page shows at a glance (others are linked from it)
SEARCH_PATH = "cerca"  # the search page (GET ?q=) the server routes to Pages.search

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

# the alternate formats of every resource document (design.md, "URIs")
FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"), ("nt", "N-Triples"))
RESULT_FORMATS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
# full dumps (design.md, "HTTP interface": /download/{file}); shown on the home page
DUMP_LINKS = (
    ("psm.ttl", "Turtle"),
    ("psm.nt", "N-Triples"),
    ("psm.nq", "N-Quads"),
    ("psm.jsonld", "JSON-LD"),
    ("psm.rdf", "RDF/XML"),
)

# what each counted class is called in a sentence: «28 strategie dichiarate …»
PLURALS = {"PianoStrategico": "piani", "Asse": "assi", "Strategia": "strategie", "Azione": "azioni"}
PLURALS_EN = {"PianoStrategico": "plans", "Asse": "axes", "Strategia": "strategies", "Azione": "actions"}
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
}
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", SKOSXL + "literalForm")


@dataclass
class Table:
    """A SPARQL SELECT result ready for display."""

    columns: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]
    truncated: bool = False  # the server cut the result at its size limit


@dataclass
class Link:
    iri: str
    label: str
    code: str = ""
    kind: str = ""
    note: str = ""


@dataclass
class Alignment:
    property: Link
    target: Link
    how: str  # "dichiarato" | "asse" | "piano" | "componente"
    via: Link | None = None


@dataclass
class Declared:
    value: int
    source: Link
    note: str = ""
    axis_sum: int | None = None  # for a plan: what the same source's counts for every axis add up to


@dataclass
class CountLine:
    cls: str  # local name of the counted class
    plural: str
    plural_en: str
    present: int
    declared: list[Declared] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Declared]:
        return [d for d in self.declared if d.value != self.present]

    @property
    def agreeing(self) -> bool:
        return not self.conflicts


class Pages:
    def __init__(self, store: ReadStore, settings: Settings, queries: dict[str, NamedQuery]) -> None:
        self.store, self.settings, self.queries = store, settings, queries
        self.base = settings.base_uri
        self.psm = self.base + "ontologia#"
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(["html", "xml"], default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates ship with the package: no stat() per render
        )
        self.env.filters["jsonld"] = json_script
        self.env.filters["urlencode_params"] = lambda d: urlencode(d)
        self._read_terms()
        self.index = SearchIndex.from_store(store)

    # ------------------------------------------------------------------ public API (server contract)

    def home(self, origin: str) -> str:
        v = View(self, origin)
        plans = self._plans()
        plan = next((p for p in plans if self.notations.get(p) == HOME_EDITION), plans[0] if plans else None)
        context: dict[str, object] = {"v": v, "plan": None}
        if plan is not None:
            context.update(self._plan_context(plan))
        context["editions"] = [self._link(p) for p in plans if p != plan]
        context["schemes"] = [self._link(s) for s in self._schemes()]
        context["downloads"] = DUMP_LINKS
        context["queries"] = self.queries
        return self._render("home.html", **context)

    def resource(self, iri: str, origin: str) -> str | None:
        """The page of any IRI in the release (plan, axis, strategy, action, concept, term, shape);
        None when the store knows nothing about it."""
        node = ox.NamedNode(iri)
        if not self._known(node):
            return None
        v = View(self, origin)
        types = self.types.get(iri, set())
        if iri == self.base + "ontologia":
            return self._ontology_page(v, iri)
        if iri == self.base + "shapes":
            return self._shapes_page(v, iri)
        if self.psm + "PianoStrategico" in types:
            return self._render("plan.html", v=v, **self._plan_context(iri), **self._doc(v, iri))
        for level in LEVELS:
            if self.psm + level in types:
                return self._member_page(v, iri, level)
        for cls in VOCABULARY_CLASSES:
            if self.psm + cls in types:
                return self._concept_page(v, iri, cls)
        if SKOS + "ConceptScheme" in types:
            return self._scheme_page(v, iri)
        if DCT + "BibliographicResource" in types:
            return self._source_page(v, iri)
        return self._generic_page(v, iri)

    def search(self, q: str, origin: str) -> str:
        v = View(self, origin)
        hits = self.index.search(q) if q.strip() else []
        results = [
            {
                "link": self._link(h.iri),
                "text": h.text,
                "lang": h.lang,
                "field": h.field,
                "context": self._context(h.iri),
            }
            for h in hits
        ]
        return self._render("search.html", v=v, q=q, results=results, title="Ricerca")

    def sparql_form(self, query: str | None, result: Table | None, error: str | None, origin: str) -> str:
        v = View(self, origin)
        examples = []
        for q in self.queries.values():
            try:
                text = q.render()
            except QueryError:
                text = q.text
            examples.append({"name": q.name, "title": q.title, "title_en": q.title_en, "text": text})
        default = examples[0]["text"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        formats = []
        if query and result is not None:
            formats = [
                (label, f"sparql?{urlencode({'query': query, 'format': fmt})}")
                for fmt, label in RESULT_FORMATS
            ]
        return self._render(
            "sparql.html",
            v=v,
            title="SPARQL",
            query=query if query is not None else default,
            ran=query is not None,
            result=result,
            error=error,
            examples=examples,
            formats=formats,
        )

    def queries_index(self, origin: str) -> str:
        v = View(self, origin)
        return self._render("queries.html", v=v, title="Query", queries=list(self.queries.values()))

    def query_page(
        self,
        name: str,
        params: dict[str, str],
        result: Table | None,
        origin: str,
        *,
        error: str | None = None,
    ) -> str:
        v = View(self, origin)
        query = self.queries[name]
        values = {p.name: params.get(p.name, p.default or "") for p in query.params}
        try:
            text = query.render(params)
        except QueryError as exc:
            text = query.text
            error = error or str(exc)
        given = {k: val for k, val in params.items() if k in values}
        formats = [
            (label, f"queries/{quote(name)}?{urlencode({**given, 'format': fmt})}")
            for fmt, label in RESULT_FORMATS
        ]
        return self._render(
            "query.html",
            v=v,
            title=query.title,
            query=query,
            values=values,
            text=text,
            result=result,
            error=error,
            formats=formats,
            editor=f"sparql?{urlencode({'query': text})}",
        )

    def not_found(self, path: str, origin: str) -> str:
        v = View(self, origin)
        guess = " ".join(w for w in re.split(r"[/._#?=&-]+", path) if w and not w.isdigit())[-60:]
        return self._render("not_found.html", v=v, title="Pagina non trovata", path=path, guess=guess)

    # ------------------------------------------------------------------ reading the store

    def _read_terms(self) -> None:
        """Labels, notations and types of every IRI, read once."""
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)  # iri → lang → label
        for predicate in reversed(LABEL_PROPERTIES):  # first in LABEL_PROPERTIES wins
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                    self.labels[quad.subject.value][quad.object.language or ""] = quad.object.value
        self.notations: dict[str, str] = {}
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(SKOS + "notation"), None):
            if isinstance(quad.subject, ox.NamedNode):
                self.notations[quad.subject.value] = quad.object.value
        self.types: dict[str, set[str]] = defaultdict(set)
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                self.types[quad.subject.value].add(quad.object.value)
        # the alignment properties: sub-properties of psm:allineamento in the ontology
        self.alignment_properties = sorted(
            q.subject.value
            for q in self.store.quads_for_pattern(
                None, ox.NamedNode(RDFS + "subPropertyOf"), ox.NamedNode(self.psm + "allineamento")
            )
            if isinstance(q.subject, ox.NamedNode)
        )

    def _known(self, node: ox.NamedNode) -> bool:
        return any(True for _ in self.store.quads_for_pattern(node, None, None)) or any(
            True for _ in self.store.quads_for_pattern(None, None, node)
        )

    def _q(self, text: str) -> list[ox.QuerySolution]:
        return list(self.store.query(text, base_iri=self.base, use_default_graph_as_union=True))  # type: ignore[arg-type]

    def _objects(self, iri: str, predicate: str) -> list[ox.Term]:
        out = {
            q.object for q in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None)
        }
        return sorted(out, key=_term_key)

    def _subjects(self, predicate: str, iri: str) -> list[str]:
        out = {
            q.subject.value
            for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(iri))
            if isinstance(q.subject, ox.NamedNode)
        }
        return sorted(out, key=_code_key(self))

    def _literal(self, iri: str, predicate: str, lang: str = "it") -> str:
        values = [o for o in self._objects(iri, predicate) if isinstance(o, ox.Literal)]
        for wanted in (lang, "it", "", "en"):
            for value in values:
                if (value.language or "") == wanted:
                    return value.value
        return values[0].value if values else ""

    def _literals(self, iri: str, predicate: str) -> list[tuple[str, str]]:
        """Literal values with their language, Italian first, then untagged, English, others."""
        found = [
            (o.value, o.language or "") for o in self._objects(iri, predicate) if isinstance(o, ox.Literal)
        ]
        order = {"it": 0, "": 1, "en": 2}
        return sorted(found, key=lambda pair: (order.get(pair[1], 3), pair[1]))

    def label(self, iri: str, lang: str = "it") -> str:
        labels = self.labels.get(iri)
        if labels:
            for wanted in (lang, "it", "", "en"):
                if wanted in labels:
                    return labels[wanted]
            return next(iter(labels.values()))
        if iri in self.notations:
            return self.notations[iri]
        return self.compact(iri)

    def compact(self, iri: str) -> str:
        if iri.startswith(self.psm):
            return "psm:" + iri[len(self.psm) :]
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return "<" + iri[len(self.base) :] + ">"  # relative to the base, as queries write it
        for prefix, namespace in KNOWN_PREFIXES.items():
            if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def kind(self, iri: str) -> str:
        """What an IRI is, in Italian (the label of its most specific known class)."""
        types = self.types.get(iri, set())
        for t in sorted(types):
            if t.startswith(self.psm):
                return self.label(t)
        for t, (it, _en) in OTHER_KINDS.items():
            if t in types:
                return it
        if iri.startswith(self.psm):
            return "Termine dell'ontologia"
        return "Risorsa"

    def _link(self, iri: str, note: str = "") -> Link:
        return Link(iri, self.label(iri), self.notations.get(iri, ""), self.kind(iri), note)

    def _context(self, iri: str) -> str:
        """Where a search hit sits: its plan edition and parent, or its vocabulary."""
        if self._level(iri) in LEVELS:
            lineage = self._lineage(iri)
            parts = [f"PSM {self.notations.get(lineage[0], '')}"] if lineage else []
            if len(lineage) > 1:
                parent = lineage[-1]
                parts.append(f"{self.kind(parent)} {self.notations.get(parent, '')}")
            return " › ".join(parts)
        schemes = [o.value for o in self._objects(iri, SKOS + "inScheme") if isinstance(o, ox.NamedNode)]
        return self.label(schemes[0]) if schemes else ""

    def _plans(self) -> list[str]:
        return sorted(
            (s for s, t in self.types.items() if self.psm + "PianoStrategico" in t),
            key=lambda s: self.notations.get(s, s),
            reverse=True,
        )

    def _schemes(self) -> list[str]:
        return sorted(
            (
                s
                for s, t in self.types.items()
                if SKOS + "ConceptScheme" in t and self.psm + "PianoStrategico" not in t
            ),
            key=self.label,
        )

    def _members(self, parent: str, level: str) -> list[str]:
        """Children of the plan (axes) or of a member, in code order."""
        if level == "Asse":
            found = self._subjects(SKOS + "topConceptOf", parent)
        else:
            found = self._subjects(SKOS + "broader", parent)
        return [m for m in found if self.psm + level in self.types.get(m, set())]

    def _parent(self, iri: str) -> str | None:
        for o in self._objects(iri, SKOS + "broader"):
            if isinstance(o, ox.NamedNode):
                return o.value
        for o in self._objects(iri, SKOS + "topConceptOf"):
            if isinstance(o, ox.NamedNode):
                return o.value
        return None

    def _lineage(self, iri: str) -> list[str]:
        """The chain from the plan down to the IRI's parent."""
        chain: list[str] = []
        current = self._parent(iri)
        while current and current not in chain and len(chain) < 10:
            chain.insert(0, current)
            current = self._parent(current)
        return chain

    def _level(self, iri: str) -> str | None:
        types = self.types.get(iri, set())
        for level in ("PianoStrategico", *LEVELS):
            if self.psm + level in types:
                return level
        return None

    def _sources(self, iri: str) -> list[Link]:
        out = []
        for o in self._objects(iri, DCT + "source"):
            if isinstance(o, ox.NamedNode):
                link = self._link(o.value)
                publisher = self._literal(o.value, DCT + "publisher")
                date = self._literal(o.value, DCT + "date")
                link.note = ", ".join(x for x in (publisher, date) if x)
                out.append(link)
        return out

    def _counts(self, owner: str) -> list[CountLine]:
        """Declared counts (one per source) against what the data holds, for the plan or an axis."""
        lines: dict[str, CountLine] = {}
        owner_level = self._level(owner)
        order = LEVELS[LEVELS.index(owner_level) + 1 :] if owner_level in LEVELS else LEVELS
        for cls in order:
            lines[cls] = CountLine(cls, PLURALS[cls], PLURALS_EN[cls], len(self._descendants(owner, cls)))
        sums = self._axis_sums(owner) if owner_level == "PianoStrategico" else {}
        for count, cls, value, _ in self._declared(owner):
            line = lines.setdefault(
                cls,
                CountLine(
                    cls, PLURALS.get(cls, cls), PLURALS_EN.get(cls, cls), len(self._descendants(owner, cls))
                ),
            )
            note = self._literal(count, SKOS + "editorialNote")
            for source in self._sources(count) or [Link("", "fonte non indicata")]:
                line.declared.append(Declared(value, source, note, sums.get((cls, source.iri))))
        for line in lines.values():
            line.declared.sort(key=lambda d: (d.value != line.present, d.source.label))
        return list(lines.values())

    def _declared(self, owner: str) -> list[tuple[str, str, int, list[str]]]:
        """The counts declared for `owner`: (count IRI, counted class's local name, value, source
        IRIs); a count without a class or an integer value is left out."""
        out = []
        for count in self._objects(owner, self.psm + "conteggioDichiarato"):
            if not isinstance(count, ox.NamedNode):
                continue
            classes = self._objects(count.value, self.psm + "classeConteggiata")
            values = self._objects(count.value, self.psm + "valoreDichiarato")
            if not classes or not values or not values[0].value.isdigit():
                continue
            sources = [o.value for o in self._objects(count.value, DCT + "source")]
            out.append((count.value, classes[0].value.removeprefix(self.psm), int(values[0].value), sources))
        return out

    def _axis_sums(self, plan: str) -> dict[tuple[str, str], int]:
        """(class, source) -> the sum of that source's counts of that class over the plan's axes,
        where the source counts every axis (a partial sum would say nothing)."""
        axes = self._members(plan, "Asse")
        parts: dict[tuple[str, str], list[int]] = {}
        for axis in axes:
            for _, cls, value, sources in self._declared(axis):
                for source in sources:
                    parts.setdefault((cls, source), []).append(value)
        return {key: sum(values) for key, values in parts.items() if len(values) == len(axes)}

    def _descendants(self, owner: str, cls: str) -> list[str]:
        found: list[str] = []
        frontier = [owner]
        seen = {owner}
        while frontier:
            nxt = []
            for node in frontier:
                children = self._subjects(SKOS + "topConceptOf", node) + self._subjects(
                    SKOS + "broader", node
                )
                for child in children:
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
                        if self.psm + cls in self.types.get(child, set()):
                            found.append(child)
            frontier = nxt
        return found

    def _alignments(self, iri: str, how: str = "dichiarato", via: str | None = None) -> list[Alignment]:
        out = []
        for prop in self.alignment_properties:
            for o in self._objects(iri, prop):
                if isinstance(o, ox.NamedNode):
                    out.append(
                        Alignment(
                            self._link(prop), self._link(o.value), how, self._link(via) if via else None
                        )
                    )
        return out

    # ------------------------------------------------------------------ page contexts

    def _doc(self, v: View, iri: str) -> dict[str, object]:
        """What every resource page has: title, alternate formats, the IRI."""
        doc = v.document(iri)
        return {
            "iri": iri,
            "alternates": [(label, f"{doc}.{ext}", ext) for ext, label in FORMATS],
            "kind": self.kind(iri),
        }

    def _plan_context(self, plan: str) -> dict[str, object]:
        axes = self._members(plan, "Asse")
        rows = []
        for axis in axes:
            rows.append(
                {
                    "link": self._link(axis),
                    "alt": self._literals(axis, SKOS + "altLabel"),
                    "counts": {c.cls: c for c in self._counts(axis)},
                    "strategies": [self._link(s) for s in self._members(axis, "Strategia")],
                }
            )
        period = self._objects(plan, DCT + "temporal")
        start = end = ""
        if period and isinstance(period[0], ox.NamedNode):
            start = self._literal(period[0].value, DCAT + "startDate")
            end = self._literal(period[0].value, DCAT + "endDate")
        return {
            "plan": plan,
            "plan_link": self._link(plan),
            "title": self.label(plan),
            "motto": self._literal(plan, self.psm + "motto"),
            "description": self._literal(plan, DCT + "description"),
            "legal_basis": self._literal(plan, self.psm + "baseGiuridica"),
            "issued": self._literal(plan, DCT + "issued"),
            "accepted": self._literal(plan, DCT + "dateAccepted"),
            "start": start,
            "end": end,
            "axes": rows,
            "counts": self._counts(plan),
            "matrix": self._matrix(plan, axes),
            "plan_alignments": self._alignments(plan),
            "sources": self._sources(plan),
            "jsonld": self._jsonld_plan(plan),
        }

    def _matrix(self, plan: str, axes: list[str]) -> dict[str, object]:
        """Axes × PNRR missions × cohesion policy objectives, as the plan's two tables state them."""
        missions = self._of_class("MissionePNRR")
        objectives = self._of_class("ObiettivoStrategicoCoesione")
        plan_objectives = {o.value for o in self._objects(plan, self.psm + "obiettivoStrategicoCoesione")}
        plan_missions = {o.value for o in self._objects(plan, self.psm + "missionePNRR")}
        rows = []
        for axis in axes:
            stated_m = {o.value for o in self._objects(axis, self.psm + "missionePNRR")}
            stated_o = {o.value for o in self._objects(axis, self.psm + "obiettivoStrategicoCoesione")}
            cells = [_cell(m, stated_m, plan_missions) for m in missions]
            cells += [_cell(o, stated_o, plan_objectives) for o in objectives]
            rows.append({"link": self._link(axis), "cells": cells, "plan": False})
        plan_cells = [_cell(m, plan_missions, set()) for m in missions]
        plan_cells += [_cell(o, plan_objectives, set()) for o in objectives]
        if plan_missions or plan_objectives:
            rows.append({"link": self._link(plan), "cells": plan_cells, "plan": True})
        return {
            "missions": [self._short(m) for m in missions],
            "objectives": [self._short(o) for o in objectives],
            "rows": rows,
            "cross": [self._short(o) for o in objectives if o in plan_objectives]
            + [self._short(m) for m in missions if m in plan_missions],
        }

    def _short(self, iri: str) -> Link:
        """A concept with its short name (altLabel where the vocabulary gives one) as note."""
        link = self._link(iri)
        alt = [t for t, lang in self._literals(iri, SKOS + "altLabel") if lang in ("it", "")]
        link.note = alt[0] if alt else link.label
        return link

    def _of_class(self, cls: str) -> list[str]:
        members = [s for s, t in self.types.items() if self.psm + cls in t]
        return sorted(members, key=_code_key(self))

    def _member_page(self, v: View, iri: str, level: str) -> str:
        lineage = self._lineage(iri)
        plan = next((p for p in lineage if self._level(p) == "PianoStrategico"), None)
        stated = self._alignments(iri)
        derived: list[Alignment] = []
        stated_targets = {a.target.iri for a in stated}
        for ancestor in reversed(lineage):
            how = "piano" if ancestor == plan else "asse" if self._level(ancestor) == "Asse" else "strategia"
            for a in self._alignments(ancestor, how, ancestor):
                if a.target.iri not in stated_targets:
                    derived.append(a)
                    stated_targets.add(a.target.iri)
        children_level = {"Asse": "Strategia", "Strategia": "Azione"}.get(level)
        children = []
        if children_level:
            for child in self._members(iri, children_level):
                link = self._link(child)
                grandchildren = len(self._members(child, "Azione")) if children_level == "Strategia" else None
                children.append({"link": link, "n": grandchildren, "titled": child in self.labels})
        alt_names = []
        for label in self._objects(iri, SKOSXL + "altLabel"):
            if isinstance(label, ox.NamedNode):
                alt_names.append(
                    {
                        "text": self._literal(label.value, SKOSXL + "literalForm"),
                        "note": self._literal(label.value, SKOS + "editorialNote"),
                        "sources": self._sources(label.value),
                    }
                )
        if not alt_names:
            alt_names = [
                {"text": t, "note": "", "sources": []} for t, _ in self._literals(iri, SKOS + "altLabel")
            ]
        title = self.labels.get(iri, {}).get("it") or next(iter(self.labels.get(iri, {}).values()), "")
        context = {
            "v": v,
            "level": level,
            "level_label": self.label(self.psm + level),
            "level_label_en": self.label(self.psm + level, "en"),
            "code": self.notations.get(iri, ""),
            "title": title,
            "title_en": self.labels.get(iri, {}).get("en", ""),
            "description": self._literal(iri, DCT + "description"),
            "lineage": [self._link(p) for p in lineage],
            "stated": stated,
            "derived": derived,
            "children": children,
            "children_level": children_level,
            "children_label": PLURALS.get(children_level or "", ""),
            "counts": self._counts(iri) if level == "Asse" else [],
            "present_children": len(children),
            "sources": self._sources(iri),
            "alt_names": alt_names,
            "jsonld": self._jsonld_member(v, iri, level, lineage, title),
            **self._doc(v, iri),
        }
        return self._render("member.html", **context)

    def _concept_page(self, v: View, iri: str, cls: str) -> str:
        """A vocabulary concept (PNRR mission/component, cohesion objective, EU programme, instrument)
        with everything in the plan that aligns to it: stated by a source, or derived from an axis."""
        stated: list[dict[str, object]] = []
        narrower = self._subjects(SKOS + "broader", iri)
        for target in [iri, *narrower]:
            for prop in self.alignment_properties:
                for subject in self._subjects(prop, target):
                    stated.append(
                        {
                            "link": self._link(subject),
                            "property": self._link(prop),
                            "via": self._link(target) if target != iri else None,
                        }
                    )
        derived: list[Link] = []
        seen = {s["link"].iri for s in stated}  # type: ignore[attr-defined]
        for entry in list(stated):
            subject = entry["link"].iri  # type: ignore[attr-defined]
            level = self._level(subject)
            if level in ("PianoStrategico", "Asse", "Strategia"):
                for lower in ("Strategia", "Azione"):
                    for d in self._descendants(subject, lower):
                        if d not in seen:
                            seen.add(d)
                            derived.append(self._link(d, note=self.label(subject)))
        schemes = [
            self._link(o.value) for o in self._objects(iri, SKOS + "inScheme") if isinstance(o, ox.NamedNode)
        ]
        broader = [
            self._link(o.value) for o in self._objects(iri, SKOS + "broader") if isinstance(o, ox.NamedNode)
        ]
        matches = [
            o.value
            for p in ("exactMatch", "closeMatch", "related")
            for o in self._objects(iri, SKOS + p)
            if isinstance(o, ox.NamedNode)
        ]
        context = {
            "v": v,
            "cls": cls,
            "code": self.notations.get(iri, ""),
            "title": self.label(iri),
            "title_en": self.labels.get(iri, {}).get("en", ""),
            "alt": self._literals(iri, SKOS + "altLabel"),
            "definition": self._literal(iri, SKOS + "definition") or self._literal(iri, DCT + "description"),
            "scope": self._literal(iri, SKOS + "scopeNote"),
            "schemes": schemes,
            "broader": broader,
            "narrower": [self._link(n) for n in narrower],
            "matches": [self._link(m) for m in matches],
            "stated": stated,
            "derived": derived,
            "sources": self._sources(iri),
            **self._doc(v, iri),
        }
        return self._render("concept.html", **context)

    def _scheme_page(self, v: View, iri: str) -> str:
        tops = self._subjects(SKOS + "topConceptOf", iri)
        members = self._subjects(SKOS + "inScheme", iri)
        tree = []
        for top in tops or members:
            tree.append(
                {
                    "link": self._link(top),
                    "children": [self._link(c) for c in self._subjects(SKOS + "broader", top)],
                }
            )
        context = {
            "v": v,
            "title": self.label(iri),
            "title_en": self.labels.get(iri, {}).get("en", ""),
            "scope": self._literal(iri, SKOS + "scopeNote"),
            "tree": tree,
            "n": len(members),
            "sources": self._sources(iri),
            **self._doc(v, iri),
        }
        return self._render("scheme.html", **context)

    def _source_page(self, v: View, iri: str) -> str:
        citing = self._subjects(DCT + "source", iri)
        context = {
            "v": v,
            "title": self.label(iri),
            "identifier": self._literal(iri, DCT + "identifier"),
            "publisher": self._literal(iri, DCT + "publisher"),
            "date": self._literal(iri, DCT + "date"),
            "note": self._literal(iri, SKOS + "editorialNote"),
            "citing": [self._link(c) for c in citing],
            **self._doc(v, iri),
        }
        return self._render("source.html", **context)

    def _ontology_page(self, v: View, iri: str) -> str:
        def terms(kinds: Iterable[str]) -> list[dict[str, object]]:
            found = sorted(
                {s for s, t in self.types.items() if s.startswith(self.psm) and t & set(kinds)},
                key=lambda s: s.casefold(),
            )
            out = []
            for term in found:
                out.append(
                    {
                        "iri": term,
                        "anchor": term[len(self.psm) :],
                        "curie": self.compact(term),
                        "label_it": self.labels.get(term, {}).get("it", ""),
                        "label_en": self.labels.get(term, {}).get("en", ""),
                        "definition": self._literals(term, SKOS + "definition")
                        + self._literals(term, RDFS + "comment"),
                        "kind": ", ".join(sorted(self.compact(t) for t in self.types.get(term, set()))),
                        "relations": [
                            (
                                label,
                                [
                                    self._link(o.value)
                                    for o in self._objects(term, p)
                                    if isinstance(o, ox.NamedNode)
                                ],
                            )
                            for p, label in (
                                (RDFS + "subClassOf", "sottoclasse di / subclass of"),
                                (RDFS + "subPropertyOf", "sottoproprietà di / subproperty of"),
                                (RDFS + "domain", "dominio / domain"),
                                (RDFS + "range", "codominio / range"),
                            )
                        ],
                        "shapes": [self._link(s) for s in self._subjects(SH + "targetClass", term)],
                        "instances": len([s for s, t in self.types.items() if term in t]),
                    }
                )
            return out

        context = {
            "v": v,
            "title": self._literal(iri, DCT + "title") or "Ontologia",
            "title_en": self._literal(iri, DCT + "title", "en"),
            "descriptions": self._literals(iri, DCT + "description"),
            "version": self._literal(iri, OWL + "versionInfo"),
            "license": [o.value for o in self._objects(iri, DCT + "license") if isinstance(o, ox.NamedNode)],
            "prefix": self._literal(iri, VANN + "preferredNamespacePrefix") or "psm",
            "namespace": self.psm,
            "classes": terms([OWL + "Class"]),
            "properties": terms([OWL + "ObjectProperty", OWL + "DatatypeProperty"]),
            **self._doc(v, iri),
        }
        return self._render("ontology.html", **context)

    def _shapes_page(self, v: View, iri: str) -> str:
        prefix = iri + "#"
        shapes = sorted(
            (
                s
                for s, t in self.types.items()
                if s.startswith(prefix) and t & {SH + "NodeShape", SH + "PropertyShape"}
            ),
            key=lambda s: (SH + "NodeShape" not in self.types[s], s.casefold()),
        )
        sections = [
            {
                "iri": s,
                "anchor": s[len(prefix) :],
                "kind": self.kind(s),
                "rows": self._description(v, s, skip={RDF + "type"}),
            }
            for s in shapes
        ]
        context = {
            "v": v,
            "title": self.label(iri),
            "title_en": self.labels.get(iri, {}).get("en", ""),
            "rows": self._description(v, iri),
            "sections": sections,
            **self._doc(v, iri),
        }
        return self._render("shapes.html", **context)

    def _generic_page(self, v: View, iri: str) -> str:
        incoming: dict[str, set[str]] = defaultdict(set)
        for quad in self.store.quads_for_pattern(None, None, ox.NamedNode(iri)):
            if isinstance(quad.subject, ox.NamedNode):
                incoming[quad.predicate.value].add(quad.subject.value)
        context = {
            "v": v,
            "title": self.label(iri),
            "rows": self._description(v, iri),
            "incoming": [
                (self._link(p), [self._link(s) for s in sorted(subjects)[:200]], len(subjects))
                for p, subjects in sorted(incoming.items())
            ],
            **self._doc(v, iri),
        }
        return self._render("generic.html", **context)

    def _description(
        self,
        v: View,
        subject: ox.NamedNode | ox.BlankNode | str,
        skip: set[str] | None = None,
        depth: int = 0,
    ) -> list[tuple[Markup, list[Markup]]]:
        """Outgoing triples grouped by predicate, blank nodes described in place (RDF lists as lists)."""
        node = ox.NamedNode(subject) if isinstance(subject, str) else subject
        grouped: dict[str, list[ox.Term]] = defaultdict(list)
        for quad in self.store.quads_for_pattern(node, None, None):
            if skip and quad.predicate.value in skip:
                continue
            if quad.object not in grouped[quad.predicate.value]:
                grouped[quad.predicate.value].append(quad.object)
        rows = []
        order = [RDF + "type", SKOS + "notation", SKOS + "prefLabel", RDFS + "label", DCT + "title"]
        for predicate in sorted(
            grouped, key=lambda p: (order.index(p) if p in order else len(order), self.compact(p))
        ):
            values = [self._value(v, o, depth) for o in sorted(grouped[predicate], key=_term_key)]
            rows.append((v.term(ox.NamedNode(predicate)), values))
        return rows

    def _value(self, v: View, term: ox.Term, depth: int) -> Markup:
        if isinstance(term, ox.BlankNode) and depth < 4:
            items = self._rdf_list(term)
            if items is not None:
                inner = "".join(f"<li>{self._value(v, i, depth + 1)}</li>" for i in items)
                return Markup(f'<ol class="rdf-list">{inner}</ol>')
            rows = self._description(v, term, depth=depth + 1)
            inner = "".join(
                f"<div><dt>{p}</dt>{''.join(f'<dd>{x}</dd>' for x in values)}</div>" for p, values in rows
            )
            return Markup(f'<dl class="bnode">{inner}</dl>')
        return v.term(term)

    def _rdf_list(self, node: ox.BlankNode) -> list[ox.Term] | None:
        items: list[ox.Term] = []
        current: ox.Term = node
        while isinstance(current, ox.BlankNode) and len(items) < 100:
            first = list(self.store.quads_for_pattern(current, ox.NamedNode(RDF + "first"), None))
            rest = list(self.store.quads_for_pattern(current, ox.NamedNode(RDF + "rest"), None))
            if not first or not rest:
                return None
            items.append(first[0].object)
            current = rest[0].object
        return items if isinstance(current, ox.NamedNode) and current.value == RDF + "nil" else None

    # ------------------------------------------------------------------ schema.org

    def _jsonld_plan(self, plan: str) -> dict[str, object]:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "@id": plan,
            "url": plan,
            "name": self.label(plan),
            "inLanguage": "it",
            "genre": "Piano strategico metropolitano",
        }
        motto = self._literal(plan, self.psm + "motto")
        if motto:
            data["alternateName"] = motto
        description = self._literal(plan, DCT + "description")
        if description:
            data["description"] = description
        issued = self._literal(plan, DCT + "issued")
        if issued:
            data["datePublished"] = issued
        period = self._objects(plan, DCT + "temporal")
        if period and isinstance(period[0], ox.NamedNode):
            start = self._literal(period[0].value, DCAT + "startDate")
            end = self._literal(period[0].value, DCAT + "endDate")
            if start and end:
                data["temporalCoverage"] = f"{start}/{end}"
        data["hasPart"] = [
            {
                "@type": ["CreativeWork", "DefinedTerm"],
                "@id": a,
                "name": self.label(a),
                "termCode": self.notations.get(a, ""),
            }
            for a in self._members(plan, "Asse")
        ]
        sources = [s.iri for s in self._sources(plan) if s.iri]
        if sources:
            data["citation"] = sources
        return data

    def _jsonld_member(
        self, v: View, iri: str, level: str, lineage: list[str], title: str
    ) -> dict[str, object]:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": ["CreativeWork", "DefinedTerm"],
            "@id": iri,
            "url": iri,
            "name": title or f"{self.label(self.psm + level)} {self.notations.get(iri, '')}",
            "termCode": self.notations.get(iri, ""),
            "inLanguage": "it",
            "additionalType": self.psm + level,
        }
        description = self._literal(iri, DCT + "description")
        if description:
            data["description"] = description
        if lineage:
            parent = lineage[-1]
            data["isPartOf"] = {"@id": parent, "name": self.label(parent)}
            data["inDefinedTermSet"] = {"@id": lineage[0], "name": self.label(lineage[0])}
        alt = [t for t, _ in self._literals(iri, SKOS + "altLabel")]
        if alt:
            data["alternateName"] = alt
        about = [{"@id": a.target.iri, "name": a.target.label} for a in self._alignments(iri)]
        if about:
            data["about"] = about
        crumbs = [*lineage, iri]
        breadcrumb = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": self.label(c), "item": v.href(c)}
                for n, c in enumerate(crumbs, start=1)
            ],
        }
        return {"@context": "https://schema.org", "@graph": [_drop_context(data), _drop_context(breadcrumb)]}

    # ------------------------------------------------------------------ rendering

    def _render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)


class View:
    """What templates need for one request: links mapped onto the serving origin, term rendering."""

    def __init__(self, pages: Pages, origin: str) -> None:
        self.pages = pages
        self.origin = origin if origin.endswith("/") else origin + "/"
        self.base = pages.base

    search_path = SEARCH_PATH

    def href(self, iri: str) -> str:
        """Where a link to an IRI goes: canonical IRIs onto the origin, others unchanged."""
        if iri.startswith(self.base):
            return self.origin + iri[len(self.base) :]
        return iri

    def path(self, path: str) -> str:
        """A site path (no leading slash) on the origin."""
        return self.origin + path.lstrip("/")

    def static(self, name: str) -> str:
        return self.origin + STATIC_PATH + name

    def document(self, iri: str) -> str:
        """The document of an IRI, without format suffix: hash IRIs live in their base's document."""
        return self.href(iri.split("#", 1)[0])

    def local(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def link(self, target: Link | str, text: str | None = None, code: bool = False) -> Markup:
        if isinstance(target, str):
            target = self.pages._link(target)
        if not target.iri:
            return escape(text or target.label)
        shown = text if text is not None else target.label
        prefix = Markup('<span class="code">{}</span> ').format(target.code) if code and target.code else ""
        external = "" if self.local(target.iri) else ' rel="noopener" class="external"'
        return Markup('<a href="{}"{}>{}{}</a>').format(
            self.href(target.iri), Markup(external), prefix, shown
        )

    def term(self, term: ox.Term | None) -> Markup:
        """One RDF term as HTML: IRIs as links with labels, literals with language or datatype."""
        if term is None:
            return Markup("")
        if isinstance(term, ox.NamedNode):
            iri = term.value
            label = self.pages.label(iri)
            compact = self.pages.compact(iri)
            external = "" if self.local(iri) else ' class="external" rel="noopener"'
            if label != compact and label != iri:
                return Markup('<a href="{}"{} title="{}">{}</a> <span class="iri">{}</span>').format(
                    self.href(iri), Markup(external), iri, label, compact
                )
            return Markup('<a href="{}"{} title="{}">{}</a>').format(
                self.href(iri), Markup(external), iri, compact
            )
        if isinstance(term, ox.BlankNode):
            return Markup('<span class="bnode-id">_:{}</span>').format(term.value)
        if isinstance(term, ox.Literal):
            tag = ""
            if term.language:
                tag = Markup(' <span class="lang">@{}</span>').format(term.language)
            elif term.datatype and term.datatype.value not in (XSD + "string",):
                tag = Markup(' <span class="datatype">{}</span>').format(
                    self.pages.compact(term.datatype.value)
                )
            lang_attr = Markup(' lang="{}"').format(term.language) if term.language else ""
            return Markup('<span class="literal"{}>{}</span>{}').format(lang_attr, term.value, tag)
        return escape(str(term))


def _cell(concept: str, stated: set[str], cross: set[str]) -> dict[str, object]:
    return {"iri": concept, "on": concept in stated, "cross": concept in cross and concept not in stated}


def _term_key(term: ox.Term) -> tuple[int, str, str]:
    if isinstance(term, ox.Literal):
        return (1, term.language or "", term.value)
    return (0, "", getattr(term, "value", str(term)))


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _code_key(pages: Pages):  # noqa: ANN202 - a sort key
    def key(iri: str) -> tuple[list[object], str]:
        return (_natural(pages.notations.get(iri, pages.label(iri))), iri)

    return key


def _drop_context(data: dict[str, object]) -> dict[str, object]:
    return {k: val for k, val in data.items() if k != "@context"}


def json_script(data: object) -> Markup:
    """JSON for a <script> element: `<`, `>`, `&` and line separators escaped, so no text in the data
    can close the element («</script>») or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    for raw, safe in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, safe)
    return Markup(text)
