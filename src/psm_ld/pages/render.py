"""HTML pages (Jinja2, autoescaped), in Italian or English.

Contract: the server (web/) and the export call only the methods of `Pages`; each gives a whole HTML
page as a string. `origin` is the serving origin (e.g. http://127.0.0.1:8123/) that links in HTML
point to: canonical IRIs (settings.base_uri) are mapped onto it; IRIs outside the base stay as they
are (psm_ld.pages.urls). `lang` is the page's language ("it", the default, or "en": the caller
chooses it, psm_ld.pages.i18n.language); `params` are an app page's query parameters (for its
language switch and canonical link). Static files live in `STATIC_DIR` and are expected under the URL
path `STATIC_PATH` (/static/).

Everything a page shows comes from the store through the model (psm_ld.pages.model), in the page's
language where the data has it (else Italian, marked); every interface string comes from the message
catalogue (psm_ld.pages.i18n). The release is read-only, so labels and types are read per IRI when
first shown and kept (bounded), and the search index is built on the first search and kept (a new
release means a new `Pages`): nothing that grows with the data is read at start. Each page kind has
its context builder (psm_ld.pages.kinds) and its template (templates/); the markup of links, RDF terms and
property tables is in templates/macros.html.
"""

from __future__ import annotations

import json
import threading
from functools import cached_property
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import BytecodeCache, Environment, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket

from psm_ld.config import Settings
from psm_ld.pages import series
from psm_ld.pages.completions import completions
from psm_ld.pages.i18n import DEFAULT, LANGUAGES, Translator
from psm_ld.pages.jsonld import json_script
from psm_ld.pages.kinds import (
    concept,
    generic,
    member,
    missing,
    ontology,
    plan,
    scheme,
    services,
    shapes,
    source,
)
from psm_ld.pages.kinds.common import document
from psm_ld.pages.kinds.services import Table
from psm_ld.pages.model import LEVELS, VOCABULARY_CLASSES, Model
from psm_ld.pages.search import SearchIndex
from psm_ld.pages.urls import SEARCH_PATH, View
from psm_ld.queries import NamedQuery
from psm_ld.query.store import ReadStore
from psm_ld.vocab import DCT, SKOS

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
# the SPARQL editor, bundled from npm by `make assets` (assets/sparql-editor.js); without it the SPARQL
# page is the plain form, and does not ask for a script that is not there
EDITOR_SCRIPT = "vendor/sparql-editor.js"
TEMPLATES_DIR = PACKAGE_DIR / "templates"


