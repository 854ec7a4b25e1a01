"""The seed's facts, asserted through SPARQL on the built graph."""

from __future__ import annotations

import re

from kg import SEED, query, sparql

AXES = {
    "1": "Torino Metropoli + produttiva",
    "2": "Torino Metropoli + verde",
    "3": "Torino Metropoli + mobile",
    "4": "Torino Metropoli + competente",
    "5": "Torino Metropoli + eguale",
    "6": "Torino Metropoli + sana",
}
# seed tables: "Assi PSM / Missioni PNRR" and "Assi PSM / Obiettivi politica di coesione"
MISSIONS = {"1": "M1", "2": "M2", "3": "M3", "4": "M4", "5": "M5", "6": "M6"}
COHESION = {"1": "OP1", "2": "OP2", "3": "OP3", "4": "OP4", "5": "OP4", "6": "OP4"}


def seed_text() -> str:
    """The seed without the slide's private-use bullet glyphs."""
    return "".join(c for c in SEED.read_text(encoding="utf-8") if not 0xE000 <= ord(c) <= 0xF8FF)


def seed_strategies() -> dict[str, str]:
    """The 24 strategy lines as the seed prints them, whitespace folded (titles can wrap)."""
    text = " ".join(seed_text().split())
    found = re.findall(
        r"(?<![\d.])([1-6]\.[1-7]) (.+?)(?= [1-6]\.[1-7] | \d+ azioni| Asse | L’attuazione)", text
    )
    return {code: title.strip() for code, title in found}


def test_six_axes_with_seed_titles() -> None:
    result = sparql(
        "SELECT ?code ?title WHERE { ?a a psm:Asse ; skos:inScheme/skos:notation '2021-2023' ;"
        " skos:notation ?code ; skos:prefLabel ?title }"
    )
    assert {r["code"]: r["title"] for r in result} == AXES


def test_the_24_strategies_under_the_right_axes() -> None:
    expected = seed_strategies()
    assert len(expected) == 24
    result = sparql(
        "SELECT ?code ?axis ?title WHERE { ?s a psm:Strategia ; skos:inScheme/skos:notation '2021-2023' ;"
        " skos:notation ?code ; skos:prefLabel ?title ;"
        " skos:broader/skos:notation ?axis }"
    )
    assert {r["code"]: r["title"] for r in result} == expected
    assert all(r["code"].split(".")[0] == r["axis"] for r in result)
    per_axis = {a: sum(1 for r in result if r["axis"] == a) for a in AXES}
    assert per_axis == {"1": 7, "2": 5, "3": 4, "4": 2, "5": 4, "6": 2}


def test_axis_alignments_exactly_as_the_seed_tables() -> None:
    result = query("matrice-allineamenti")
    axes = [r for r in result if r["codice"] != "trasversale"]
    assert {r["codice"]: r["codice_missione"] for r in axes} == MISSIONS
    assert {r["codice"]: r["codice_obiettivo"] for r in axes} == COHESION
    cross_cutting = [r for r in result if r["codice"] == "trasversale"]
    assert [r["codice_obiettivo"] for r in cross_cutting] == ["OP5"]
    # the mission table reads row by row; the cohesion table's layout is lost in the seed's text
    assert {r["codice"]: r["base_missione"] for r in axes} == dict.fromkeys(MISSIONS, "dichiarato")
    assert {r["codice"]: r["base_obiettivo"] for r in axes} == {
        "1": "dichiarato", "2": "dichiarato", "3": "dichiarato",
        "4": "interpretazione", "5": "interpretazione", "6": "interpretazione",
    }  # fmt: skip
    assert [r["base_obiettivo"] for r in cross_cutting] == ["interpretazione"]


def test_axis_missions_have_the_seed_mission_names() -> None:
    result = query("matrice-allineamenti")
    names = {r["codice_missione"]: r["titolo_missione"] for r in result if "codice_missione" in r}
    assert names["M2"] == "Rivoluzione verde e transizione ecologica"
    assert names["M6"] == "Salute"
    assert names["M4"] == "Istruzione e ricerca"


def test_declared_counts_kept_with_their_sources_conflicts_included() -> None:
    result = query("conteggi-dichiarati")
    plan = {(r["conta"], r["id_fonte"]): int(r["dichiarato"]) for r in result if r["codice"] == "2021-2023"}
    assert plan[("Strategia", "presentazione")] == 28  # the slide's headline
    assert plan[("Strategia", "torinometropoli-piano-strategico")] == 24  # the official site
    assert plan[("Azione", "presentazione")] == 111
    assert plan[("Asse", "presentazione")] == 6
    per_axis = {
        r["codice"]: int(r["dichiarato"])
        for r in result
        if r["conta"] == "Azione" and r["codice"] != "2021-2023"
    }
    assert per_axis == {"1": 28, "2": 28, "3": 18, "4": 12, "5": 15, "6": 9}
    assert sum(per_axis.values()) == 110  # the seed's own per-axis counts, shown as they are


def test_every_seed_sourced_text_is_in_the_seed() -> None:
    """Data honesty: what cites the presentation must be found in it (whitespace folded)."""
    seed = " ".join(seed_text().split())
    result = sparql(
        "SELECT ?text WHERE { ?r dct:source <fonte/presentazione> ;"
        " skos:prefLabel|dct:description|psm:motto ?text ;"
        " a ?c . FILTER (?c IN (psm:Asse, psm:Strategia)) }"
    )
    assert len(result) == 6 * 2 + 24
    missing = [r["text"] for r in result if r["text"] not in seed]
    assert missing == []


def test_axes_keep_their_press_and_magazine_names_with_their_sources() -> None:
    result = sparql(
        "SELECT ?code ?name ?source WHERE { ?a a psm:Asse ; skos:inScheme/skos:notation '2021-2023' ;"
        " skos:notation ?code ; <http://www.w3.org/2008/05/skos-xl#altLabel> ?l ."
        " ?l <http://www.w3.org/2008/05/skos-xl#literalForm> ?name ; dct:source/dct:identifier ?source }"
    )
    names = {(r["code"], r["name"]) for r in result if r["source"] == "cronache-14-2021"}
    assert ("4", "Torino Metropoli che impara di più") in names
    assert ("5", "Torino Metropoli più attrattiva, giusta ed eguale") in names
    assert len(names) == 6
