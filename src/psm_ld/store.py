"""The served store: a release's N-Quads loaded into an embedded pyoxigraph store.

The default graph is the union of the named graphs (design.md, "Serve").
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .queries import NamedQuery


def load_store(nquads: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return store


def run_named(
    store: ox.Store, query: NamedQuery, base: str, given: dict[str, str] | None = None
) -> ox.QuerySolutions:
    return store.query(  # type: ignore[return-value]
        query.render(given), base_iri=base, use_default_graph_as_union=True
    )


def rows(solutions: ox.QuerySolutions) -> list[dict[str, str]]:
    """Solutions as plain dicts of lexical values (unbound variables left out)."""
    names = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        out.append(row)
    return out


def store_from_bytes(nquads: bytes) -> ox.Store:
    """An in-memory store of a release not yet written (used by the report before publishing)."""
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return store
