"""Every named query, for every edition, answers only what the release holds.

Each answer row is checked against the release's own triples, read with rdflib (not with the query
engine that produced the row): every plan element a row names belongs to the edition asked for,
every alignment a row states is backed by a triple of the release (an alignment property, or a
qualified alignment: stated, interpreted or derived by rule), and every figure that counts what the
data holds equals the count made here from the triples.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pyoxigraph as ox
import pytest
from kg import BASE, query, real_nquads, settings
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from psm_ld.config import PROJECT_ROOT
from psm_ld.queries import load_queries

PSM = BASE + "ontologia#"
EDITIONS = ("2021-2023", "2024-2026")
QUALIFIED = URIRef(PSM + "allineamentoQualificato")
CONCEPT = URIRef(PSM + "concettoAllineato")
# query → (column naming a plan element, column naming what the row says it is aligned with)
ALIGNMENT_CLAIMS: dict[str, list[tuple[str, str]]] = {
    "matrice-allineamenti": [("asse", "missione"), ("asse", "obiettivo")],
    "azioni-per-missione-pnrr": [("azione", "m")],
    "azioni-per-programma-ue": [("azione", "p")],
    "confronto-edizioni": [("asse_da", "missione_da"), ("asse_a", "missione_a")],
}


@cache
def release() -> Graph:
    dataset = Dataset()
    dataset.parse(data=real_nquads(), format="nquads")
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def psm(name: str) -> URIRef:
    return URIRef(PSM + name)


def plan(edition: str) -> URIRef:
    return URIRef(f"{BASE}psm/{edition}")


def members(edition: str) -> set[URIRef]:
    """The plan edition and every axis, strategy and action in it."""
    graph = release()
    return {
        plan(edition),
        *(s for s in graph.subjects(SKOS.inScheme, plan(edition)) if isinstance(s, URIRef)),
    }


def aligned(element: URIRef) -> set[URIRef]:
    """Concepts a triple of the release aligns `element` with (a component also backs its mission)."""
    graph = release()
    properties = set(graph.subjects(RDFS.subPropertyOf, psm("allineamento")))
    targets = {o for p in properties for o in graph.objects(element, p)}
    targets |= {o for q in graph.objects(element, QUALIFIED) for o in graph.objects(q, CONCEPT)}
    targets |= {m for c in set(targets) for m in graph.objects(c, SKOS.broader)}
    return {t for t in targets if isinstance(t, URIRef)}


def below(element: URIRef, cls: str) -> set[URIRef]:
    """Members of class `cls` under `element` (narrower, at any depth; axes of a plan)."""
    graph = release()
    found: set[URIRef] = set()
    todo = [element, *graph.subjects(SKOS.topConceptOf, element)]
    seen: set[object] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node != element and (node, RDF.type, psm(cls)) in graph:
            found.add(node)  # type: ignore[arg-type]
        todo.extend(graph.subjects(SKOS.broader, node))
        if node == element:
            todo.extend(graph.subjects(SKOS.topConceptOf, node))
    return found


def notation_of(node: URIRef) -> str:
    return str(release().value(node, SKOS.notation))


def vocabulary_missions() -> list[str]:
    """The PNRR missions' notations in the vocabularies the build reads (every Turtle file of
    data/vocabolari, as build/graph.py): the parameters are chosen at collection, in every xdist
    worker, where building the release to read them took 2 s each
    (test_the_missions_asked_are_the_releases checks they are the release's)."""
    graph = ox.Store()
    for path in sorted((settings().data_dir / "vocabolari").glob("*.ttl")):
        graph.load(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    mission, notation = ox.NamedNode(PSM + "MissionePNRR"), ox.NamedNode(str(SKOS.notation))
    missions = [q.subject for q in graph.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), mission)]
    return sorted(q.object.value for m in missions for q in graph.quads_for_pattern(m, notation, None))


def runs() -> Iterator[tuple[str, dict[str, str]]]:
    """Every named query with every edition (and every value of its other parameters that matters)."""
    missions = vocabulary_missions()
    for name, named in sorted(load_queries(PROJECT_ROOT / "queries").items()):
        params = {p.name for p in named.params}
        if name == "confronto-edizioni":
            yield name, {"da": EDITIONS[0], "a": EDITIONS[1]}
            yield name, {"da": EDITIONS[1], "a": EDITIONS[0]}
            continue
        for edition in EDITIONS:
            given = {"edizione": edition} if "edizione" in params else {}
            if "missione" in params:
                yield from ((name, {**given, "missione": m}) for m in missions)
            elif "asse" in params:
                yield from ((name, {**given, "asse": str(n)}) for n in range(1, 7))
            else:
                yield name, given


RUNS = list(runs())


def run_id(run: tuple[str, dict[str, str]]) -> str:
    return run[0] + "-" + "-".join(run[1].values())


def editions_of(column: str, given: dict[str, str]) -> set[URIRef]:
    if column.endswith("_da"):
        return members(given["da"])
    if column.endswith("_a"):
        return members(given["a"])
    if "edizione" in given:
        return members(given["edizione"])
    return set().union(*(members(e) for e in EDITIONS))