class Pages:
    """The pages of one release."""

    def __init__(self, store: ReadStore, settings: Settings, queries: dict[str, NamedQuery]) -> None:
        self.store, self.settings, self.queries = store, settings, queries
        self.base = settings.base_uri
        self.model = Model(store, self.base)
        self.models = {lang: self.model.speaking(lang) for lang in LANGUAGES}
        self.env = environment(self.model)
        self.translators = {lang: Translator(lang) for lang in LANGUAGES}
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    @property
    def index(self) -> SearchIndex:
        """The search index, built on the first search (every name and description of the
        release: a scan that grows with the data, so not part of a server's start), then kept."""
        with self._index_lock:  # pages render in threads: one build, the others wait for it
            if self._index is None:
                self._index = SearchIndex.from_store(self.store)
            return self._index

    def home(self, origin: str, lang: str = DEFAULT) -> str:
        """The home page: the plan as a series, each edition's status as of today's year."""
        v = self._view(origin, lang, "")
        context = plan.home(self.models[lang], v, self.queries, series.today().year)
        return self._render("home.html", v, **context)

    def resource(self, iri: str, origin: str, lang: str = DEFAULT) -> str | None:
        """The page of any IRI in the release (plan, axis, strategy, action, concept, term, shape);
        None when the store knows nothing about it."""
        model = self.models[lang]
        if not model.known(iri):
            return None
        here = iri.split("#", 1)[0].removeprefix(self.base) + ".html"
        v = View(self.base, origin, lang, here=here, document=True)
        types = model.types.get(iri, set())
        if iri == self.base + "ontologia":
            return self._render("ontology.html", v, **ontology.context(model, v, iri))
        if iri == self.base + "shapes":
            return self._render("shapes.html", v, **shapes.context(model, v, iri))
        if model.psm + "PianoStrategico" in types:
            context = plan.context(model, iri, series.today().year)  # the status: see pages/series.py
            return self._render("plan.html", v, **context, **document(model, v, iri))
        for level in LEVELS:
            if model.psm + level in types:
                return self._render("member.html", v, **member.context(model, v, iri, level))
        for cls in VOCABULARY_CLASSES:
            if model.psm + cls in types:
                return self._render("concept.html", v, **concept.context(model, v, iri, cls))
        if SKOS + "ConceptScheme" in types:
            return self._render("scheme.html", v, **scheme.context(model, v, iri))
        if DCT + "BibliographicResource" in types:
            return self._render("source.html", v, **source.context(model, v, iri))
        return self._render("generic.html", v, **generic.context(model, v, iri))

    def search(self, q: str, origin: str, lang: str = DEFAULT) -> str:
        v = self._view(origin, lang, SEARCH_PATH, {"q": q} if q else {})
        return self._render("search.html", v, **services.search(self.models[lang], self.index, v, q))

    def suggestions(self, q: str, origin: str, lang: str = DEFAULT, limit: int = 8) -> list[dict[str, str]]:
        """Suggestions as you type: the best hits for `q` as plain data (label, code, kind, url)."""
        v = self._view(origin, lang, SEARCH_PATH)
        return services.suggestions(self.models[lang], self.index, v, q, limit)

    @cached_property
    def completions(self) -> bytes:
        """What the SPARQL editor completes, as UTF-8 JSON (pages/completions.py): computed on the
        first request, then kept with the release."""
        data = completions(self.model, self.store)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def sparql_form(
        self,
        query: str | None,
        result: Table | None,
        error: str | None,
        origin: str,
        lang: str = DEFAULT,
    ) -> str:
        v = self._view(origin, lang, "sparql", {"query": query} if query else {})
        context = services.sparql_form(self.models[lang], v, self.queries, query, result, error)
        editor = (STATIC_DIR / EDITOR_SCRIPT).is_file()
        return self._render("sparql.html", v, **context, editor=EDITOR_SCRIPT if editor else None)

    def queries_index(self, origin: str, lang: str = DEFAULT) -> str:
        v = self._view(origin, lang, "queries")
        return self._render("queries.html", v, **services.queries_index(v, self.queries))

    def query_page(
        self,
        name: str,
        params: dict[str, str],
        result: Table | None,
        origin: str,
        *,
        error: str | None = None,
        lang: str = DEFAULT,
    ) -> str:
        """The page of the named query `name` (a key of `queries`: the server answers unknown names)."""
        v = self._view(origin, lang, f"queries/{name}", params)
        context = services.query_page(
            self.models[lang], v, self.translators[lang], self.queries[name], params, result, error
        )
        return self._render("query.html", v, **context)

    def missing_action(self, path: str) -> missing.MissingAction | None:
        """The action at `path` (relative to the base) when the plan declares it but the release
        lacks it (psm_ld.pages.kinds.missing); None for any other path."""
        return missing.missing_action(self.model, self.base, path, self.settings.root)

    def not_found(self, path: str, origin: str, lang: str = DEFAULT) -> str:
        """The page of a 404: for a declared-but-missing action, why it is missing and how it is
        added; otherwise «not found» with a search."""
        v = self._view(origin, lang, path)
        absent = self.missing_action(path)
        if absent is not None:
            title = self.translators[lang]("missing.title", code=absent.code)
            return self._render("missing_action.html", v, title=title, absent=absent, path=path)
        return self._render("not_found.html", v, **services.not_found(v, path, self.translators[lang]))

    def _view(self, origin: str, lang: str, here: str, params: dict[str, str] | None = None) -> View:
        return View(self.base, origin, lang, here=here, params=params)

    def _render(self, template: str, view: View, **context: object) -> str:
        """The template with its context, the request's View (`v`) and the translator (`t`)."""
        context["v"] = view
        return self.env.get_template(template).render(t=self.translators[view.lang], **context)


class CompiledTemplates(BytecodeCache):
    """The templates as compiled once, for every page environment of the process. One environment is
    made per release (its `compact` is the release's), and each compiled again every template it
    rendered: 0.2-0.3 s of CPU for each release loaded (a reload, a build's pre-rendering, each app
    of a test session). Jinja checks a stored code against the template source's checksum before it
    uses it, as with its own caches; the environments that share it are made alike (`environment`).
    Bounded: an entry per template file (the package's), and no more than `MAX_ENTRIES`."""

    MAX_ENTRIES = 64

    def __init__(self) -> None:
        self._codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # left empty (compiled again) if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._codes or len(self._codes) < self.MAX_ENTRIES:
            self._codes[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


def environment(model: Model) -> Environment:
    """The templates with what they use besides their context: the compact form of IRIs (`compact`),
    the JSON-LD and query-string filters; compiled once per process (`COMPILED`)."""
    env = templates()
    env.bytecode_cache = COMPILED
    env.filters["jsonld"] = json_script
    env.filters["urlencode_params"] = lambda d: urlencode(d)
    env.globals["compact"] = model.compact
    return env


def templates() -> Environment:
    """The package's templates, as every page renders them (the error page too: pages/errors.py):
    autoescaped, block tags without the lines they stand on."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
