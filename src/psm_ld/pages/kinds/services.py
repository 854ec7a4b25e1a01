"""The pages of the site's services: search (search.html), the SPARQL form (sparql.html), the named
queries (queries.html, query.html) and «not found» (not_found.html).

Contract: one function per page, giving its template's variables; result tables come in as `Table`
(the server runs the query, the page only shows it) and go to the template as `Results`, every cell a
`Shown` term. Links to the same results in other formats are
site paths (`View.path` puts them on the origin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from psm_ld.pages.model import Model
from psm_ld.pages.search import SearchIndex
from psm_ld.pages.terms import Shown, shown
from psm_ld.pages.urls import View
from psm_ld.queries import NamedQuery, QueryError

RESULT_FORMATS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
DEFAULT_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"  # the form's text when there are no examples


@dataclass
class Table:
    """A SPARQL SELECT result ready for display."""

    columns: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]
    truncated: bool = False  # the server cut the result at its size limit


@dataclass
class Results:
    """A `Table` as the template shows it: one `Shown` per column in every row (an unbound one too)."""

    columns: list[str]
    rows: list[list[Shown]]
    truncated: bool


def results(model: Model, v: View, table: Table | None) -> Results | None:
    if table is None:
        return None
    rows = [[shown(model, v, row.get(c)) for c in table.columns] for row in table.rows]
    return Results(table.columns, rows, table.truncated)


def search(model: Model, index: SearchIndex, v: View, q: str) -> dict[str, object]:
    """The hits for `q` (none for a blank query), each with the label that matched and where it sits."""
    hits = index.search(q) if q.strip() else []
    results = [
        {
            "link": model.link(h.iri),
            "text": h.text,
            "lang": h.lang,
            "field": h.field,
            "context": model.where(h.iri),
        }
        for h in hits
    ]
    return {"v": v, "q": q, "results": results, "title": "Ricerca"}


def sparql_form(
    model: Model,
    v: View,
    queries: dict[str, NamedQuery],
    query: str | None,
    result: Table | None,
    error: str | None,
) -> dict[str, object]:
    """The SPARQL editor: the query that ran (or the first example), its result or error, and the
    named queries with their defaults as examples."""
    examples = []
    for q in queries.values():
        try:
            text = q.render()
        except QueryError:
            text = q.text
        examples.append({"name": q.name, "title": q.title, "title_en": q.title_en, "text": text})
    default = examples[0]["text"] if examples else DEFAULT_QUERY
    formats = []
    if query and result is not None:
        formats = [
            (label, f"sparql?{urlencode({'query': query, 'format': fmt})}") for fmt, label in RESULT_FORMATS
        ]
    return {
        "v": v,
        "title": "SPARQL",
        "query": query if query is not None else default,
        "ran": query is not None,
        "result": results(model, v, result),
        "error": error,
        "examples": examples,
        "formats": formats,
    }


def queries_index(v: View, queries: dict[str, NamedQuery]) -> dict[str, object]:
    return {"v": v, "title": "Query", "queries": list(queries.values())}


def query_page(
    model: Model, v: View, query: NamedQuery, params: dict[str, str], result: Table | None, error: str | None
) -> dict[str, object]:
    """A named query: its form with the given values (defaults for the others), its text with them,
    its result or the error (the text with its placeholders when the values do not fit)."""
    values = {p.name: params.get(p.name, p.default or "") for p in query.params}
    try:
        text = query.render(params)
    except QueryError as exc:
        text = query.text
        error = error or str(exc)
    given = {k: val for k, val in params.items() if k in values}
    formats = [
        (label, f"queries/{quote(query.name)}?{urlencode({**given, 'format': fmt})}")
        for fmt, label in RESULT_FORMATS
    ]
    return {
        "v": v,
        "title": query.title,
        "query": query,
        "values": values,
        "text": text,
        "result": results(model, v, result),
        "error": error,
        "formats": formats,
        "editor": f"sparql?{urlencode({'query': text})}",
    }


def not_found(v: View, path: str) -> dict[str, object]:
    """«Not found», with a search for the words of the path (numbers left out)."""
    guess = " ".join(w for w in re.split(r"[/._#?=&-]+", path) if w and not w.isdigit())[-60:]
    return {"v": v, "title": "Pagina non trovata", "path": path, "guess": guess}
