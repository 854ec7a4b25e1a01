"""The plan as a series, graded alignments, charts and the declared-but-missing action (issue 11,
point 8; issue 15, point 6): pages rendered in-process from the real build, routes through the app
(tests/conftest.py `same_origin`), figures held against the CSV tables in data/."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser

import pytest
from kg import BASE
from servers import InProcess
from test_pages import ORIGIN, page, pages, text

from psm_ld.config import PROJECT_ROOT
from psm_ld.pages import series
from psm_ld.pages.kinds.missing import README_SECTION, steps

DATA = PROJECT_ROOT / "data"
HTML = {"Accept": "text/html"}


def rows(edition: str, table: str) -> list[dict[str, str]]:
    with (DATA / f"psm-{edition}" / f"{table}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def declared_actions(edition: str) -> dict[str, int]:
    """Axis code → the number of actions the sources declare for it (the largest), from conteggi.csv."""
    out: dict[str, int] = {}
    for row in rows(edition, "conteggi"):
        if row["conta"] == "azioni" and row["oggetto"] != "piano":
            out[row["oggetto"]] = max(out.get(row["oggetto"], 0), int(row["valore"]))
    return out


def present_actions(edition: str, axis: str) -> int:
    return sum(1 for row in rows(edition, "azioni") if row["codice"].split(".")[0] == axis)


@pytest.fixture()
def year(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set the year the pages see: `year(2025)`."""

    def set_year(y: int) -> None:
        monkeypatch.setattr(series, "today", lambda: date(y, 6, 1))

    yield set_year


# ---------------------------------------------------------------- the series and its status


@pytest.mark.parametrize(
    ("when", "statuses"),
    [
        (2022, ("non ancora in vigore", "in vigore")),
        (2025, ("in vigore", "conclusa")),
        (2027, ("conclusa", "conclusa")),
    ],
)
def test_home_gives_each_edition_its_status_in_the_current_year(
    year, when: int, statuses: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    year(when)
    home = pages().home(ORIGIN)
    cards = re.findall(
        r'(?s)<li class="card edition status-([a-z-]+)" data-edition="([0-9-]+)">(.*?)</li>'
        r'\s*(?=<li class="card edition|</ol>)',
        home,
    )
    assert [code for _, code, _ in cards] == ["2024-2026", "2021-2023"]  # newest first
    for (_, _, card), label in zip(cards, statuses, strict=True):
        assert f'<span class="badge">{label}</span>' in card
        assert f"stato nel {when}" in text(card)
    # the edition at a glance is the one in force (else the newest)
    heading = re.search(r'(?s)<h2 id="h-assi">(.*?)</h2>', home).group(1)  # type: ignore[union-attr]
    in_force = {2022: "2021-2023", 2025: "2024-2026", 2027: "2024-2026"}[when]
    assert in_force in text(heading)


def test_status_pure() -> None:
    assert series.status("2024", "2026", 2026) == "in-vigore"
    assert series.status("2021", "2023", 2024) == "conclusa"
    assert series.status("", "2023", 2024) == ""


def test_home_says_the_counts_once_with_the_reason() -> None:
    body = text(pages().home(ORIGIN))
    # the comparison table: both editions, present and declared for every level
    table = re.search(
        r"Edizione Stato Assi nei dati dichiarati Strategie nei dati dichiarate Azioni nei dati dichiarate"
        r" (.*?) Le edizioni",
        body,
    )
    assert table, body
    assert re.search(
        r"2024-2026 [a-z ]+ 6 6 6 25 13 113 2021-2023 [a-z ]+ 6 6 24 24 o 28 10 111", table.group(1)
    )
    assert body.count("gli elenchi completi sono nelle schede per asse") == 1
    assert "111 azioni dichiarate" not in body  # the per-source detail is on the edition's page


def test_edition_pages_list_every_action_in_the_data() -> None:
    for edition in ("2021-2023", "2024-2026"):
        markup = page(f"psm/{edition}")
        for row in rows(edition, "azioni"):
            assert f'href="{ORIGIN}psm/{edition}/azione/{row["codice"]}"' in markup, row["codice"]
    body = text(page("psm/2024-2026"))
    assert len(rows("2024-2026", "azioni")) == 13
    assert body.count("titolo non indicato dalle fonti") == 13  # the sources read give descriptions only
    assert "«Garantire qualità e affidabilità della connessione digitale" in body


def test_2024_matrix_is_graded_and_says_what_is_unknown() -> None:
    markup = page("psm/2024-2026")
    table = re.search(r'(?s)<table class="matrix">.*?</table>', markup).group(0)  # type: ignore[union-attr]
    marked = re.findall(r'data-concept="([^"]+)" data-basis="([^"]+)"', table)
    assert marked == [(f"M{n}", "interpretazione") for n in range(1, 7)]  # «6 assi … 6 missioni»: a reading
    unknown = table.count('<td class="unknown" title="non indicato dalle fonti">')
    assert unknown == 6 * (len(re.findall(r'<th scope="col"', table)) - 1)
    body = text(markup)
    assert "Obiettivi di coesione: non indicati dalle fonti per nessun asse di questa edizione" in body
    # each interpretation with its source and its note
    assert "La fonte dice «6 assi che corrispondono alle 6 missioni del PNRR»" in body
    assert 'href="https://www.loscoprinotizie.it/' in markup


def test_grading_is_shown_wherever_an_alignment_is(year) -> None:  # type: ignore[no-untyped-def]
    year(2025)
    home = pages().home(ORIGIN)  # 2024-2026 in force: its axes' alignments are interpretations only
    assert 'class="badge interpretazione"' in home and 'class="badge dichiarato"' not in home
    plan = text(page("psm/2021-2023"))
    assert "Interpretazioni dell'impaginazione di una fonte" in plan and "Dichiarati da una fonte" in plan
    assert "che valga per l'asse 4 è questa lettura" in plan  # the note of an interpretation
    axis6 = text(page("psm/2021-2023/asse/6"))
    assert re.search(r"OP4 .*? interpretazione fonte: .*?— Nel testo della slide", axis6)
    assert re.search(r"M6 .*? dichiarato fonte: ", axis6)
    action = text(page("psm/2021-2023/azione/6.1.1"))
    assert re.search(
        r"OP4 .*? derivato per regola .*? da Asse 6, dove è a sua volta «interpretazione»", action
    )
    assert "✓ indicato dalla presentazione" not in plan  # the old caption, which made readings facts


# ---------------------------------------------------------------- charts


class Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str]] = []
        self.ids: dict[str, str] = {}
        self.styles = 0
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.svgs.append(a)
        if "style" in a or tag in ("style", "script") and self.svgs:
            self.styles += 1
        if "id" in a:
            self.ids[a["id"]] = tag
            self._open = a["id"]

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.ids[self._open + ":text"] = data
            self._open = None


