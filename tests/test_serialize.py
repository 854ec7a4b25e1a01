"""RDF output details that clients depend on (psm_ld.serialize)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from psm_ld.query import conneg
from psm_ld.query.serialize import triples_to_bytes

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EX = "http://example.org/"


def rdf_list(subject: str, items: list[str]) -> list[ox.Triple]:
    """<subject> ex:p ( items… ) with blank nodes b0, b1…"""
    nodes = [ox.BlankNode(f"b{i}") for i in range(len(items))]
    triples = [ox.Triple(ox.NamedNode(subject), ox.NamedNode(EX + "p"), nodes[0])]
    for i, item in enumerate(items):
        rest = nodes[i + 1] if i + 1 < len(items) else ox.NamedNode(RDF + "nil")
        triples.append(ox.Triple(nodes[i], ox.NamedNode(RDF + "first"), ox.Literal(item)))
        triples.append(ox.Triple(nodes[i], ox.NamedNode(RDF + "rest"), rest))
    return triples


def test_json_ld_is_stable_but_keeps_list_order() -> None:
    triples = rdf_list(EX + "s", ["zeta", "alfa", "mu"]) + [
        ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), ox.Literal(v)) for v in ("c", "a", "b")
    ]
    forward = triples_to_bytes(triples, conneg.JSONLD, EX)
    assert triples_to_bytes(list(reversed(triples)), conneg.JSONLD, EX) == forward  # input order is moot
    text = forward.decode("utf-8")
    assert text.index('"zeta"') < text.index('"alfa"') < text.index('"mu"')  # an RDF list keeps its order
    node = next(n for n in json.loads(text).get("@graph", [json.loads(text)]) if n.get("@id") == EX + "s")
    values = node[next(k for k in node if k.endswith("q"))]
    assert values == sorted(values, key=lambda v: json.dumps(v, sort_keys=True))  # a set, in a stable order


def test_json_ld_keeps_blank_node_labels() -> None:
    triples = [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.BlankNode("gabc123"))]
    triples.append(ox.Triple(ox.BlankNode("gabc123"), ox.NamedNode(EX + "q"), ox.Literal("x")))
    assert b'"_:gabc123"' in triples_to_bytes(triples, conneg.JSONLD, EX)


# --- SELECT results written by the engine's serializer, held to the row and byte limits -------------

# values that look like the row separators the fast counts look for: "},{" inside JSON strings,
# newlines and quotes inside CSV cells, "<result>" inside XML text, and escaped backslashes
TRICKY = ['a"},{"b', "x\\", 'new\nline, "quoted"', "<result>", "", "\\\"},{"]


def _store(n: int) -> ox.Store:
    store = ox.Store()
    for i in range(n):
        value = TRICKY[i % len(TRICKY)] + str(i)
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(value)))
    return store


def test_select_rows_counted_exactly_in_every_format() -> None:
    import pytest

    from psm_ld.query.executor import Job, QueryFailed, execute

    query = "SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <urn:x-nothing> ?none } }"
    for media in conneg.SELECT_TYPES:
        for rows, limit in ((12, 12), (13, 12), (0, 0), (1, 0)):
            job = Job(query, EX, False, select_type=media, max_rows=limit)
            if rows <= limit:
                body = execute(_store(rows), job).body
                if media == conneg.TSV:
                    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
                    assert sum(1 for _ in parsed) == rows
            else:
                with pytest.raises(QueryFailed) as refused:
                    execute(_store(rows), job)
                assert refused.value.status == 422 and refused.value.limit == limit, (media, rows)
    job = Job(query, EX, False, max_bytes=2000)  # JSON, stopped while written
    with pytest.raises(QueryFailed) as refused:
        execute(_store(5000), job)
    assert refused.value.status == 422 and refused.value.limit == 2000
    body = execute(_store(40), Job(query, EX, False)).body  # the engine's JSON, every row there
    assert len(json.loads(body)["results"]["bindings"]) == 40
