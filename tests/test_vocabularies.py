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
    # the 2023 revision added the REPowerEU chapter as Mission 7; its components are not modelled
    assert missions == ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]
    assert len(components) == 16
    assert all(code.startswith(mission + "C") for code, mission in components.items())


def test_five_cohesion_policy_objectives_with_the_seed_names() -> None:
    result = sparql(
        "SELECT ?code ?label WHERE { ?c a psm:ObiettivoStrategicoCoesione ;"
        " skos:notation ?code ; skos:prefLabel ?label FILTER (LANG(?label) = 'it') }"
    )
    names = {r["code"]: r["label"] for r in result}
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
    # the vocabularies' concepts (the catalog's licence links to other licence vocabularies)
    result = sparql("SELECT ?c ?m WHERE { ?c a skos:Concept ; skos:exactMatch|skos:closeMatch ?m }")
    assert result  # ERDF and Cohesion Fund
    assert all(r["m"].startswith("http://publications.europa.eu/resource/authority/") for r in result)


def labels(iri: str) -> dict[str, str]:
    result = sparql(f"SELECT ?l WHERE {{ <{iri}> skos:prefLabel ?l }}")
    found = sparql(f"SELECT (LANG(?l) AS ?lang) ?l WHERE {{ <{iri}> skos:prefLabel ?l }}")
    assert len(found) == len(result)
    return {r.get("lang", ""): r["l"] for r in found}


def test_policy_objectives_in_the_regulation_wording() -> None:
    """English labels are the Regulation's wording; none is cut short (OP2 once ended «a zero emissioni»)."""
    op2 = labels("coesione/2021-2027/obiettivo/OP2")
    assert op2["en"].startswith(
        "a greener, low-carbon transitioning towards a net zero carbon economy and resilient"
    )
    assert op2["en"].endswith("and sustainable urban mobility")
    for n in range(1, 6):
        assert set(labels(f"coesione/2021-2027/obiettivo/OP{n}")) == {"it", "en"}


def test_specific_objectives_read_in_the_regulation() -> None:
    result = sparql(
        "SELECT ?code ?label ?broader WHERE { ?c a psm:ObiettivoSpecificoCoesione ; skos:notation ?code ;"
        " skos:prefLabel ?label ; skos:broader/skos:notation ?broader ; dct:source ?s"
        " FILTER (?s = <http://data.europa.eu/eli/reg/2021/1058/oj>) }"
    )
    codes = {r["code"]: r for r in result}
    assert sorted(codes) == ["RSO1.1", "RSO1.2", "RSO1.3", "RSO1.4", "RSO1.5", "RSO1.6", "RSO2.1", "RSO2.2"]
    assert codes["RSO1.1"]["label"].startswith("developing and enhancing research")  # «sviluppare e …»
    assert all(r["broader"] == "OP" + r["code"][3] for r in result)
    # no Italian wording of the regulation was readable: none is published as if it were
    italian = sparql(
        "SELECT ?c WHERE { ?c a psm:ObiettivoSpecificoCoesione ; skos:prefLabel ?l FILTER (LANG(?l) = 'it') }"
    )
    assert italian == []


def test_pnrr_component_titles_as_approved() -> None:
    assert labels("pnrr/componente/M2C1")["it"] == "Agricoltura sostenibile ed economia circolare"
    assert (
        labels("pnrr/componente/M6C2")["it"]
        == "Innovazione, ricerca e digitalizzazione del Servizio sanitario nazionale"
    )
    assert labels("pnrr/missione/M7")["it"] == "REPowerEU"
    note = sparql("SELECT ?n WHERE { <pnrr> skos:scopeNote ?n }")[0]["n"]
    assert "8 dicembre 2023" in note and "Missione 7" in note  # which version the scheme models


EU_PROGRAMME = "http://publications.europa.eu/resource/authority/eu-programme/"


def test_funds_and_programmes_link_to_the_2021_2027_codes_of_the_authority_table() -> None:
    result = sparql("SELECT ?c ?m WHERE { ?c skos:exactMatch ?m }")
    links = {r["c"].removeprefix(BASE): r["m"].removeprefix(EU_PROGRAMME) for r in result}
    assert links["strumento-finanziamento/erdf"] == "ERDF_2021"  # not ERDF, the 2014-2020 fund
    assert links["strumento-finanziamento/cohesion-fund"] == "CF_2021"
    assert links["programma-ue/horizon-europe"] == "HORIZONEU"
    assert links["programma-ue/life"] == "LIFE_2021"
    assert links["programma-ue/cef"] == "CEF_2021"
    programmes = {r["c"] for r in sparql("SELECT ?c WHERE { ?c a psm:ProgrammaUE }")}
    unlinked = {p.removeprefix(BASE) for p in programmes} - set(links)
    assert unlinked == {"programma-ue/interreg"}  # no 2021-2027 code in the table
    italian = labels("programma-ue/horizon-europe")["it"]
    assert italian == "Orizzonte Europa – il programma quadro di ricerca e innovazione (2021/2027)"


def test_no_source_that_could_not_be_verified() -> None:
    sources = {r["s"] for r in sparql("SELECT DISTINCT ?s WHERE { ?x dct:source ?s }")}
    unverifiable = ("readkong", "manerbadelgarda", "infn.it", "toprankedlegal", "EOSC-PLATFORM")
    assert not [s for s in sources if any(u in s for u in unverifiable)]
    notes = [
        r["n"] for r in sparql("SELECT ?n WHERE { ?s a dct:BibliographicResource ; skos:editorialNote ?n }")
    ]
    assert notes and not [n for n in notes if "shared/seed" in n]  # no file path a citizen cannot follow


def test_funds_under_esi_funds_have_a_source() -> None:
    result = sparql(
        "SELECT ?fund ?s WHERE { <strumento-finanziamento/fondi-sie> skos:narrower ?fund ;"
        " dct:source ?s FILTER (STRSTARTS(STR(?s), 'http')) }"
    )
    # the slide names the ESI funds without listing them: the list has its own source
    assert {r["s"] for r in result} == {"https://europa.regione.campania.it/en", BASE + "fonte/presentazione"}
    assert {r["fund"].rsplit("/", 1)[1] for r in result} == {"erdf", "esf-plus", "cohesion-fund", "emfaf"}


def test_sources_read_for_this_data_say_when() -> None:
    result = sparql("SELECT ?s ?d WHERE { ?s psm:consultatoIl ?d }")
    read = {r["s"]: r["d"] for r in result}
    assert read["http://www.torinometropoli.it/cms/sviluppo-economico/piano-strategico"] == "2026-12-01"
    assert read["http://publications.europa.eu/resource/authority/eu-programme"] == "2026-12-01"
    approval = sparql(
        "SELECT ?s WHERE { <psm/2021-2023> dct:dateAccepted ?d ; dct:source ?s"
        " FILTER (CONTAINS(STR(?s), 'issuu')) }"
    )
    # the approval date comes from the magazine's article, not from its page on the plan's structure
    assert [r["s"] for r in approval] == ["https://issuu.com./provinciatorino/docs/num14_2021/s/11970270"]
