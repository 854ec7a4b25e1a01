"""One plan edition folder (data/psm-YYYY-YYYY/: fonti, piano, assi, strategie, azioni,
denominazioni, allineamenti, conteggi) → its named graph, every triple remembering its CSV cell.

Alignments carry their basis (psm:AllineamentoQualificato): stated by a source, an interpretation
of a source's layout, or derived by rule from the axis once the tables are read (build/alignments.py:
what the table may say, and the rule; data/README.md).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from rdflib import Literal, URIRef

from psm_ld.build.alignments import BASES, RELATIONS, derive
from psm_ld.build.built import Built
from psm_ld.build.iris import DCAT, DCTERMS, RDF, RDFS, SKOS, SKOSXL, XSD
from psm_ld.build.tables import (
    ErrorLog,
    Origin,
    Row,
    check_duplicates,
    iri_problem,
    read_table,
    require,
)

# table name → (required columns, optional columns); data/README.md documents each one
TABLE_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fonti.csv": (("id", "titolo"), ("url", "editore", "data", "nota", "consultata")),
    "piano.csv": (
        ("codice", "titolo", "fonte"),
        ("motto", "inizio", "fine", "base_giuridica", "descrizione", "presentato", "approvato"),
    ),
    "conteggi.csv": (("oggetto", "conta", "valore", "fonte"), ("nota",)),
    "assi.csv": (("codice", "titolo", "fonte"), ("descrizione",)),
    "strategie.csv": (("codice", "asse", "titolo", "fonte"), ("descrizione",)),
    "azioni.csv": (("codice", "strategia", "fonte"), ("titolo", "descrizione")),
    "denominazioni.csv": (("soggetto", "denominazione", "fonte"), ("lingua", "nota")),
    "allineamenti.csv": (("soggetto", "relazione", "obiettivo", "fonte"), ("nota", "base")),
}
REQUIRED_TABLES = ("fonti.csv", "piano.csv", "assi.csv")

COUNTED = {"assi": "Asse", "strategie": "Strategia", "azioni": "Azione"}
PLAN = "piano"  # how tables name the plan edition itself in «oggetto» / «soggetto»

AXIS_CODE = re.compile(r"^[1-9][0-9]*$")
STRATEGY_CODE = re.compile(r"^[1-9][0-9]*\.[1-9][0-9]*$")
ACTION_CODE = re.compile(r"^[1-9][0-9]*\.[1-9][0-9]*\.[1-9][0-9]*$")
EDITION_DIR = re.compile(r"^psm-(\d{4}-\d{4})$")


class EditionBuilder:
    """Turns one edition folder (data/psm-YYYY-YYYY/) into its named graph."""

    def __init__(self, built: Built, folder: Path, edition: str, root: Path, log: ErrorLog):
        self.built, self.folder, self.edition, self.root, self.log = built, folder, edition, root, log
        self.iris = built.iris
        self.psm = built.iris.psm
        self.graph = built.dataset.graph(built.iris.graph(f"psm-{edition}"))
        self.plan = self.iris.plan(edition)
        self.sources: dict[str, URIRef] = {}
        self.members: dict[str, URIRef] = {}  # axis/strategy/action code → IRI

    def run(self) -> None:
        self._sources(self._table("fonti.csv"))
        self._plan(self._table("piano.csv"))
        self._axes(self._table("assi.csv"))
        self._strategies(self._table("strategie.csv"))
        self._actions(self._table("azioni.csv"))
        self._alt_labels(self._table("denominazioni.csv"))
        self._alignments(self._table("allineamenti.csv"))
        self._counts(self._table("conteggi.csv"))

    # -- reading

    def _table(self, name: str) -> list[Row]:
        path = self.folder / name
        if not path.exists():
            if name in REQUIRED_TABLES:
                rel = path.relative_to(self.root).as_posix()
                self.log.add(Origin(rel), "tabella obbligatoria mancante")
            return []
        required, optional = TABLE_COLUMNS[name]
        before = len(self.log.errors)
        rows = read_table(path, self.root, required, optional, self.log)
        if not rows and name in REQUIRED_TABLES and name != "piano.csv" and len(self.log.errors) == before:
            # said here, not only through what it leaves unresolved in the other tables
            rel = path.relative_to(self.root).as_posix()
            self.log.add(Origin(rel, 2), "la tabella non ha righe di dati: ne serve almeno una")
        return rows

    def _add(self, row: Row, column: str | None, s: URIRef, p: URIRef, o: object) -> None:
        self.graph.add((s, p, o))  # type: ignore[arg-type]
        if column is not None:
            self.built.origins.setdefault((s, p), row.at(column))
        self.built.origins.setdefault((s, None), row.at())

    def _text(self, row: Row, column: str, s: URIRef, p: URIRef, lang: str = "it") -> None:
        value = " ".join(row[column].split())  # spreadsheet cells carry stray line breaks
        if value:
            self._add(row, column, s, p, Literal(value, lang=lang))

    def _cite(self, row: Row, s: URIRef) -> None:
        """dct:source for every source id in the row's «fonte» cell."""
        for key in row.list("fonte"):
            source = self.sources.get(key)
            if source is None:
                self.log.add(row.at("fonte"), f"fonte sconosciuta «{key}»: non è in fonti.csv")
            else:
                self._add(row, "fonte", s, DCTERMS.source, source)

    def _parent(self, row: Row, column: str, pattern: re.Pattern[str]) -> URIRef | None:
        code = row[column]
        if code not in self.members or not pattern.match(code):
            self.log.add(row.at(column), f"codice padre sconosciuto «{code}»")
            return None
        return self.members[code]

    def _subject(self, row: Row, column: str) -> URIRef | None:
        code = row[column]
        if code == PLAN:
            return self.plan
        if code not in self.members:
            self.log.add(row.at(column), f"codice sconosciuto «{code}» (né «piano» né un codice)")
            return None
        return self.members[code]

    def _code(self, row: Row, pattern: re.Pattern[str], what: str) -> bool:
        if not pattern.match(row["codice"]):
            self.log.add(row.at("codice"), f"codice di {what} non valido «{row['codice']}»")
            return False
        return True

    # -- tables

    def _sources(self, rows: list[Row]) -> None:
        for row in check_duplicates(rows, "id", self.log):
            if not require(row, ("id", "titolo"), self.log):
                continue
            url = row["url"]
            if url and (problem := iri_problem(url)):
                self.log.add(row.at("url"), problem)
                continue
            source = URIRef(url) if url else self.iris.source(row["id"])
            self.sources[row["id"]] = source
            self._add(row, None, source, RDF.type, DCTERMS.BibliographicResource)
            self._add(row, "id", source, DCTERMS.identifier, Literal(row["id"]))
            self._text(row, "titolo", source, DCTERMS.title)
            if row["editore"]:
                self._add(row, "editore", source, DCTERMS.publisher, Literal(row["editore"]))
            if row["data"]:
                self._add(row, "data", source, DCTERMS.date, self._date(row, "data"))
            self._text(row, "nota", source, SKOS.editorialNote)
            if row["consultata"]:  # when it was read: the same address may serve other content later
                self._add(row, "consultata", source, self.psm.consultatoIl, self._date(row, "consultata"))

    def _plan(self, rows: list[Row]) -> None:
        if len(rows) != 1:
            rel = (self.folder / "piano.csv").relative_to(self.root).as_posix()
            self.log.add(Origin(rel), f"serve esattamente una riga, ne ha {len(rows)}")
            if not rows:
                return
        row = rows[0]
        require(row, ("codice", "titolo", "fonte"), self.log)
        if row["codice"] != self.edition:
            self.log.add(row.at("codice"), f"il codice deve essere «{self.edition}» come la cartella")
        plan = self.plan
        self._add(row, None, plan, RDF.type, self.psm.PianoStrategico)
        self._add(row, None, plan, RDF.type, SKOS.ConceptScheme)
        self._add(row, "codice", plan, SKOS.notation, Literal(self.edition))
        self._text(row, "titolo", plan, SKOS.prefLabel)
        self._text(row, "motto", plan, self.psm.motto)
        self._text(row, "descrizione", plan, DCTERMS.description)
        if row["base_giuridica"]:
            self._add(row, "base_giuridica", plan, self.psm.baseGiuridica, Literal(row["base_giuridica"]))
        for column, predicate in (("presentato", DCTERMS.issued), ("approvato", DCTERMS.dateAccepted)):
            if row[column]:
                self._add(row, column, plan, predicate, self._date(row, column))
        if row["inizio"] or row["fine"]:
            period = URIRef(f"{plan}#periodo")
            self._add(row, "inizio", plan, DCTERMS.temporal, period)
            self._add(row, "inizio", period, RDF.type, DCTERMS.PeriodOfTime)
            for column, predicate in (("inizio", "startDate"), ("fine", "endDate")):
                if row[column]:
                    self._add(row, column, period, DCAT[predicate], self._date(row, column))
        self._cite(row, plan)

    def _date(self, row: Row, column: str) -> Literal:
        literal = _date(row[column])
        if literal.datatype == XSD.string:
            self.log.add(row.at(column), f"data non valida «{row[column]}» (AAAA, AAAA-MM o AAAA-MM-GG)")
        return literal

    def _member(self, row: Row, iri: URIRef, cls: URIRef) -> None:
        self.members[row["codice"]] = iri
        self._add(row, None, iri, RDF.type, cls)
        self._add(row, None, iri, RDF.type, SKOS.Concept)
        self._add(row, "codice", iri, SKOS.notation, Literal(row["codice"]))
        self._add(row, None, iri, SKOS.inScheme, self.plan)
        self._text(row, "titolo", iri, SKOS.prefLabel)
        self._text(row, "descrizione", iri, DCTERMS.description)
        self._cite(row, iri)

    def _link(self, row: Row, column: str, child: URIRef, parent: URIRef) -> None:
        self._add(row, column, child, SKOS.broader, parent)
        self._add(row, column, parent, SKOS.narrower, child)

    def _axes(self, rows: list[Row]) -> None:
        for row in check_duplicates(rows, "codice", self.log):
            if require(row, ("codice", "titolo", "fonte"), self.log) and self._code(row, AXIS_CODE, "asse"):
                axis = self.iris.axis(self.edition, row["codice"])
                self._member(row, axis, self.psm.Asse)
                self._add(row, None, axis, SKOS.topConceptOf, self.plan)
                self._add(row, None, self.plan, SKOS.hasTopConcept, axis)

    def _strategies(self, rows: list[Row]) -> None:
        for row in check_duplicates(rows, "codice", self.log):
            if not require(row, ("codice", "asse", "titolo", "fonte"), self.log):
                continue
            if self._code(row, STRATEGY_CODE, "strategia") and (axis := self._parent(row, "asse", AXIS_CODE)):
                strategy = self.iris.strategy(self.edition, row["codice"])
                self._member(row, strategy, self.psm.Strategia)
                self._link(row, "asse", strategy, axis)

    def _actions(self, rows: list[Row]) -> None:
        for row in check_duplicates(rows, "codice", self.log):
            if not require(row, ("codice", "strategia", "fonte"), self.log):
                continue
            if self._code(row, ACTION_CODE, "azione") and (
                strategy := self._parent(row, "strategia", STRATEGY_CODE)
            ):
                action = self.iris.action(self.edition, row["codice"])
                self._member(row, action, self.psm.Azione)
                self._link(row, "strategia", action, strategy)

    def _alt_labels(self, rows: list[Row]) -> None:
        """Other names a source gives (SKOS-XL, so each name keeps its own source)."""
        counter: dict[URIRef, int] = {}
        for row in rows:
            if not require(row, ("soggetto", "denominazione", "fonte"), self.log):
                continue
            subject = self._subject(row, "soggetto")
            if subject is None:
                continue
            counter[subject] = counter.get(subject, 0) + 1
            label = self.iris.label(subject, counter[subject])
            lang = row["lingua"] or "it"
            self._text(row, "denominazione", subject, SKOS.altLabel, lang)
            self._add(row, "denominazione", subject, SKOSXL.altLabel, label)
            self._add(row, None, label, RDF.type, SKOSXL.Label)
            self._text(row, "denominazione", label, SKOSXL.literalForm, lang)
            self._text(row, "nota", label, SKOS.editorialNote)
            self._cite(row, label)

    def _alignments(self, rows: list[Row]) -> None:
        """Alignments a source gives: the short triple and, beside it, the qualified alignment that
        says on what basis (stated, or an interpretation of the source's layout) and which source."""
        for row in rows:
            if not require(row, ("soggetto", "relazione", "obiettivo", "fonte"), self.log):
                continue
            subject = self._subject(row, "soggetto")
            relation = RELATIONS.get(row["relazione"])
            if relation is None:
                allowed = ", ".join(RELATIONS)
                self.log.add(row.at("relazione"), f"relazione sconosciuta «{row['relazione']}» ({allowed})")
                continue
            base = BASES.get(row["base"] or "dichiarato")
            if base is None:
                allowed = ", ".join(BASES)
                self.log.add(
                    row.at("base"), f"base sconosciuta «{row['base']}» ({allowed}; «derivato» si calcola)"
                )
                continue
            if base == "interpretazione" and not row["nota"]:
                self.log.add(
                    row.at("nota"), "un'interpretazione dice nella nota quale lettura della fonte fa"
                )
                continue
            prop, cls, path = relation
            target = self.iris(path.format(row["obiettivo"]))
            if not any(self.built.dataset.quads((target, RDF.type, self.psm[cls], None))):
                self.log.add(
                    row.at("obiettivo"),
                    f"«{row['obiettivo']}» non è un concetto {cls} dei vocabolari (data/vocabolari/)",
                )
                continue
            if subject is not None:
                self._add(row, "obiettivo", subject, self.psm[prop], target)
                self._cite(row, subject)
                node = self._qualified(row, subject, row["relazione"], row["obiettivo"], target, base)
                self._cite(row, node)
                self._text(row, "nota", node, SKOS.editorialNote)
        derive(self.graph, self.psm, self.built.origins)

    def _qualified(
        self, row: Row, subject: URIRef, relation: str, code: str, target: URIRef, base: str
    ) -> URIRef:
        """The qualified alignment node `<subject>#allineamento-<relazione>-<codice>`."""
        node = URIRef(f"{subject}#allineamento-{relation}-{code}")
        self._add(row, None, subject, self.psm.allineamentoQualificato, node)
        self._add(row, None, node, RDF.type, self.psm.AllineamentoQualificato)
        self._add(row, "obiettivo", node, self.psm.concettoAllineato, target)
        self._add(row, "relazione", node, self.psm.relazioneAllineamento, self.psm[RELATIONS[relation][0]])
        self._add(row, "base", node, self.psm.baseAllineamento, self.psm[base])
        return node

    def _counts(self, rows: list[Row]) -> None:
        """Headline counts as each source declares them (conflicts are kept, not resolved)."""
        seen: set[URIRef] = set()
        for row in rows:
            if not require(row, ("oggetto", "conta", "valore", "fonte"), self.log):
                continue
            owner = self._subject(row, "oggetto")
            counted = COUNTED.get(row["conta"])
            if counted is None:
                self.log.add(row.at("conta"), f"«{row['conta']}» non è tra: {', '.join(COUNTED)}")
            if not row["valore"].isdigit():
                self.log.add(row.at("valore"), f"«{row['valore']}» non è un numero intero ≥ 0")
                continue
            sources = row.list("fonte")
            if len(sources) != 1:
                self.log.add(row.at("fonte"), "un conteggio ha una sola fonte: una riga per fonte")
                continue
            if owner is None or counted is None:
                continue
            count = self.iris.declared_count(self.edition, row["oggetto"], row["conta"], sources[0])
            if count in seen:
                self.log.add(row.at(), "conteggio duplicato (stesso oggetto, conta e fonte)")
                continue
            seen.add(count)
            self._add(row, "oggetto", owner, self.psm.conteggioDichiarato, count)
            self._add(row, None, count, RDF.type, self.psm.ConteggioDichiarato)
            self._add(row, "conta", count, self.psm.classeConteggiata, self.psm[counted])
            value = Literal(int(row["valore"]), datatype=XSD.nonNegativeInteger)
            self._add(row, "valore", count, self.psm.valoreDichiarato, value)
            label = f"{row['valore']} {row['conta']} ({sources[0]})"
            self._add(row, None, count, RDFS.label, Literal(label, lang="it"))
            self._text(row, "nota", count, SKOS.editorialNote)
            self._cite(row, count)


def _date(value: str) -> Literal:
    """AAAA, AAAA-MM or AAAA-MM-GG (ISO 8601, a real calendar date) as the matching XSD type;
    anything else (24/03/2021, 2021-13-01, 2021-02-30) stays a plain string, which callers report."""
    for pattern, datatype, check in (
        (r"\d{4}", XSD.gYear, None),
        (r"\d{4}-\d{2}", XSD.gYearMonth, lambda v: datetime.date.fromisoformat(v + "-01")),
        (r"\d{4}-\d{2}-\d{2}", XSD.date, datetime.date.fromisoformat),
    ):
        if re.fullmatch(pattern, value, flags=re.ASCII):
            try:
                if check is not None:
                    check(value)
            except ValueError:
                break
            return Literal(value, datatype=datatype)
    return Literal(value, datatype=XSD.string)
