"""Where the links of a page go: canonical IRIs mapped onto the serving origin.

Contract: `View(base, origin)` is made per request. `origin` is the serving origin (e.g.
http://127.0.0.1:8123/) that links in HTML point to: IRIs under `base` (settings.base_uri) are mapped
onto it, IRIs outside the base stay as they are. Every method gives a URL string (templates escape it);
none renders markup.
"""

from __future__ import annotations

STATIC_PATH = "static/"  # URL path under the origin where the server mounts STATIC_DIR (/static/)
SEARCH_PATH = "cerca"  # the search page (GET ?q=) the server routes to Pages.search
# the alternate formats of every resource document (design.md, "URIs"): suffix, name
FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"), ("nt", "N-Triples"))


class View:
    """The URLs of one request's page: links mapped onto the serving origin."""

    search_path = SEARCH_PATH

    def __init__(self, base: str, origin: str) -> None:
        self.base = base
        self.origin = origin if origin.endswith("/") else origin + "/"

    def href(self, iri: str) -> str:
        """Where a link to an IRI goes: canonical IRIs onto the origin, others unchanged."""
        if iri.startswith(self.base):
            return self.origin + iri[len(self.base) :]
        return iri

    def path(self, path: str) -> str:
        """A site path (no leading slash) on the origin."""
        return self.origin + path.lstrip("/")

    def static(self, name: str) -> str:
        return self.origin + STATIC_PATH + name

    def document(self, iri: str) -> str:
        """The document of an IRI, without format suffix: hash IRIs live in their base's document."""
        return self.href(iri.split("#", 1)[0])

    def alternates(self, iri: str) -> list[tuple[str, str, str]]:
        """The IRI's document in every RDF format: (format name, URL, suffix)."""
        doc = self.document(iri)
        return [(label, f"{doc}.{ext}", ext) for ext, label in FORMATS]

    def local(self, iri: str) -> bool:
        """Whether the IRI is under the base (so its link stays on this site)."""
        return iri.startswith(self.base)
