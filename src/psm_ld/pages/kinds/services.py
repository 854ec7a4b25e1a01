"""The pages of the site's services: search (search.html) and its suggestions, the SPARQL form
(sparql.html), the named queries (queries.html, query.html) and «not found» (not_found.html).

Contract: one function per page, giving its template's variables; result tables come in as `Table`
(the server runs the query, the page only shows it) and go to the template as `Results`, every cell a
`Shown` term. A named query's result is shown for people: column titles from its header
(`# column:`), labels as links, bare values, and a sentence when it found nothing. Links to the same
results in other formats are site paths (`View.path` puts them on the origin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urljoin

import pyoxigraph as ox

from psm_ld.pages.i18n import Translator
from psm_ld.pages.model import Model
from psm_ld.pages.search import SearchIndex, snippet
from psm_ld.pages.terms import Shown, shown
from psm_ld.pages.urls import View
from psm_ld.queries import NamedQuery, QueryError

RESULT_FORMATS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_FORMATS = (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"))
# ?format= names and the suffix a download of that format gets
SUFFIXES = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv", "ttl": "ttl", "nt": "nt",
            "jsonld": "jsonld", "rdf": "rdf"}  # fmt: skip
DEFAULT_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"  # the form's text when there are no examples
# the IRI of a PREFIX or BASE declaration (a query's other IRIs are left as written)
_DECLARATION = re.compile(r"(?im)^([ \t]*(?:PREFIX[ \t]+[^\s:]*:[ \t]*|BASE[ \t]*))<([^>]*)>")


@dataclass
class Table:
    """A SPARQL SELECT result ready for display."""

    columns: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]
    truncated: bool = False  # the server cut the result at its size limit
    graph: bool = False  # triples (CONSTRUCT, DESCRIBE) shown as subject, predicate, object


@dataclass
class Results:
    """A `Table` as the template shows it: one `Shown` per column in every row (an unbound one too);
    `titles`, when given, are the columns' titles for people (else the variable names)."""

    columns: list[str]
    rows: list[list[Shown]]
    truncated: bool
    titles: list[str] | None = None
    graph: bool = False


def results(model: Model, v: View, table: Table | None, titles: list[str] | None = None) -> Results | None:
    if table is None:
        return None
    rows = [[shown(model, v, row.get(c)) for c in table.columns] for row in table.rows]
    return Results(table.columns, rows, table.truncated, titles, table.graph)


def absolute_prefixes(text: str, base: str) -> str:
    """`text` with the IRIs of its PREFIX and BASE declarations resolved against `base` (the named
    queries write `PREFIX psm: <ontologia#>`, relative to the release's base): the query then means
    the same pasted into any other tool."""

    def resolved(m: re.Match[str]) -> str:
        iri = urljoin(base, m.group(2))
        if m.group(2).endswith("#") and not iri.endswith("#"):
            iri += "#"  # urljoin drops an empty fragment, which a namespace IRI needs
        return f"{m.group(1)}<{iri}>"

    return _DECLARATION.sub(resolved, text)


def search(model: Model, index: SearchIndex, v: View, q: str) -> dict[str, object]:
    """The hits for `q` (none for a blank query), each with the text that matched (a window around
    the match in a description) and where it sits."""
    hits = index.search(q, lang=model.lang) if q.strip() else []
    found = [
        {
            "link": model.link(h.iri),
            "text": snippet(h.text, q) if h.field in ("descrizione", "definizione") else h.text,
            "lang": h.lang,
            "field": h.field,
            "context": model.where(h.iri),
        }
        for h in hits
    ]
    return {"v": v, "q": q, "results": found, "title": "search"}


def suggestions(model: Model, index: SearchIndex, v: View, q: str, limit: int) -> list[dict[str, str]]:
    """The first `limit` hits for `q` as plain data: label (in the page's language where the data
    has it), code, kind, where it sits and the URL of its page."""
    hits = index.search(q, limit=limit, lang=model.lang) if q.strip() else []
    out = []
    for h in hits:
        link = model.link(h.iri)
        out.append(
            {
                "label": link.label,
                "code": link.code,
                "kind": link.kind,
                "context": model.where(h.iri),
                "url": v.href(h.iri),
            }
        )
    return out


def sparql_form(
    model: Model,
    v: View,
    queries: dict[str, NamedQuery],
    query: str | None,
    result: Table | None,
    error: str | None,
) -> dict[str, object]:
    """The SPARQL editor: the query that ran (or the first example), its result or error, the
    result formats to choose from, downloads of the result in each format of its kind, and the
    named queries with their defaults as examples, their prefixes absolute (model.base)."""
    examples = []
    for q in queries.values():
        try:
            text = q.render()
        except QueryError:
            text = q.text
        text = absolute_prefixes(text, model.base)
        examples.append({"name": q.name, "title": q.title, "title_en": q.title_en, "text": text})
    default = examples[0]["text"] if examples else DEFAULT_QUERY
    downloads = []
    if query and result is not None:
        kinds = GRAPH_FORMATS if result.graph else RESULT_FORMATS
        name = "results" if v.lang == "en" else "risultati"
        downloads = [
            (label, f"sparql?{urlencode({'query': query, 'format': fmt})}", f"{name}.{SUFFIXES[fmt]}")
            for fmt, label in kinds
        ]
    return {
        "v": v,
        "title": "SPARQL",
        "query": query if query is not None else default,
        "ran": query is not None,
        "result": results(model, v, result),
        "error": error,
        "examples": examples,
        "downloads": downloads,
        "result_formats": RESULT_FORMATS,
        "graph_formats": GRAPH_FORMATS,
        "psm": model.psm,
    }


def queries_index(v: View, queries: dict[str, NamedQuery]) -> dict[str, object]:
    return {"v": v, "queries": list(queries.values())}


def query_page(
    model: Model,
    v: View,
    t: Translator,
    query: NamedQuery,
    params: dict[str, str],
    result: Table | None,
    error: str | None,
) -> dict[str, object]:
    """A named query: its form with the given values (defaults for the others), its text with them,
    its result for people (column titles from the header) or the error (the text with its
    placeholders when the values do not fit), and why an empty result is empty."""
    english = v.lang == "en"
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
    titles = None
    if result is not None:
        titles = [query.column_title(c, v.lang) for c in result.columns]
    shown_values = ", ".join(f"{name} = «{value}»" for name, value in values.items() if value)
    empty = t("query.empty", values=shown_values) if shown_values else t("query.empty_no_params")
    return {
        "v": v,
        "title": query.title_en if english else query.title,
        "description": query.description_en if english else query.description,
        "query": query,
        "params": [
            {"name": p.name, "type": p.type, "description": p.described(v.lang)} for p in query.params
        ],
        "values": values,
        "text": text,
        "result": results(model, v, result, titles),
        "error": error,
        "empty": empty,
        "formats": formats,
        "editor": f"sparql?{urlencode({'query': absolute_prefixes(text, model.base)})}",
    }


def not_found(v: View, path: str, t: Translator) -> dict[str, object]:
    """«Not found», with a search for the words of the path (numbers left out)."""
    guess = " ".join(w for w in re.split(r"[/._#?=&-]+", path) if w and not w.isdigit())[-60:]
    return {"v": v, "title": t("notfound.title"), "path": path, "guess": guess}
