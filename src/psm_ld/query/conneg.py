"""Content negotiation: the one place that maps Accept headers, `?format=` values and document
suffixes onto media types. Used by /sparql, /queries and resource dereferencing alike."""

from __future__ import annotations

from dataclasses import dataclass

from psm_ld.vocab import CSV, HTML, JSONLD, NTRIPLES, RDFXML, RESULTS_JSON, RESULTS_XML, TSV, TURTLE


@dataclass(frozen=True)
class MediaType:
    media_type: str
    aliases: tuple[str, ...] = ()  # other media types a client may ask for and get this one
    names: tuple[str, ...] = ()  # values of ?format=


MEDIA_TYPES: dict[str, MediaType] = {
    f.media_type: f
    for f in (
        MediaType(HTML, ("application/xhtml+xml",), ("html", "htm")),
        MediaType(TURTLE, ("application/x-turtle", "application/turtle", "text/n3"), ("ttl", "turtle", "n3")),
        MediaType(NTRIPLES, ("text/plain",), ("nt", "ntriples", "n-triples")),
        MediaType(JSONLD, ("application/json", "application/x-json+ld"), ("jsonld", "json-ld", "json")),
        MediaType(RDFXML, ("application/xml", "text/xml"), ("rdf", "xml", "rdfxml", "rdf+xml")),
        MediaType(RESULTS_JSON, ("application/json",), ("json", "srj")),
        MediaType(RESULTS_XML, ("application/xml", "text/xml"), ("xml", "srx")),
        MediaType(CSV, (), ("csv",)),
        MediaType(TSV, (), ("tsv",)),
    )
}

# Server preference order (first = default when the client accepts anything).
RDF_TYPES = (TURTLE, JSONLD, RDFXML, NTRIPLES)
SELECT_TYPES = (RESULTS_JSON, RESULTS_XML, CSV, TSV)
ASK_TYPES = (RESULTS_JSON, RESULTS_XML)  # CSV/TSV define no boolean result

# Document suffixes of dereferenceable resources (design.md, "URIs").
SUFFIXES: dict[str, str] = {
    ".html": HTML,
    ".ttl": TURTLE,
    ".jsonld": JSONLD,
    ".rdf": RDFXML,
    ".nt": NTRIPLES,
}
SUFFIX_OF: dict[str, str] = {media: suffix for suffix, media in SUFFIXES.items()}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values; a missing or empty header accepts everything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":  # seen in the wild (old Java clients)
            media = "*/*"
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """q of the most specific range matching `media` (RFC 9110 §12.5.1); 0 when none matches."""
    best, specificity = 0.0, -1
    main = media.split("/")[0]
    for accepted, q in ranges:
        if accepted == media:
            level = 2
        elif accepted == f"{main}/*":
            level = 1
        elif accepted == "*/*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def negotiate(accept: str | None, candidates: tuple[str, ...] | list[str]) -> str | None:
    """The candidate the client prefers (ties go to server order), or None if none is acceptable.

    An alias counts only where the client names it exactly; wildcards match a candidate's own media
    type. Otherwise `application/*` would select HTML through its alias `application/xhtml+xml`, and
    `text/html;q=0, */*;q=0.1` would still get HTML, at q=0.1, through the same alias."""
    ranges = parse_accept(accept)
    exact = dict(ranges)
    chosen, chosen_q = None, 0.0
    for media in candidates:
        fmt = MEDIA_TYPES.get(media, MediaType(media))
        q = max([_quality(media, ranges), *(exact.get(alias, 0.0) for alias in fmt.aliases)])
        if q > chosen_q:
            chosen, chosen_q = media, q
    return chosen


def from_name(name: str, candidates: tuple[str, ...] | list[str]) -> str | None:
    """The candidate named by ?format=: a short name like `ttl`, a media type, or a comma-separated
    list of media types (SPARQLWrapper sends its Accept list so), of which the first one offered."""
    for item in name.lower().split(","):
        wanted = item.split(";")[0].strip()
        for media in candidates:
            fmt = MEDIA_TYPES.get(media, MediaType(media))
            if wanted == media or wanted in fmt.names or wanted in fmt.aliases:
                return media
    return None


def same_format(names: list[str], candidate_sets: tuple[tuple[str, ...], ...]) -> bool:
    """Whether several `?format=` values agree: in no set of candidates do two of them name different
    ones (`tsv` and `text/tab-separated-values` agree; so do `xml` and `application/sparql-results+xml`,
    which names nothing among graphs; `json` and `xml` do not)."""
    return all(len({from_name(n, c) for n in names} - {None}) <= 1 for c in candidate_sets)


def choose(
    accept: str | None, format_name: str | None, candidates: tuple[str, ...] | list[str]
) -> str | None:
    """?format= wins over Accept (it is what a link or a browser user can set)."""
    if format_name:
        return from_name(format_name, candidates)
    return negotiate(accept, candidates)


def split_suffix(path: str) -> tuple[str, str | None]:
    """`psm/2021-2023/azione/1.1.1.ttl` -> (`psm/2021-2023/azione/1.1.1`, text/turtle)."""
    for suffix, media in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], media
    return path, None