@pytest.mark.parametrize("path", ["", "psm/2021-2023", "psm/2024-2026"])
def test_charts_are_accessible_svg_beside_their_tables(path: str) -> None:
    markup = pages().home(ORIGIN) if not path else page(path)
    parser = Svg()
    parser.feed(markup)
    assert parser.svgs, "no chart"
    assert parser.styles == 0  # no style attribute or element: the CSP forbids them
    for svg in parser.svgs:
        assert svg["role"] == "img" and svg["class"] == "chart"
        title, desc = svg["aria-labelledby"].split()
        assert parser.ids[title] == "title" and parser.ids[desc] == "desc"
        assert parser.ids[title + ":text"] and parser.ids[desc + ":text"]
    # every chart's figures are also in a table on the same page
    assert markup.count('<svg class="chart"') <= markup.count("<table")
    for figure in re.findall(r'(?s)<figure class="chart">.*?</figure>', markup):
        assert "<script" not in figure


def test_matrix_chart_marks_each_basis_and_has_a_legend() -> None:
    markup = page("psm/2021-2023")
    chart = re.search(
        r'(?s)<svg class="chart"[^>]*aria-labelledby="grafico-matrice-2021-2023-t .*?</svg>', markup
    )
    assert chart, "no matrix chart"
    svg = chart.group(0)
    assert svg.count('class="mark-stated"') == 9 + 1  # M1-M6, OP1-OP3, and the legend
    assert svg.count('class="mark-interpreted"') == 4 + 1  # OP4 × 3, OP5 for the plan, the legend
    assert 'fill="url(#grafico-matrice-2021-2023-hatch)"' in svg
    for words in (
        "dichiarato da una fonte",
        "interpretazione dell&#39;impaginazione di una fonte",
        "derivato per regola dal livello superiore",
        "non indicato dalle fonti",
    ):
        assert words in svg, words


# ---------------------------------------------------------------- the declared-but-missing action


def test_readme_steps_are_read_from_data_readme() -> None:
    found = steps((DATA / "README.md").read_text(encoding="utf-8"))
    assert README_SECTION in (DATA / "README.md").read_text(encoding="utf-8")
    assert len(found) >= 5 and ("fonti.csv", True) in found[0]


