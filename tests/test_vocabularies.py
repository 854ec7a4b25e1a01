"""Vocabularies: the full PNRR and cohesion objective lists, every concept sourced, EU links verified."""

from __future__ import annotations

from kg import BASE, sparql


def test_pnrr_has_6_missions_and_16_components_each_under_its_mission() -> None:
    result = sparql(
        "SELECT ?code ?mission WHERE { ?c skos:inScheme <pnrr> ; skos:notation ?code ."
        " OPTIONAL { ?c skos:broader/skos:notation ?mission } }"
    )
    missions = sorted(r["code"] for r in result if "mission" not in r)
    components = {r["code"]: r["mission"] for r in result if "mission" in r}
    assert missions == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert len(components) == 16
    assert all(code.startswith(mission + "C") for code, mission in components.items())


def test_five_cohesion_policy_objectives_with_the_seed_names() -> None:
    result = sparql(
        "SELECT ?code ?alt WHERE { ?c a psm:ObiettivoStrategicoCoesione ;"
        " skos:notation ?code ; skos:altLabel ?alt }"
    )
    names = {r["code"]: r["alt"] for r in result}
    assert sorted(names) == ["OP1", "OP2", "OP3", "OP4", "OP5"]
    assert names["OP2"] == "Un’Europa più verde"


def test_every_concept_and_scheme_cites_a_web_source_or_the_presentation() -> None:
    result = sparql(
        "SELECT ?c ?s WHERE { { ?c a skos:Concept } UNION { ?c a skos:ConceptScheme }"
        " FILTER NOT EXISTS { ?c a psm:Asse } FILTER NOT EXISTS { ?c a psm:Strategia }"
        " FILTER NOT EXISTS { ?c a psm:Azione } FILTER NOT EXISTS { ?c a psm:PianoStrategico }"
        " ?c dct:source ?s }"
    )
    assert len({r["c"] for r in result}) >= 22 + 7 + 11 + 11 + 4
    for row in result:
        assert row["s"].startswith(("http://", "https://")), row
        assert not row["s"].startswith(BASE) or row["s"] == BASE + "fonte/presentazione", row


def test_eu_authority_links_point_to_the_publications_office() -> None:
    result = sparql("SELECT ?c ?m WHERE { ?c skos:exactMatch|skos:closeMatch ?m }")
    assert result  # ERDF and Cohesion Fund
    assert all(r["m"].startswith("http://publications.europa.eu/resource/authority/") for r in result)
