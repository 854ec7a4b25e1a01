"""The plan: its page (plan.html) and the home page (home.html), which shows one edition at a glance.

Contract: `context(model, plan)` gives the plan's facts, axes with their counts and strategies,
declared counts, the axes × PNRR × cohesion matrix, alignments, sources and schema.org JSON-LD;
`home(model, v, queries)` adds the other editions, the vocabularies, the dumps and the named queries.
"""

from __future__ import annotations

import pyoxigraph as ox

from psm_ld.pages.counts import counts
from psm_ld.pages.jsonld import plan_jsonld
from psm_ld.pages.model import Link, Model
from psm_ld.pages.urls import View
from psm_ld.queries import NamedQuery
from psm_ld.vocab import DCAT, DCT, SKOS

HOME_EDITION = "2021-2023"  # the edition the home page shows at a glance (others are linked from it)
# full dumps (design.md, "HTTP interface": /download/{file}); shown on the home page
DUMP_LINKS = (
    ("psm.ttl", "Turtle"),
    ("psm.nt", "N-Triples"),
    ("psm.nq", "N-Quads"),
    ("psm.jsonld", "JSON-LD"),
    ("psm.rdf", "RDF/XML"),
)


def home(model: Model, v: View, queries: dict[str, NamedQuery]) -> dict[str, object]:
    """The home page: the home edition of the plan (else the newest), links to everything else."""
    plans = model.plans()
    plan = next((p for p in plans if model.notations.get(p) == HOME_EDITION), plans[0] if plans else None)
    out: dict[str, object] = {"v": v, "plan": None}
    if plan is not None:
        out.update(context(model, plan))
    out["editions"] = [model.link(p) for p in plans if p != plan]
    out["schemes"] = [model.link(s) for s in model.schemes()]
    out["downloads"] = DUMP_LINKS
    out["queries"] = queries
    return out


def context(model: Model, plan: str) -> dict[str, object]:
    """The plan, as its page and the home page show it."""
    axes = model.members(plan, "Asse")
    rows = []
    for axis in axes:
        rows.append(
            {
                "link": model.link(axis),
                "alt": model.literals(axis, SKOS + "altLabel"),
                "counts": {c.cls: c for c in counts(model, axis)},
                "strategies": [model.link(s) for s in model.members(axis, "Strategia")],
            }
        )
    period = model.objects(plan, DCT + "temporal")
    start = end = ""
    if period and isinstance(period[0], ox.NamedNode):
        start = model.literal(period[0].value, DCAT + "startDate")
        end = model.literal(period[0].value, DCAT + "endDate")
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
        "axes": rows,
        "counts": counts(model, plan),
        "matrix": _matrix(model, plan, axes),
        "plan_alignments": model.alignments(plan),
        "sources": model.sources(plan),
        "jsonld": plan_jsonld(model, plan),
    }


def _matrix(model: Model, plan: str, axes: list[str]) -> dict[str, object]:
    """Axes × PNRR missions × cohesion policy objectives, as the plan's two tables state them."""
    psm = model.psm
    missions = model.of_class("MissionePNRR")
    objectives = model.of_class("ObiettivoStrategicoCoesione")
    plan_objectives = {o.value for o in model.objects(plan, psm + "obiettivoStrategicoCoesione")}
    plan_missions = {o.value for o in model.objects(plan, psm + "missionePNRR")}
    rows = []
    for axis in axes:
        stated_m = {o.value for o in model.objects(axis, psm + "missionePNRR")}
        stated_o = {o.value for o in model.objects(axis, psm + "obiettivoStrategicoCoesione")}
        cells = [_cell(m, stated_m, plan_missions) for m in missions]
        cells += [_cell(o, stated_o, plan_objectives) for o in objectives]
        rows.append({"link": model.link(axis), "cells": cells, "plan": False})
    plan_cells = [_cell(m, plan_missions, set()) for m in missions]
    plan_cells += [_cell(o, plan_objectives, set()) for o in objectives]
    if plan_missions or plan_objectives:
        rows.append({"link": model.link(plan), "cells": plan_cells, "plan": True})
    return {
        "missions": [_short(model, m) for m in missions],
        "objectives": [_short(model, o) for o in objectives],
        "rows": rows,
        "cross": [_short(model, o) for o in objectives if o in plan_objectives]
        + [_short(model, m) for m in missions if m in plan_missions],
    }


def _cell(concept: str, stated: set[str], cross: set[str]) -> dict[str, object]:
    return {"iri": concept, "on": concept in stated, "cross": concept in cross and concept not in stated}


def _short(model: Model, iri: str) -> Link:
    """A concept as the matrix shows it: its code, and its label, the same as on its own page (the
    vocabularies' short altLabels are not the name the concept's page gives it)."""
    return model.link(iri)
