"""Every named query in queries/ runs on the built graph and gives the answer the sources support."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg import BASE, project_copy, query, settings

from psm_ld.build.graph import build
from psm_ld.build.write import canonical_nquads
from psm_ld.config import PROJECT_ROOT
from psm_ld.queries import QueryError, load_queries
from psm_ld.query.store import rows, run_named, store_from_bytes

TESTED = {
    "conteggi-per-asse",
    "conteggi-dichiarati",
    "strategie-di-un-asse",
    "azioni-per-missione-pnrr",
    "matrice-allineamenti",
    "azioni-per-programma-ue",
    "azioni-incomplete",
    "confronto-edizioni",
    "allineamenti",
}


def test_every_query_has_a_test_and_a_documented_header() -> None:
    queries = load_queries(PROJECT_ROOT / "queries")
    assert set(queries) == TESTED
    for q in queries.values():
        assert q.title and q.title_en and q.description and q.description_en, q.name
        assert all(p.description for p in q.params), q.name


def test_counts_per_axis() -> None:
    result = {r["codice"]: r for r in query("conteggi-per-asse")}
    assert list(result) == ["1", "2", "3", "4", "5", "6"]
    assert [int(r["strategie_presenti"]) for r in result.values()] == [7, 5, 4, 2, 4, 2]
    assert [int(r["azioni_presenti"]) for r in result.values()] == [0, 3, 2, 1, 1, 3]
    assert result["1"]["azioni_dichiarate"] == "28 (presentazione)"
    assert result["2"]["strategie_dichiarate"] == "5 (presentazione)"


def test_declared_counts_show_the_conflict() -> None:
    strategies = {
        r["id_fonte"]: (int(r["dichiarato"]), int(r["presenti"]))
        for r in query("conteggi-dichiarati")
        if r["conta"] == "Strategia" and r["codice"] == "2021-2023"
    }
    sums = {
        (r["conta"], r["id_fonte"]): int(r["somma_per_asse"])
        for r in query("conteggi-dichiarati")
        if r["codice"] == "2021-2023" and "somma_per_asse" in r
    }
    assert sums == {("Strategia", "presentazione"): 24, ("Azione", "presentazione"): 110}
    assert strategies == {
        "presentazione": (28, 24),
        "torinometropoli-piano-strategico": (24, 24),
        "torinoggi-2021-03-24": (24, 24),
        "corriere-2021-03-24": (24, 24),
    }


def test_strategies_of_an_axis() -> None:
    result = query("strategie-di-un-asse", asse="3")
    assert [r["codice"] for r in result] == ["3.1", "3.2", "3.3", "3.4"]
    assert result[2]["titolo"] == "Ridisegnare la metropoli come rete policentrica di città e quartieri 15'"
    assert [int(r["azioni_presenti"]) for r in result] == [2, 0, 0, 0]
    assert [r["codice"] for r in query("strategie-di-un-asse")] == [f"1.{i}" for i in range(1, 8)]


def test_actions_by_pnrr_mission_are_derived_from_the_axis_and_say_so() -> None:
    result = query("azioni-per-missione-pnrr", missione="M6")
    assert [(r["codice"], r["come"]) for r in result] == [
        ("6.1.1", "tramite asse"),
        ("6.1.2", "tramite asse"),
        ("6.1.3", "tramite asse"),
    ]
    assert result[1]["titolo"] == "Rete metropolitana case della salute"
    assert query("azioni-per-missione-pnrr", missione="M1") == []  # no action of axis 1 is known yet


def test_alignment_matrix() -> None:
    result = query("matrice-allineamenti")
    assert [(r["codice"], r.get("codice_missione"), r["codice_obiettivo"]) for r in result] == [
        ("1", "M1", "OP1"),
        ("2", "M2", "OP2"),
        ("3", "M3", "OP3"),
        ("4", "M4", "OP4"),
        ("5", "M5", "OP4"),
        ("6", "M6", "OP4"),
        ("trasversale", None, "OP5"),
    ]
    # the slide's cohesion table lost its layout: which axes share OP4, and OP5 for the plan, are readings
    assert [r["base_obiettivo"] for r in result] == ["dichiarato"] * 3 + ["interpretazione"] * 4
    assert {r["base_missione"] for r in result if "base_missione" in r} == {"dichiarato"}


def test_alignment_matrix_of_the_plan_in_force() -> None:
    """Regression: the 2024-2026 matrix once paired every axis with every coded concept (588 rows)."""
    result = query("matrice-allineamenti", edizione="2024-2026")
    assert [(r["codice"], r["codice_missione"], r["base_missione"]) for r in result] == [
        (str(n), f"M{n}", "interpretazione") for n in range(1, 7)
    ]
    assert all("obiettivo" not in r for r in result)  # no source gives this edition's cohesion objectives


def test_incomplete_actions() -> None:
    result = query("azioni-incomplete")
    assert len(result) == 10  # every known action: no source gives their alignments yet
    assert all(r["senza_allineamenti"] == "true" and r["senza_titolo"] == "false" for r in result)


def test_actions_by_eu_programme(tmp_path: Path) -> None:
    assert query("azioni-per-programma-ue") == []  # no source read so far names an action's programme
    # the query itself, on a copy whose tables state one (test data, not published)
    root = project_copy(tmp_path)
    with (root / "data/psm-2021-2023/allineamenti.csv").open("a", encoding="utf-8") as table:
        table.write(
            "2.1.3,programma-ue,life,cmto-psm-asse2,prova\n2.1.1,componente-pnrr,M2C4,cmto-psm-asse2,prova\n"
        )
    store = store_from_bytes(canonical_nquads(build(settings(root)).dataset))
    named = load_queries(root / "queries")
    result = rows(run_named(store, named["azioni-per-programma-ue"], BASE, {"programma": "life"}))
    assert [(r["codice"], r["codice_programma"]) for r in result] == [("2.1.3", "life")]
    assert rows(run_named(store, named["azioni-per-programma-ue"], BASE, {"programma": "cef"})) == []
    stated = rows(run_named(store, named["azioni-per-missione-pnrr"], BASE, {"missione": "M2"}))
    assert [(r["codice"], r["come"]) for r in stated] == [
        ("2.1.1", "dichiarato"),
        ("2.1.2", "tramite asse"),
        ("2.1.3", "tramite asse"),
    ]


def test_parameters_are_values_not_query_text() -> None:
    assert query("strategie-di-un-asse", asse='1" } UNION { ?s ?p ?o') == []
    with pytest.raises(QueryError, match="sconosciuti"):
        query("strategie-di-un-asse", colore="blu")


def test_editions_are_kept_apart() -> None:
    later = {
        (r["conta"], r["id_fonte"]): (int(r["dichiarato"]), int(r["presenti"]))
        for r in query("conteggi-dichiarati", edizione="2024-2026")
    }
    assert later == {
        ("Asse", "loscoprinotizie-2024"): (6, 6),
        ("Strategia", "loscoprinotizie-2024"): (25, 6),
        ("Azione", "loscoprinotizie-2024"): (113, 13),
    }
    axes = query("conteggi-per-asse", edizione="2024-2026")
    assert [r["titolo"] for r in axes][0] == "Torino metropoli più produttiva e innovativa"
    # same codes, other edition: 2.1.1 of 2024-2026 is not the 2021-2023 «Rete metropolitana …»
    untitled = query("azioni-incomplete", edizione="2024-2026")
    assert len(untitled) == 13 and all(r["senza_titolo"] == "true" for r in untitled)


def test_editions_compared_axis_by_axis() -> None:
    rows = {r["codice"]: r for r in query("confronto-edizioni")}
    assert list(rows) == ["1", "2", "3", "4", "5", "6"]
    first = rows["1"]
    assert (first["titolo_da"], first["titolo_a"]) == (
        "Torino Metropoli + produttiva", "Torino metropoli più produttiva e innovativa"
    )  # fmt: skip
    assert (first["strategie_da"], first["strategie_a"]) == ("7", "1")
    # 2021-2023: the slide's table states it; 2024-2026: the press says «6 assi che corrispondono alle 6
    # missioni» without pairing them, so axis n → Mn is a reading of the order, graded as such
    assert (first["missione_pnrr_da"], first["base_missione_da"]) == ("M1", "dichiarato")
    assert (first["missione_pnrr_a"], first["base_missione_a"]) == ("M1", "interpretazione")
    assert rows["6"]["azioni_da"] == "3" and rows["6"]["azioni_a"] == "2"
    backwards = {r["codice"]: r for r in query("confronto-edizioni", da="2024-2026", a="2021-2023")}
    assert backwards["2"]["titolo_da"] == "Torino metropoli più verde ed ecologica"


def test_alignments_with_their_basis() -> None:
    result = query("allineamenti")
    stated = [r for r in result if r["base"] != "derivato per regola"]
    bases = {(r["codice"], r["codice_concetto"]): r["base"] for r in stated}
    assert bases[("1", "M1")] == "dichiarato" and bases[("6", "OP4")] == "interpretazione"
    assert bases[("2021-2023", "OP5")] == "interpretazione"
    assert all(r["id_fonte"] == "presentazione" for r in stated)
    assert all("nota" in r for r in stated if r["base"] == "interpretazione")  # which reading
    derived = [r for r in result if r["base"] == "derivato per regola"]
    # 24 strategies and 10 actions each inherit their axis's mission and cohesion objective
    assert len(derived) == (24 + 10) * 2
    assert all(
        "fonte" not in r and r["derivato_da"].split("#")[0].rsplit("/", 2)[1] == "asse" for r in derived
    )
    later = query("allineamenti", edizione="2024-2026")
    assert {r["base"] for r in later if r["codice"] in "123456"} == {"interpretazione"}
    assert {r["codice_concetto"] for r in later} == {f"M{n}" for n in range(1, 7)}


def test_editions_comparison_says_why_the_second_edition_is_thin() -> None:
    """Only the stored copies of the 2024-2026 axis pages were cut short, not the public sources."""
    named = load_queries(PROJECT_ROOT / "queries")["confronto-edizioni"]
    assert "fonti pubbliche" not in named.description and "public sources" not in named.description_en
    assert "copie conservate" in named.description and "stored copies" in named.description_en
