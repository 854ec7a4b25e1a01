"""The plan: the page of an edition (plan.html) and the home page (home.html), which shows the plan
as a series of editions.

Contract: `context(model, plan, year)` gives an edition's facts and status in `year`, its axes with
their strategies and actions, declared counts, the axes × PNRR × cohesion matrix graded by basis
(stated, interpretation; an empty cell is «non indicato dalle fonti»), every alignment of its axes
and of the plan with basis, sources and note, the charts (declared vs present per axis, the matrix)
and schema.org JSON-LD. `home(model, v, queries, year)` gives every edition with its status, counts
and what is known, the editions side by side (a chart and its table), the edition in force at a
glance (else the newest), and links to everything else. Only what the release holds is shown.
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.alignments import BASES, Alignment, alignments_of
from psm_ld.pages.charts.bars import Bar, BarGroup, compare_editions, declared_vs_present
from psm_ld.pages.charts.matrix import MatrixRow, alignment_matrix
from psm_ld.pages.charts.svg import Chart
from psm_ld.pages.counts import CountLine, counts
from psm_ld.pages.i18n import Translator
from psm_ld.pages.jsonld import plan_jsonld
from psm_ld.pages.model import Link, Model
from psm_ld.pages.series import STATUS_LABELS, status
from psm_ld.pages.urls import View
from psm_ld.queries import NamedQuery
from psm_ld.vocab import DCAT, DCT, SKOS

# full dumps (design.md, "HTTP interface": /download/{file}); shown on the home page
DUMP_LINKS = (
    ("psm.ttl", "Turtle"),
    ("psm.nt", "N-Triples"),
    ("psm.nq", "N-Quads"),
    ("psm.jsonld", "JSON-LD"),
    ("psm.rdf", "RDF/XML"),
)
MATRIX_RELATIONS = ("missionePNRR", "obiettivoStrategicoCoesione")  # the two tables of the matrix
SNIPPET = 140  # characters of an untitled action's description shown in the list


def home(model: Model, v: View, queries: dict[str, NamedQuery], year: int) -> dict[str, object]:
    """The home page: every edition (newest first) with its status in `year`, the editions side by
    side, and the edition in force at a glance (else the newest)."""
    plans = model.plans()
    editions = [summary(model, p, year) for p in plans]
    in_force = next((e for e in editions if e["status"] == "in-vigore"), editions[0] if editions else None)
    out: dict[str, object] = {"v": v, "plan": None, "year": year, "editions": editions}
    if in_force is not None:
        out.update(context(model, str(in_force["plan"]), year))
        out["featured"] = in_force
    out["comparison"] = _comparison(editions, Translator(model.lang))
    out["schemes"] = [model.link(s) for s in model.schemes()]
    out["downloads"] = DUMP_LINKS
    out["queries"] = queries
    return out


def summary(model: Model, plan: str, year: int) -> dict[str, object]:
    """An edition as the series shows it: status, period, dates, counts, and what is known."""
    start, end = _period(model, plan)
    lines = {line.cls: line for line in counts(model, plan)}
    actions = model.descendants(plan, "Azione")
    alignments = [a for m in [plan, *model.descendants(plan, "Asse")] for a in alignments_of(model, m)]
    derived = sum(
        1 for m in [*model.descendants(plan, "Strategia"), *actions] for a in alignments_of(model, m)
        if a.basis == "derivato"
    )  # fmt: skip
    state = status(start, end, year)
    return {
        "plan": plan,
        "link": model.link(plan),
        "code": model.notations.get(plan, ""),
        "title": model.label(plan),
        "motto": model.literal(plan, model.psm + "motto"),
        "start": start,
        "end": end,
        "status": state,
        "status_label": STATUS_LABELS[state],
        "accepted": model.literal(plan, DCT + "dateAccepted"),
        "issued": model.literal(plan, DCT + "issued"),
        "counts": lines,
        "titled_actions": sum(1 for a in actions if a in model.labels),
        "actions": len(actions),
        "by_basis": {
            "dichiarato": sum(1 for a in alignments if a.basis == "dichiarato"),
            "interpretazione": sum(1 for a in alignments if a.basis == "interpretazione"),
            "derivato": derived,
        },
        "sources": model.sources(plan),
    }


def context(model: Model, plan: str, year: int) -> dict[str, object]:
    """An edition, as its page and the home page show it."""
    t = Translator(model.lang)
    axes = model.members(plan, "Asse")
    rows = []
    for axis in axes:
        rows.append(
            {
                "link": model.link(axis),
                "alt": model.literals(axis, SKOS + "altLabel"),
                "counts": {c.cls: c for c in counts(model, axis)},
                "strategies": [_strategy(model, s) for s in model.members(axis, "Strategia")],
            }
        )
    start, end = _period(model, plan)
    code = model.notations.get(plan, "")
    matrix = _matrix(model, plan, axes, t)
    alignments = [a for m in [*axes, plan] for a in alignments_of(model, m)]
    state = status(start, end, year)
    texts: dict[str, object] = {}
    for name, value in (
        ("title", model.label_lang(plan)),
        ("motto", model.literal_lang(plan, model.psm + "motto")),
        ("description", model.literal_lang(plan, DCT + "description")),
        ("legal_basis", model.literal_lang(plan, model.psm + "baseGiuridica")),
    ):
        texts[name], texts[name + "_lang"] = value[0], model.fallback(value[1])
    return {
        "plan": plan,
        "plan_link": model.link(plan),
        **texts,
        "issued": model.literal(plan, DCT + "issued"),
        "accepted": model.literal(plan, DCT + "dateAccepted"),
        "start": start,
        "end": end,
        "year": year,
        "status": state,
        "status_label": STATUS_LABELS[state],
        "axes": rows,
        "counts": counts(model, plan),
        "matrix": matrix,
        "alignments": {basis: [a for a in alignments if a.basis == basis] for basis in BASES},
        "derived": sum(
            1
            for m in model.descendants(plan, "Strategia") + model.descendants(plan, "Azione")
            for a in alignments_of(model, m)
            if a.basis == "derivato"
        ),
        "axis_chart": _axis_chart(f"grafico-conteggi-{code}", code, rows, t),
        "matrix_chart": _matrix_chart(f"grafico-matrice-{code}", code, matrix, t),
        "sources": model.sources(plan),
        "jsonld": plan_jsonld(model, plan),
    }


def _period(model: Model, plan: str) -> tuple[str, str]:
    period = model.objects(plan, DCT + "temporal")
    if period and isinstance(period[0], ox.NamedNode):
        return (
            model.literal(period[0].value, DCAT + "startDate"),
            model.literal(period[0].value, DCAT + "endDate"),
        )
    return "", ""


def _strategy(model: Model, strategy: str) -> dict[str, object]:
    actions = [_action(model, a) for a in model.members(strategy, "Azione")]
    return {"link": model.link(strategy), "actions": actions}


def _action(model: Model, action: str) -> dict[str, object]:
    """An action in the edition's list: its link, whether a source gives its title, and the start of
    its description when none does."""
    description = model.literal(action, DCT + "description")
    snippet = description if len(description) <= SNIPPET else description[:SNIPPET].rsplit(" ", 1)[0] + " …"
    return {"link": model.link(action), "titled": action in model.labels, "snippet": snippet}


def _matrix(model: Model, plan: str, axes: list[str], t: Translator) -> dict[str, object]:
    """Axes (and the plan as a whole) × PNRR missions × cohesion policy objectives, each cell the
    basis of the alignment the release holds ("" where the sources state none)."""
    missions = model.of_class("MissionePNRR")
    objectives = model.of_class("ObiettivoStrategicoCoesione")
    columns = missions + objectives
    relations = {model.psm + r for r in MATRIX_RELATIONS}

    def cells(member: str) -> list[dict[str, object]]:
        found: dict[str, Alignment] = {
            a.target.iri: a for a in alignments_of(model, member) if a.property.iri in relations
        }
        out = []
        for concept in columns:
            a = found.get(concept)
            out.append(
                {
                    "iri": concept,
                    "code": model.notations.get(concept, ""),
                    "basis": a.basis if a else "",
                    "sources": ", ".join(s.label for s in a.sources) if a else "",
                    "alignment": a,
                }
            )
        return out

    rows = [{"link": model.link(axis), "cells": cells(axis), "plan": False} for axis in axes]
    plan_cells = cells(plan)
    if any(c["basis"] for c in plan_cells):
        rows.append({"link": model.link(plan), "cells": plan_cells, "plan": True})
    unstated = []
    for name, group in ((t("matrix.missions"), missions), (t("matrix.objectives"), objectives)):
        if not any(c["basis"] for row in rows for c in row["cells"] if c["iri"] in group):  # type: ignore[attr-defined]
            unstated.append(name)
    return {
        "missions": [_short(model, m) for m in missions],
        "objectives": [_short(model, o) for o in objectives],
        "rows": rows,
        "unstated": unstated,
    }


def _short(model: Model, iri: str) -> Link:
    """A concept as the matrix shows it: its code, and its label, the same as on its own page (the
    vocabularies' short altLabels are not the name the concept's page gives it)."""
    return model.link(iri)


def _bar(label: str, line: CountLine | None, level: str = "") -> Bar:
    if line is None:
        return Bar(label, 0, [], level)
    return Bar(label, line.present, [d.value for d in line.declared], level)


def _axis_chart(chart_id: str, code: str, rows: list[dict[str, object]], t: Translator) -> Chart:
    groups = []
    for row in rows:
        link: Link = row["link"]  # type: ignore[assignment]
        lines: dict[str, CountLine] = row["counts"]  # type: ignore[assignment]
        groups.append(
            BarGroup(
                t("chart.axis", code=link.code),
                [
                    _bar(t.word("Strategia", 2), lines.get("Strategia")),
                    _bar(t.word("Azione", 2), lines.get("Azione")),
                ],
            )
        )
    return declared_vs_present(chart_id, t("chart.counts_title", code=code), groups, t)


def _matrix_chart(chart_id: str, code: str, matrix: dict[str, object], t: Translator) -> Chart:
    missions: list[Link] = matrix["missions"]  # type: ignore[assignment]
    objectives: list[Link] = matrix["objectives"]  # type: ignore[assignment]
    columns = [(c.code, c.note or c.label) for c in missions + objectives]
    rows = []
    for row in matrix["rows"]:  # type: ignore[attr-defined]
        link: Link = row["link"]
        label = t("matrix.plan_row") if row["plan"] else t("chart.axis", code=link.code)
        rows.append(MatrixRow(label, label, [(c["basis"], c["sources"]) for c in row["cells"]]))
    groups = [(t("matrix.missions"), len(missions)), (t("matrix.objectives"), len(objectives))]
    return alignment_matrix(chart_id, t("chart.matrix_title", code=code), columns, groups, rows, t)


def _comparison(editions: list[dict[str, object]], t: Translator) -> dict[str, object]:
    """The editions side by side: a chart and the table that holds the same figures."""
    levels = tuple((cls, t.word(cls, 2)) for cls in ("Asse", "Strategia", "Azione"))
    groups = []
    for cls, plural in levels:
        bars = []
        for e in editions:
            lines: dict[str, CountLine] = e["counts"]  # type: ignore[assignment]
            bars.append(_bar(str(e["code"]), lines.get(cls), plural))
        groups.append(BarGroup(plural, bars))
    chart = compare_editions("grafico-edizioni", t("chart.editions_title"), groups, t)
    return {"chart": chart, "levels": levels}
