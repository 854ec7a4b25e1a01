"""Where the links of a page go: canonical IRIs mapped onto the serving origin, in the page's language.

Contract: `View(base, origin, lang, here=…, params=…, document=…)` is made per request. `origin` is
the serving origin (e.g. http://127.0.0.1:8123/) that links in HTML point to: IRIs under `base`
(settings.base_uri) are mapped onto it, IRIs outside the base stay as they are. `here` is the page's
own site path (a document's `….html`, or an app page's route) and `params` its query parameters, for
the language switch, hreflang alternates and the canonical link. Every method gives a URL string
(templates escape it); none renders markup.

Languages and URLs (the decision; README «Lingue / Languages»): the language is in the URL, so a
cache keeps one copy per URL and the static export one file per document and language.
- A resource's documents name their language: `X.html` is Italian, `X.html?lang=en` English. They
  never vary on Accept-Language (no `Vary: Accept-Language`), so nginx serves both as files. The
  resource IRI `X` takes `?lang=` through its 303 (`X?lang=en` → `X.html?lang=en`).
- The app's own pages (home, search, SPARQL, named queries, «not found») with `?lang=it|en` are in
  that language; without it they follow Accept-Language and say so (`Vary: Accept-Language`,
  `Content-Language`, a canonical link to the explicit URL).
- Links keep the reader's choice: in English every link to a resource carries `?lang=en`; links to
  app pages carry the language in both languages (`?lang=it` too), since those pages would otherwise
  negotiate and could switch a reader who chose Italian back to English.
"""

from __future__ import annotations

from urllib.parse import urlencode

from psm_ld.pages.i18n import DEFAULT, LANGUAGES, NAMES

STATIC_PATH = "static/"  # URL path under the origin where the server mounts STATIC_DIR (/static/)
SEARCH_PATH = "cerca"  # the search page (GET ?q=) the server routes to Pages.search
SUGGEST_PATH = "cerca/suggerimenti"  # suggestions as you type (GET ?q=, JSON)
# the alternate formats of every resource document (design.md, "URIs"): suffix, name
FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"), ("nt", "N-Triples"))


class View:
    """The URLs of one request's page: links mapped onto the serving origin, in its language."""

    search_path = SEARCH_PATH
    suggest_path = SUGGEST_PATH

    def __init__(
        self,
        base: str,
        origin: str,
        lang: str = DEFAULT,
        *,
        here: str = "",
        params: dict[str, str] | None = None,
        document: bool = False,
    ) -> None:
        self.base = base
        self.origin = origin if origin.endswith("/") else origin + "/"
        self.lang = lang
        self.here = here.lstrip("/")
        self.params = {k: v for k, v in (params or {}).items() if k != "lang"}
        self.is_document = document

    def href(self, iri: str) -> str:
        """Where a link to an IRI goes: canonical IRIs onto the origin (in English with
        `?lang=en`, before any fragment), others unchanged."""
        if not iri.startswith(self.base):
            return iri
        url = self.origin + iri[len(self.base) :]
        if self.lang == DEFAULT:
            return url
        path, hash_, fragment = url.partition("#")
        return f"{path}{'&' if '?' in path else '?'}lang={self.lang}{hash_}{fragment}"

    def resource(self, path: str) -> str:
        """A link to the resource at a site path (ontologia, catalogo, …)."""
        return self.href(self.base + path.lstrip("/"))

    def path(self, path: str) -> str:
        """A site path (no leading slash) on the origin, as it is (files, forms, format links)."""
        return self.origin + path.lstrip("/")

    def page(self, path: str, **params: str) -> str:
        """An app page (home, search, SPARQL, queries) with `params`, in this page's language."""
        query = urlencode({**params, "lang": self.lang})
        return f"{self.origin}{path.lstrip('/')}?{query}"

    def static(self, name: str) -> str:
        return self.origin + STATIC_PATH + name

    def document(self, iri: str) -> str:
        """The document of an IRI, without format suffix: hash IRIs live in their base's document."""
        return self.href(iri.split("#", 1)[0]).split("?", 1)[0]

    def alternates(self, iri: str) -> list[tuple[str, str, str]]:
        """The IRI's document in every RDF format: (format name, URL, suffix)."""
        doc = self.document(iri)
        return [(label, f"{doc}.{ext}", ext) for ext, label in FORMATS]

    def local(self, iri: str) -> bool:
        """Whether the IRI is under the base (so its link stays on this site)."""
        return iri.startswith(self.base)

    # ------------------------------------------------------------------ this page in each language

    def in_language(self, lang: str | None, origin: str | None = None) -> str:
        """This page in `lang` (None: without a language, as negotiation serves it)."""
        start = (origin or self.origin) + self.here
        params = dict(self.params)
        if lang and not (self.is_document and lang == DEFAULT):
            params["lang"] = lang  # a document without ?lang is Italian; an app page negotiates
        return f"{start}?{urlencode(params)}" if params else start

    def switch(self) -> list[tuple[str, str, str]]:
        """The language switch: (code, name in its own language, URL of this page in it)."""
        return [(code, NAMES[code], self.in_language(code)) for code in LANGUAGES]

    def hreflang(self) -> list[tuple[str, str]]:
        """hreflang alternates: each language, and x-default (what a reader without a choice gets)."""
        pairs = [(code, self.in_language(code)) for code in LANGUAGES]
        pairs.append(("x-default", self.in_language(None)))
        return pairs

    @property
    def canonical(self) -> str:
        """The canonical URL of this page: on the canonical base, in its language."""
        return self.in_language(self.lang, self.base)
