"""The RDF document of a resource: what dereferencing its IRI returns.

A document holds the resource's outgoing triples, the triples pointing at it, the blank nodes it
reaches (closure), and the labels of everything it mentions. The document of `X` also describes
every hash IRI `X#…` (ontologia#Azione, psm/2021-2023#periodo), since a client dereferencing a hash
IRI asks for `X`. Triples are merged across named graphs (the union, as on /sparql).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, RDFS, SKOS

LABELS = tuple(ox.NamedNode(iri) for iri in (SKOS + "prefLabel", RDFS + "label", DCT + "title"))
MAX_INCOMING = 5000  # per resource; bounds the document of a class with very many instances

Subject = ox.NamedNode | ox.BlankNode


def index_of(store: ReadStore, base: str) -> dict[str, object]:
    """What a Describer needs of the whole release, found by two scans of every quad: each named
    graph's size, and the hash IRIs under `base` by the IRI before their `#`. A build writes it into
    the release (release.INDEX_FILE), so that a server need not scan a large store at every start."""
    graphs = {
        s["g"].value: int(s["n"].value)  # type: ignore[index,union-attr]
        for s in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    hash_members: dict[str, list[str]] = defaultdict(list)
    query = (
        "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } "
        f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), {ox.Literal(base)}) && CONTAINS(STR(?x), '#')) }}"
    )
    for solution in store.query(query, use_default_graph_as_union=True):
        member = solution["x"].value  # type: ignore[index,union-attr]
        hash_members[member.split("#", 1)[0]].append(member)
    return {
        "base": base,
        "graphs": dict(sorted(graphs.items())),
        "hash_members": {k: sorted(v) for k, v in sorted(hash_members.items())},
    }


class Describer:
    """`index`: the release's index_of for this base (read from the release), or None to scan the
    store for it now."""

    def __init__(self, store: ReadStore, base: str, index: dict[str, Any] | None = None) -> None:
        self.store, self.base = store, base
        if index is None or index.get("base") != base:
            index = index_of(store, base)
        self.graphs: dict[str, int] = dict(index["graphs"])
        self.hash_members: dict[str, list[ox.NamedNode]] = {
            parent: [ox.NamedNode(m) for m in members] for parent, members in index["hash_members"].items()
        }

    def known(self, iri: str) -> bool:
        """Whether the release says anything about `iri` (as subject, object, graph or hash parent).
        False for a string that is not an IRI (a request path may hold any character)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return (
            iri in self.hash_members
            or iri in self.graphs
            or _any(self.store.quads_for_pattern(node, None, None))
            or _any(self.store.quads_for_pattern(None, None, node))
        )

    def describe(self, iri: str) -> list[ox.Triple]:
        """The document of `iri`, sorted (so the same release gives the same bytes)."""
        resource = ox.NamedNode(iri)
        described: list[Subject] = [resource, *self.hash_members.get(iri, [])]
        triples: set[ox.Triple] = set()
        for subject in described:
            triples.update(self._outgoing(subject))
            incoming = self.store.quads_for_pattern(None, None, subject)
            for n, quad in enumerate(incoming):
                if n >= MAX_INCOMING:
                    break
                triples.add(quad.triple)
        self._close_blank_nodes(triples)
        triples.update(self._labels(triples, set(described)))
        return sorted(triples, key=str)

    def _outgoing(self, subject: Subject) -> set[ox.Triple]:
        return {quad.triple for quad in self.store.quads_for_pattern(subject, None, None)}

    def _close_blank_nodes(self, triples: set[ox.Triple]) -> None:
        seen: set[ox.BlankNode] = set()
        todo = [t.object for t in triples if isinstance(t.object, ox.BlankNode)]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in self._outgoing(node):
                triples.add(triple)
                if isinstance(triple.object, ox.BlankNode):
                    todo.append(triple.object)

    def _labels(self, triples: set[ox.Triple], described: set[Subject]) -> set[ox.Triple]:
        mentioned = {
            term
            for t in triples
            for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode) and term not in described
        }
        return {
            quad.triple
            for term in mentioned
            for label in LABELS
            for quad in self.store.quads_for_pattern(term, label, None)
        }


def _any(quads: Iterable[ox.Quad]) -> bool:
    return next(iter(quads), None) is not None
