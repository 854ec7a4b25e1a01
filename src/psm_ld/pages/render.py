"""HTML pages (Jinja2, autoescaped, Italian first, English where the data has it).

Contract: the server (web/) and the export call only the methods of `Pages`; each gives a whole HTML
page as a string. `origin` is the serving origin (e.g. http://127.0.0.1:8123/) that links in HTML
point to: canonical IRIs (settings.base_uri) are mapped onto it; IRIs outside the base stay as they
are (psm_ld.pages.urls). Static files live in `STATIC_DIR` and are expected under the URL path
`STATIC_PATH` (/static/).

Everything a page shows comes from the store through the model (psm_ld.pages.model); the release is
read-only, so labels, types and the search index are read once when `Pages` is made (a new release
means a new `Pages`). Each page kind has its context builder (psm_ld.pages.kinds) and its template
(templates/); the markup of links, RDF terms and property tables is in templates/macros.html.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from psm_ld.config import Settings
from psm_ld.pages.jsonld import json_script
from psm_ld.pages.kinds import concept, generic, member, ontology, plan, scheme, services, shapes, source
from psm_ld.pages.kinds.common import document
from psm_ld.pages.kinds.services import Table
from psm_ld.pages.model import LEVELS, VOCABULARY_CLASSES, Model
from psm_ld.pages.search import SearchIndex
from psm_ld.pages.urls import View
from psm_ld.queries import NamedQuery
from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, SKOS

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR / "templates"


class Pages:
    """The pages of one release."""

    def __init__(self, store: ReadStore, settings: Settings, queries: dict[str, NamedQuery]) -> None:
        self.store, self.settings, self.queries = store, settings, queries
        self.base = settings.base_uri
        self.model = Model(store, self.base)
        self.env = environment(self.model)
        self.index = SearchIndex.from_store(store)

    def home(self, origin: str) -> str:
        return self._render("home.html", **plan.home(self.model, self._view(origin), self.queries))

    def resource(self, iri: str, origin: str) -> str | None:
        """The page of any IRI in the release (plan, axis, strategy, action, concept, term, shape);
        None when the store knows nothing about it."""
        model = self.model
        if not model.known(iri):
            return None
        v = self._view(origin)
        types = model.types.get(iri, set())
        if iri == self.base + "ontologia":
            return self._render("ontology.html", **ontology.context(model, v, iri))
        if iri == self.base + "shapes":
            return self._render("shapes.html", **shapes.context(model, v, iri))
        if model.psm + "PianoStrategico" in types:
            return self._render("plan.html", v=v, **plan.context(model, iri), **document(model, v, iri))
        for level in LEVELS:
            if model.psm + level in types:
                return self._render("member.html", **member.context(model, v, iri, level))
        for cls in VOCABULARY_CLASSES:
            if model.psm + cls in types:
                return self._render("concept.html", **concept.context(model, v, iri, cls))
        if SKOS + "ConceptScheme" in types:
            return self._render("scheme.html", **scheme.context(model, v, iri))
        if DCT + "BibliographicResource" in types:
            return self._render("source.html", **source.context(model, v, iri))
        return self._render("generic.html", **generic.context(model, v, iri))

    def search(self, q: str, origin: str) -> str:
        return self._render("search.html", **services.search(self.model, self.index, self._view(origin), q))

    def sparql_form(self, query: str | None, result: Table | None, error: str | None, origin: str) -> str:
        context = services.sparql_form(self.model, self._view(origin), self.queries, query, result, error)
        return self._render("sparql.html", **context)

    def queries_index(self, origin: str) -> str:
        return self._render("queries.html", **services.queries_index(self._view(origin), self.queries))

    def query_page(
        self,
        name: str,
        params: dict[str, str],
        result: Table | None,
        origin: str,
        *,
        error: str | None = None,
    ) -> str:
        """The page of the named query `name` (a key of `queries`: the server answers unknown names)."""
        context = services.query_page(
            self.model, self._view(origin), self.queries[name], params, result, error
        )
        return self._render("query.html", **context)

    def not_found(self, path: str, origin: str) -> str:
        return self._render("not_found.html", **services.not_found(self._view(origin), path))

    def _view(self, origin: str) -> View:
        return View(self.base, origin)

    def _render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)


def environment(model: Model) -> Environment:
    """The templates with what they use besides their context: the compact form of IRIs (`compact`),
    the JSON-LD and query-string filters."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters["jsonld"] = json_script
    env.filters["urlencode_params"] = lambda d: urlencode(d)
    env.globals["compact"] = model.compact
    return env
