"""schema.org JSON-LD for the pages of the plan and its members (for search engines), and the safe
way to put JSON in a <script> element.

Contract: `plan_jsonld` and `member_jsonld` give plain dicts (key order is the output order);
`json_script` turns any JSON value into text that cannot end the <script> element it sits in.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from markupsafe import Markup

from psm_ld.pages.alignments import alignments_of
from psm_ld.pages.model import Model
from psm_ld.pages.urls import View
from psm_ld.vocab import DCAT, DCT, SKOS


def plan_jsonld(model: Model, plan: str) -> dict[str, object]:
    """The plan as a schema.org CreativeWork, its axes as parts."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": plan,
        "url": plan,
        "name": model.label(plan),
        "inLanguage": model.lang,
        "genre": "Piano strategico metropolitano",
    }
    motto = model.literal(plan, model.psm + "motto")
    if motto:
        data["alternateName"] = motto
    description = model.literal(plan, DCT + "description")
    if description:
        data["description"] = description
    issued = model.literal(plan, DCT + "issued")
    if issued:
        data["datePublished"] = issued
    period = model.objects(plan, DCT + "temporal")
    if period and isinstance(period[0], ox.NamedNode):
        start = model.literal(period[0].value, DCAT + "startDate")
        end = model.literal(period[0].value, DCAT + "endDate")
        if start and end:
            data["temporalCoverage"] = f"{start}/{end}"
    data["hasPart"] = [
        {
            "@type": ["CreativeWork", "DefinedTerm"],
            "@id": a,
            "name": model.label(a),
            "termCode": model.notations.get(a, ""),
        }
        for a in model.members(plan, "Asse")
    ]
    sources = [s.iri for s in model.sources(plan) if s.iri]
    if sources:
        data["citation"] = sources
    return data


def member_jsonld(
    model: Model, v: View, iri: str, level: str, lineage: list[str], title: str
) -> dict[str, object]:
    """An axis, strategy or action as a schema.org DefinedTerm, with its breadcrumb trail."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": ["CreativeWork", "DefinedTerm"],
        "@id": iri,
        "url": iri,
        "name": title or f"{model.label(model.psm + level)} {model.notations.get(iri, '')}",
        "termCode": model.notations.get(iri, ""),
        "inLanguage": model.lang,
        "additionalType": model.psm + level,
    }
    description = model.literal(iri, DCT + "description")
    if description:
        data["description"] = description
    if lineage:
        parent = lineage[-1]
        data["isPartOf"] = {"@id": parent, "name": model.label(parent)}
        data["inDefinedTermSet"] = {"@id": lineage[0], "name": model.label(lineage[0])}
    alt = [t for t, _ in model.literals(iri, SKOS + "altLabel")]
    if alt:
        data["alternateName"] = alt
    # only what a source states: an interpretation or a rule's consequence is no schema.org fact
    stated = [a for a in alignments_of(model, iri) if a.basis == "dichiarato"]
    about = [{"@id": a.target.iri, "name": a.target.label} for a in stated]
    if about:
        data["about"] = about
    crumbs = [*lineage, iri]
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": model.label(c), "item": v.href(c)}
            for n, c in enumerate(crumbs, start=1)
        ],
    }
    return {"@context": "https://schema.org", "@graph": [_drop_context(data), _drop_context(breadcrumb)]}


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


def _drop_context(data: dict[str, object]) -> dict[str, object]:
    return {k: val for k, val in data.items() if k != "@context"}
