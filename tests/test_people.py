"""What people see (issue 15): search over titles, descriptions, other names and codes with
suggestions; vocabularies as trees with an A-Z and counts of plan elements; named query results
for people (column titles, labels as links, plain values, an explanation when empty)."""

from __future__ import annotations

import re

from servers import InProcess
from test_pages import BASE, ORIGIN, page, pages, text

from psm_ld.pages import Table
from psm_ld.pages.search import snippet

ACTION = BASE + "psm/2021-2023/azione/2.1.1"


def _hits(q: str) -> list[str]:
    return [h.iri for h in pages().index.search(q)]


def test_search_finds_descriptions_accent_and_case_insensitive() -> None:
    for q in ("aree protette", "parchi", "AREE PROTETTE", "Parchi"):
        assert ACTION in _hits(q), q
    assert _hits("citta") == _hits("Città")


def test_search_ranks_codes_then_titles_then_descriptions() -> None:
    index = pages().index
    assert index.search("2.1.1")[0].field == "codice"
    hits = index.search("infrastrutture verdi")
    fields = [h.field for h in hits]
    assert fields[0] in ("etichetta", "titolo") and hits[0].iri == ACTION
    last_title = max(i for i, f in enumerate(fields) if f not in ("descrizione", "definizione"))
    first_text = min(
        (i for i, f in enumerate(fields) if f in ("descrizione", "definizione")), default=len(fields)
    )
    assert last_title < first_text  # every name hit above every description hit


def test_search_page_shows_where_a_description_matched() -> None:
    markup = pages().search("aree protette", ORIGIN)
    body = text(markup)
    assert "Rete metropolitana delle infrastrutture verdi" in body
    assert "descrizione: «" in body and "aree protette" in body
    english = text(pages().search("parchi", ORIGIN, "en"))
    assert "description: «" in english and re.search(r"\b1 result for «parchi»", english)
    long = "parola " * 60 + "aree protette " + "parola " * 60
    cut = snippet(long, "protette")
    assert "aree protette" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) < 160


def test_suggestions_endpoint(same_origin: InProcess) -> None:
    answer = same_origin.get("cerca/suggerimenti", params={"q": "parchi", "lang": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    found = answer.json()
    assert found and {"label", "code", "kind", "context", "url"} <= found[0].keys()
    assert any(hit["code"] == "2.1.1" and hit["url"].endswith("azione/2.1.1?lang=en") for hit in found)
    assert answer.headers["content-language"] == "en"
    assert same_origin.get("cerca/suggerimenti", params={"q": " "}).json() == []
    first = same_origin.get("cerca/suggerimenti", params={"q": "M2"}).json()[0]
    assert first["code"] == "M2"  # the exact code first


def test_scheme_page_is_a_tree_with_a_to_z_and_counts() -> None:
    markup = page("pnrr")
    tree = re.search(r'(?s)<ul class="tree">(.*?)</section>', markup)
    assert tree
    # missions hold their components
    m2 = re.search(
        r'(?s)<li><a href="[^"]*pnrr/missione/M2">.*?</li>\s*(?=<li><a href="[^"]*missione/M3")',
        tree.group(1),
    )
    assert m2 and "pnrr/componente/M2C1" in m2.group(0)
    assert 'id="a-z"' in markup and 'href="#lettera-' in markup
    tallies = re.search(r'(?s)<table class="tallies">.*?</table>', markup)
    assert tallies and "PSM 2021-2023" in tallies.group(0) and "PSM 2024-2026" in tallies.group(0)
    row = re.search(r'(?s)<tr><th scope="row"><a href="[^"]*missione/M2">.*?</tr>', tallies.group(0))
    assert row and re.search(r">[1-9]\d*</a>", row.group(0))  # counts link to the concept's list
    cohesion = page("coesione/2021-2027")
    assert "coesione/2021-2027/obiettivo-specifico/RSO1.1" in re.search(  # type: ignore[union-attr]
        r'(?s)<ul class="tree">.*?</section>', cohesion
    ).group(0)
    english = pages().resource(BASE + "pnrr", ORIGIN, "en") or ""
    assert "A to Z" in english and "axes" in english


def _result(name: str, params: dict[str, str]) -> Table:
    p = pages()
    solutions = p.store.query(p.queries[name].render(params), base_iri=BASE, use_default_graph_as_union=True)
    columns = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    rows = [{c: s[c] for c in columns if s[c] is not None} for s in solutions]  # type: ignore[union-attr]
    return Table(columns, rows)  # type: ignore[arg-type]


def test_named_query_results_are_for_people() -> None:
    table = _result("conteggi-per-asse", {})
    markup = pages().query_page("conteggi-per-asse", {}, table, ORIGIN)
    head = re.search(r"(?s)<thead>(.*?)</thead>", markup).group(1)  # type: ignore[union-attr]
    assert "Strategie presenti" in head and "strategie_presenti" not in head
    body = re.search(r"(?s)<tbody>(.*?)</tbody>", markup).group(1)  # type: ignore[union-attr]
    assert "xsd:" not in body and "@it" not in body and 'class="datatype"' not in body
    assert f'href="{ORIGIN}psm/2021-2023/asse/1"' in body  # the axis as a link…
    assert "Torino Metropoli + produttiva" in text(body)  # …with its label, not its IRI
    english = pages().query_page("conteggi-per-asse", {}, table, ORIGIN, lang="en")
    assert "Strategies present" in english


def test_an_empty_result_says_why() -> None:
    table = _result("strategie-di-un-asse", {"asse": "9"})
    assert not table.rows
    markup = pages().query_page("strategie-di-un-asse", {"asse": "9"}, table, ORIGIN)
    assert 'class="empty-explained"' in markup and "asse = «9»" in text(markup)
    english = pages().query_page("strategie-di-un-asse", {"asse": "9"}, table, ORIGIN, lang="en")
    assert "found nothing with these values" in text(english)