AXES_2021 = sorted(declared_actions("2021-2023"))


@pytest.mark.parametrize("axis", AXES_2021)
def test_missing_action_explains_itself_per_axis(same_origin: InProcess, axis: str) -> None:
    n, m = declared_actions("2021-2023")[axis], present_actions("2021-2023", axis)
    strategy = next(r["codice"] for r in rows("2021-2023", "strategie") if r["asse"] == axis)
    taken = {r["codice"] for r in rows("2021-2023", "azioni")}
    code = next(f"{strategy}.{k}" for k in range(1, 99) if f"{strategy}.{k}" not in taken)
    with same_origin.client() as client:
        r = client.get(f"/psm/2021-2023/azione/{code}", headers=HTML)
        assert r.status_code == 404
        body = text(r.text)
        assert f"Il piano dichiara {n} azioni per l'asse {axis}" in body
        assert f"i dati ne hanno {m}." in body
        assert (
            "gli elenchi completi delle azioni sono nelle schede per asse del piano, non ancora trascritte"
            in body
        )
        assert "Come un ufficio di piano le aggiunge" in body and "azioni.csv" in body
        # machine clients: the same 404 in the one error shape, with the numbers
        r = client.get(f"/psm/2021-2023/azione/{code}", headers={"Accept": "application/ld+json"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
        problem = json.loads(r.text)
        assert problem["status"] == 404 and set(problem) >= {"type", "title", "status", "detail", "instance"}
        assert (
            f"il piano dichiara {n} azioni per l'asse {axis} del PSM 2021-2023, i dati ne hanno {m}"
            in problem["detail"]
        )
        assert "data/README.md" in problem["detail"]
        r = client.get(f"/psm/2021-2023/azione/{code}", headers={"Accept": "text/turtle"})
        assert r.status_code == 404 and f"i dati ne hanno {m}" in r.text
        # the document path too
        assert client.get(f"/psm/2021-2023/azione/{code}.html", headers=HTML).status_code == 404


def test_missing_action_of_an_edition_without_per_axis_counts(same_origin: InProcess) -> None:
    with same_origin.client() as client:
        r = client.get("/psm/2024-2026/azione/1.1.4", headers=HTML)
        assert r.status_code == 404
        body = text(r.text)
        assert "Per l'asse 1 il numero di azioni è non indicato dalle fonti" in body
        assert "per l'intera edizione il piano ne dichiara 113" in body
        assert f"I dati ne hanno {present_actions('2024-2026', '1')} per questo asse" in body


@pytest.mark.parametrize(
    "path",
    [
        "psm/2021-2023/azione/9.1.1",
        "psm/2021-2023/azione/1.1.29",
        "psm/2021-2023/azione/1.9.1",
        "psm/2030-2032/azione/1.1.1",
    ],
)
def test_other_unknown_actions_are_plain_not_found(same_origin: InProcess, path: str) -> None:
    """No axis 9, more actions than axis 1 declares (28), a strategy beyond the 7 declared, no edition."""
    with same_origin.client() as client:
        r = client.get("/" + path, headers=HTML)
        assert r.status_code == 404 and "Pagina non trovata" in r.text
        r = client.get("/" + path, headers={"Accept": "application/json"})
        assert json.loads(r.text)["detail"].startswith("Non c'è nulla a questo indirizzo")


def test_html_etag_follows_the_year(same_origin: InProcess, year) -> None:  # type: ignore[no-untyped-def]
    """The edition page shows its status, which changes with the year: so does its ETag."""
    tags = {}
    with same_origin.client() as client:
        for y in (2025, 2027):
            year(y)
            r = client.get("/psm/2024-2026.html", headers=HTML)
            assert r.status_code == 200
            tags[y] = r.headers["etag"]
            assert ("in vigore" if y == 2025 else "conclusa") in text(r.text)
        assert tags[2025] != tags[2027]
        year(2027)
        assert (
            client.get("/psm/2024-2026.html", headers={**HTML, "If-None-Match": tags[2025]}).status_code
            == 200
        )
        ttl = []
        for y in (2025, 2027):
            year(y)
            ttl.append(client.get("/psm/2024-2026.ttl").headers["etag"])
        assert ttl[0] == ttl[1]  # RDF does not change with the year


def test_unknown_iri_is_none() -> None:
    assert pages().resource(BASE + "psm/2021-2023/azione/1.1.1", ORIGIN) is None
