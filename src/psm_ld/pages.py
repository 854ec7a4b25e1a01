"""HTML pages (Jinja2, autoescaped, Italian first). CONTRACT STUB: the pages helper replaces the bodies.

The server (app.py) calls only these methods. `origin` is the serving origin (e.g. http://127.0.0.1:8123/)
that links in HTML must point to; canonical IRIs (settings.base_uri) are mapped onto it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pyoxigraph as ox

from .config import Settings
from .queries import NamedQuery


@dataclass
class Table:
    """A SPARQL SELECT result ready for display."""

    columns: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]


class Pages:
    def __init__(self, store: ox.Store, settings: Settings, queries: dict[str, NamedQuery]) -> None:
        self.store, self.settings, self.queries = store, settings, queries

    def home(self, origin: str) -> str:
        return _page("Piano Strategico Metropolitano", "<p>psm-ld</p>")

    def resource(self, iri: str, origin: str) -> str | None:
        """The page of any IRI in the release (plan, axis, strategy, action, concept, term, shape);
        None when the store knows nothing about it."""
        if not any(self.store.quads_for_pattern(ox.NamedNode(iri), None, None)):
            return None
        return _page(iri, f"<p>{escape(iri)}</p>")

    def search(self, q: str, origin: str) -> str:
        return _page("Ricerca", f"<p>{escape(q)}</p>")

    def sparql_form(self, query: str | None, result: Table | None, error: str | None, origin: str) -> str:
        return _page("SPARQL", "<form method='get'><textarea name='query'></textarea></form>")

    def queries_index(self, origin: str) -> str:
        return _page("Query", "".join(f"<p>{escape(n)}</p>" for n in self.queries))

    def query_page(self, name: str, params: dict[str, str], result: Table | None, origin: str) -> str:
        return _page(self.queries[name].title, "")

    def not_found(self, path: str, origin: str) -> str:
        return _page("Non trovato", f"<p>{escape(path)}</p>")


def _page(title: str, body: str) -> str:
    return f"<!doctype html><html lang='it'><title>{escape(title)}</title><main>{body}</main></html>"