def test_every_query_runs_for_every_edition() -> None:
    assert {name for name, _ in RUNS} == set(load_queries(PROJECT_ROOT / "queries"))


def test_the_missions_asked_are_the_releases() -> None:
    graph = release()
    in_release = sorted(notation_of(m) for m in graph.subjects(RDF.type, psm("MissionePNRR")))  # type: ignore[arg-type]
    assert in_release and vocabulary_missions() == in_release


@pytest.mark.parametrize("run", RUNS, ids=run_id)
def test_rows_name_only_elements_of_the_edition_asked(run: tuple[str, dict[str, str]]) -> None:
    name, given = run
    for row in query(name, **given):
        for column, value in row.items():
            if value.startswith(BASE + "psm/") and "#" not in value and "/conteggio/" not in value:
                assert URIRef(value) in editions_of(column, given), (name, given, column, value)


@pytest.mark.parametrize("run", [r for r in RUNS if r[0] in ALIGNMENT_CLAIMS], ids=run_id)
def test_every_alignment_in_an_answer_is_a_triple_of_the_release(run: tuple[str, dict[str, str]]) -> None:
    name, given = run
    for row in query(name, **given):
        for element, target in ALIGNMENT_CLAIMS[name]:
            if target in row:
                assert element in row, (name, row)
                assert URIRef(row[target]) in aligned(URIRef(row[element])), (name, given, row)


@pytest.mark.parametrize("edition", EDITIONS)
def test_alignment_matrix_has_one_row_per_axis_and_alignment_combination(edition: str) -> None:
    graph = release()
    expected = []
    for axis in graph.subjects(SKOS.topConceptOf, plan(edition)):
        targets = aligned(axis)  # type: ignore[arg-type]
        missions = [t for t in targets if (t, RDF.type, psm("MissionePNRR")) in graph] or [None]
        objectives = [t for t in targets if (t, RDF.type, psm("ObiettivoStrategicoCoesione")) in graph] or [
            None
        ]
        expected += [(str(axis), m and str(m), o and str(o)) for m in missions for o in objectives]
    plan_objectives = [
        t for t in aligned(plan(edition)) if (t, RDF.type, psm("ObiettivoStrategicoCoesione")) in graph
    ]
    expected += [(str(plan(edition)), None, str(o)) for o in plan_objectives]
    rows = query("matrice-allineamenti", edizione=edition)
    assert sorted((r["asse"], r.get("missione"), r.get("obiettivo")) for r in rows) == sorted(
        expected, key=lambda t: tuple(x or "" for x in t)
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_counts_per_axis_are_what_the_data_holds(edition: str) -> None:
    for row in query("conteggi-per-asse", edizione=edition):
        axis = URIRef(row["asse"])
        assert int(row["strategie_presenti"]) == len(below(axis, "Strategia")), row
        assert int(row["azioni_presenti"]) == len(below(axis, "Azione")), row
    for row in query("conteggi-dichiarati", edizione=edition):
        owner, counted = URIRef(row["oggetto"]), row["conta"]
        assert int(row["presenti"]) == len(below(owner, counted)), row
        declared = {
            int(v)  # type: ignore[call-overload]
            for c in release().objects(owner, psm("conteggioDichiarato"))
            for v in release().objects(c, psm("valoreDichiarato"))
        }
        assert int(row["dichiarato"]) in declared, row


@pytest.mark.parametrize("edition", EDITIONS)
def test_actions_per_strategy_are_what_the_data_holds(edition: str) -> None:
    for n in range(1, 7):
        for row in query("strategie-di-un-asse", edizione=edition, asse=str(n)):
            strategy = URIRef(row["strategia"])
            assert int(row["azioni_presenti"]) == len(below(strategy, "Azione")), row
            assert Literal(row["titolo"], lang="it") in set(release().objects(strategy, SKOS.prefLabel)), row


@pytest.mark.parametrize("editions", [EDITIONS, EDITIONS[::-1]])
def test_editions_compared_with_the_counts_the_data_holds(editions: tuple[str, str]) -> None:
    da, a = editions
    rows = query("confronto-edizioni", da=da, a=a)
    for row in rows:
        for side in ("da", "a"):
            if f"asse_{side}" in row:
                axis = URIRef(row[f"asse_{side}"])
                assert int(row[f"strategie_{side}"]) == len(below(axis, "Strategia")), row
                assert int(row[f"azioni_{side}"]) == len(below(axis, "Azione")), row
    codes = {notation_of(x) for e in editions for x in release().subjects(SKOS.topConceptOf, plan(e))}  # type: ignore[arg-type]
    assert {r["codice"] for r in rows} == codes


@pytest.mark.parametrize("edition", EDITIONS)
def test_incomplete_actions_are_the_actions_without_title_or_stated_alignment(edition: str) -> None:
    graph = release()
    actions = {a for a in members(edition) if (a, RDF.type, psm("Azione")) in graph}
    properties = set(graph.subjects(RDFS.subPropertyOf, psm("allineamento")))
    expected = {
        str(a)
        for a in actions
        if graph.value(a, SKOS.prefLabel) is None
        or not any(True for p in properties for _ in graph.objects(a, p))
    }
    assert {r["azione"] for r in query("azioni-incomplete", edizione=edition)} == expected
