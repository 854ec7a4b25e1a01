"""The remote store: a release served from a SPARQL 1.1 engine (PSM_STORE=sparql): Oxigraph server,
Virtuoso, Fuseki, QLever, GraphDB. Plain SPARQL 1.1 Protocol for reading, Graph Store Protocol (and
SPARQL Update where configured) for `psm-ld publish` (build/publish.py).

Layout in the engine and how psm-ld talks to it: query/engine.py.
`RemoteStore` answers like a pyoxigraph store over the current release only: every query it sends
carries its dataset in the protocol (default-graph-uri / named-graph-uri, never empty), built from
the release's graphs; the graph IRIs a query names (FROM, FROM NAMED, GRAPH) are renamed to the
stored ones, and in answers stored names and skolem IRIs become the release's graph names and blank
nodes again. So clients see today's graph names, and no query reaches another release or the meta
graph, whatever the engine allows.

psm-ld keeps its own guarantees in front of the engine: the text is checked before it is sent
(read-only, no SERVICE: the engine would call it), answers are read as a bounded stream (rows and
bytes, query/executor.py), and the query worker that waits on the engine is killed at the time
limit (its connection closes; set the engine's own timeout too, README "Remote store"). The engine
URL is the operator's setting: nothing a client sends ever chooses where a connection goes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox

from psm_ld import vocab
from psm_ld.query.cache import LRUCache
from psm_ld.query.engine import (
    ABSENT_GRAPH,
    EMPTY_GRAPH,
    GRAPH_ACCEPT,
    RESULTS_JSON,
    SKOLEM,
    Endpoint,
    StoreUnavailable,
    _Stream,
    raise_for,
    skolem,
)
from psm_ld.query.executor import QueryFailed
from psm_ld.query.guard import NO_SERVICE, mentions_service, unescaped, uses_service
from psm_ld.query.serialize import results_json_head, term_json
from psm_ld.query.sparql import _TOKEN, READ_ONLY, analyse

POINT_ROWS = 10_000  # quads around one node kept whole (and cached) by RemoteStore.quads_for_pattern
PATTERN_CACHE_BYTES = 32 * 1024 * 1024
WIDE_SUBJECTS = 10_000  # subjects known to have more than POINT_ROWS quads, remembered at most


def _matches(quad: ox.Quad, predicate: ox.Term | None, obj: ox.Term | None, graph: ox.Term | None) -> bool:
    return (
        (predicate is None or quad.predicate == predicate)
        and (obj is None or quad.object == obj)
        and (graph is None or quad.graph_name == graph)
    )


def _quads_size(quads: list[ox.Quad]) -> int:
    return 64 + sum(len(str(q)) + 64 for q in quads)


_BOOLEAN = ox.NamedNode(vocab.XSD + "boolean")
_TRUE, _FALSE = ox.Literal("true", datatype=_BOOLEAN), ox.Literal("false", datatype=_BOOLEAN)


# --- the store ------------------------------------------------------------------------------------


class Solutions:
    """SELECT answers as pyoxigraph gives them (`variables`, iteration, `solution[name]`), with the
    engine's names mapped back; lazy: a reader that stops early stops the transfer."""

    def __init__(self, variables: list[ox.Variable], solutions: Iterator[dict[str, ox.Term]]) -> None:
        self.variables, self._solutions = variables, solutions

    def __iter__(self) -> Iterator[Solution]:
        return (Solution(s) for s in self._solutions)

    def serialize(self, output: Any, format: ox.QueryResultsFormat) -> None:  # noqa: A002
        """As `pyoxigraph.QuerySolutions.serialize` into a binary sink (the worker's bounded one),
        written by pyoxigraph's serializer: the same bytes as from an embedded store. The rows are
        held as SPARQL JSON first, within the bound of the engine's answer (RemoteStore.max_bytes)."""
        names = [v.value for v in self.variables]
        parts = [results_json_head(names)]
        for n, solution in enumerate(self._solutions):
            row = {name: term_json(solution[name]) for name in names if name in solution}
            parts.append(("," if n else "") + json.dumps(row, ensure_ascii=False))
        parts.append("]}}")
        parsed = ox.parse_query_results("".join(parts).encode("utf-8"), format=ox.QueryResultsFormat.JSON)
        parsed.serialize(output, format=format)  # type: ignore[union-attr]


class Solution:
    def __init__(self, values: dict[str, ox.Term]) -> None:
        self.values = values

    def __getitem__(self, key: str | ox.Variable | int) -> ox.Term | None:
        name = key.value if isinstance(key, ox.Variable) else key
        return self.values.get(name)  # type: ignore[arg-type]


@dataclass
class RemoteStore:
    """The current release in a remote engine, read as `query/store.ReadStore` reads pyoxigraph:
    `query` (same keyword arguments) and `quads_for_pattern`, limited to the release's graphs."""

    endpoint: Endpoint
    release_id: str
    graphs: tuple[str, ...]  # the release's graphs, as clients name them
    quads: int  # as the metadata graph states it (checked by publish)
    max_bytes: int = 256 * 1024 * 1024  # of one answer from the engine
    _http: httpx.Client | None = field(default=None, repr=False)
    _patterns: LRUCache[list[ox.Quad]] = field(
        default_factory=lambda: LRUCache(PATTERN_CACHE_BYTES, _quads_size), repr=False
    )
    _wide: set[ox.Term] = field(default_factory=set, repr=False)  # subjects of more than POINT_ROWS quads

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = self.endpoint.client()
        return self._http

    @property
    def prefix(self) -> str:
        return self.endpoint.stored_prefix(self.release_id)

    def stored(self, graph: str) -> str:
        """A graph's stored name; names the release lacks map to one empty graph."""
        return self.prefix + graph if graph in self._graph_set else ABSENT_GRAPH

    @property
    def _graph_set(self) -> frozenset[str]:
        return frozenset(self.graphs)

    def __len__(self) -> int:
        return self.quads

    def unmap(self, term: ox.Term) -> ox.Term:
        if isinstance(term, ox.NamedNode):
            if term.value.startswith(SKOLEM):
                return ox.BlankNode(term.value[len(SKOLEM) :])
            if term.value.startswith(self.prefix):
                return ox.NamedNode(term.value[len(self.prefix) :])
        elif isinstance(term, ox.Literal) and term.datatype == _BOOLEAN and term.value in ("1", "0"):
            return _TRUE if term.value == "1" else _FALSE  # Virtuoso's booleans, in canonical form
        return term

    # -- reading --

    def query(
        self,
        query: str,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Iterable[ox.NamedNode] | None = None,
        named_graphs: Iterable[ox.NamedNode] | None = None,
        **_: Any,
    ) -> Solutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """As `pyoxigraph.Store.query` over the release: the protocol dataset if given, else the
        union of the graphs as default graph if asked, else the query's FROM / FROM NAMED, else an
        empty default graph; the named graphs are the release's unless the dataset says otherwise."""
        refuse(query)
        # the text as SPARQL reads it (its \u escapes applied, §19.2): `GR\u0041PH <g>` names a graph too
        query = unescaped(query)
        text, (from_default, from_named) = rename_graphs(query, base_iri, self.stored)
        everything = [self.prefix + g for g in self.graphs]
        if default_graph is not None or named_graphs is not None:
            default = [self.stored(g.value) for g in default_graph or []]
            named = [self.stored(g.value) for g in named_graphs or []]
        elif use_default_graph_as_union:
            default, named = everything, everything
        elif from_default or from_named:
            default, named = from_default, from_named
        else:
            default, named = [EMPTY_GRAPH], everything
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        form = analyse(query).form
        accept = GRAPH_ACCEPT if form in {"CONSTRUCT", "DESCRIBE"} else RESULTS_JSON
        if form is None:
            accept = f"{RESULTS_JSON}, {GRAPH_ACCEPT.replace('0.9', '0.8')}"
        return self._run(text, default or [EMPTY_GRAPH], named or [EMPTY_GRAPH], accept)

    def _run(
        self, text: str, default: list[str], named: list[str], accept: str
    ) -> Solutions | ox.QueryBoolean | Iterator[ox.Triple]:
        data = {"query": text, "default-graph-uri": default, "named-graph-uri": named}
        request = self.http.build_request(
            "POST", self.endpoint.query_url, data=data, headers={"Accept": accept}
        )
        try:
            response = self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            raise_for(response, "query")
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            stream = _Stream(response.iter_bytes(), self.max_bytes)
            results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
            if results_format is not None:
                parsed = ox.parse_query_results(stream, format=results_format)  # type: ignore[arg-type]
                if isinstance(parsed, ox.QueryBoolean):
                    response.close()
                    return parsed
                return Solutions(list(parsed.variables), self._solutions(parsed, response))
            rdf_format = ox.RdfFormat.from_media_type(media) if media else None
            if rdf_format is None:
                raise StoreUnavailable(f"answer in an unexpected media type «{media}»")
            return self._triples(ox.parse(stream, format=rdf_format), response)  # type: ignore[arg-type]
        except BaseException:
            response.close()
            raise

    def _solutions(self, parsed: ox.QuerySolutions, response: httpx.Response) -> Iterator[dict[str, ox.Term]]:
        names = [v.value for v in parsed.variables]
        try:
            for solution in parsed:
                yield {n: self.unmap(t) for n in names if (t := solution[n]) is not None}
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            response.close()

    def _triples(self, quads: Iterator[ox.Quad], response: httpx.Response) -> Iterator[ox.Triple]:
        try:
            for quad in quads:
                yield ox.Triple(self.unmap(quad.subject), quad.predicate, self.unmap(quad.object))  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            response.close()

    def quads_for_pattern(
        self,
        subject: ox.Term | None = None,
        predicate: ox.Term | None = None,
        obj: ox.Term | None = None,
        graph: ox.Term | None = None,
    ) -> Iterator[ox.Quad]:
        """As `pyoxigraph.Store.quads_for_pattern` over the release's graphs (one SELECT). Lookups
        around one node (subject or object bound: what documents and pages do per request) are kept
        in a bounded cache, the release never changing; up to POINT_ROWS quads, else streamed.
        A narrower lookup on a subject (its labels, its types, one property) is answered from all of
        the subject's quads, asked once (`_subject`): a page asks several of each node it shows, and
        each request to the engine costs a round trip (ms), not a lookup in memory (µs)."""
        key = (subject, predicate, obj, graph)
        point = subject is not None or obj is not None
        if point:
            cached = self._patterns.get(key)
            if cached is not None:
                return iter(cached)
            narrower = predicate is not None or obj is not None or graph is not None
            if subject is not None and narrower and not isinstance(obj, ox.Literal):
                whole = self._subject(subject)  # a literal is compared by the engine's rules, not here
                if whole is not None:
                    return (q for q in whole if _matches(q, predicate, obj, graph))
            quads = list(self._pattern(subject, predicate, obj, graph, POINT_ROWS + 1))
            if len(quads) <= POINT_ROWS:
                self._patterns.put(key, quads)
                return iter(quads)
        return self._pattern(subject, predicate, obj, graph, None)

    def _subject(self, subject: ox.Term) -> list[ox.Quad] | None:
        """All of `subject`'s quads in the release (cached), or None when they are more than POINT_ROWS."""
        if subject in self._wide:
            return None
        key = (subject, None, None, None)
        cached = self._patterns.get(key)
        if cached is None:
            cached = list(self._pattern(subject, None, None, None, POINT_ROWS + 1))
            if len(cached) > POINT_ROWS:
                if len(self._wide) >= WIDE_SUBJECTS:
                    self._wide.clear()
                self._wide.add(subject)
                return None
            self._patterns.put(key, cached)
        return cached

    def _pattern(
        self, subject: ox.Term | None, predicate: ox.Term | None, obj: ox.Term | None, graph: ox.Term | None,
        limit: int | None,
    ) -> Iterator[ox.Quad]:  # fmt: skip
        terms = {"s": subject, "p": predicate, "o": obj}
        pattern = " ".join(f"?{k}" if t is None else str(skolem(t)) for k, t in terms.items())
        everything = [self.prefix + g for g in self.graphs]
        named = everything if graph is None else [self.stored(graph.value)]
        text = f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}" + (f" LIMIT {limit}" if limit else "")
        solutions = self._run(text, [EMPTY_GRAPH], named, RESULTS_JSON)
        for row in solutions:  # type: ignore[union-attr]
            s, p, o = (row[k] if terms[k] is None else terms[k] for k in ("s", "p", "o"))
            yield ox.Quad(s, p, o, row["g"])  # type: ignore[arg-type]

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


# --- the query text -------------------------------------------------------------------------------


def refuse(query: str) -> None:
    """What the engine must never see, whatever the checks before: an update, or SERVICE (the engine
    would call whatever address the query names). Here SERVICE is refused also when rdflib's grammar
    cannot parse a text that could spell it (query/guard.py): with pyoxigraph the worker's sandbox
    stops such a call, an engine has no such sandbox."""
    if analyse(query).is_update:
        raise QueryFailed(403, *READ_ONLY)
    if mentions_service(query) and uses_service(query) is not False:
        raise QueryFailed(403, *NO_SERVICE)


_DATASET_WORDS = {"FROM", "NAMED", "GRAPH"}


def rename_graphs(text: str, base: str | None, stored: Any) -> tuple[str, tuple[list[str], list[str]]]:
    """The query with each graph IRI after FROM, FROM NAMED and GRAPH (written <…>, relative, or as
    a prefixed name) replaced by `stored(iri)`; and the stored names of its FROM and FROM NAMED.
    Graph IRIs elsewhere (a VALUES list, a FILTER on ?g) are left alone: they match no stored name
    (a deviation of the remote mode, README)."""
    prefixes: dict[str, str] = {}
    current_base = base or ""
    out: list[str] = []
    default: list[str] = []
    named: list[str] = []
    previous: list[str] = []  # the last two significant tokens
    last = 0
    declaring: str | None = None  # "BASE" or a prefix being declared
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "comment":
            continue
        iri: str | None = None
        if kind == "iri":
            iri = urljoin(current_base, token[1:-1]) if current_base else token[1:-1]
        elif kind == "pname" and ":" in token:
            name, local = token.split(":", 1)
            if name in prefixes and previous[-1:] != ["PREFIX"]:
                iri = prefixes[name] + local
        if declaring == "BASE" and iri is not None:
            current_base, declaring = iri, None
        elif declaring is not None and declaring != "BASE" and kind == "iri":
            prefixes[declaring] = iri or ""
            declaring = None
        elif previous[-1:] == ["PREFIX"] and kind == "pname":
            declaring = token.split(":", 1)[0]
        elif iri is not None and previous and previous[-1] in _DATASET_WORDS:
            name = stored(iri)
            if previous[-1] == "NAMED" or previous[-2:] == ["FROM", "NAMED"]:
                named.append(name)
            elif previous[-1] == "FROM":
                default.append(name)
            out.append(text[last : match.start()] + f"<{name}>")
            last = match.end()
        word = token.upper() if kind == "word" else token
        if kind == "word" and word == "BASE":
            declaring = "BASE"
        previous = (previous + [word])[-2:]
    out.append(text[last:])
    return "".join(out), (default, named)


@dataclass(frozen=True)
class RemoteRelease:
    """A published release in the engine (picklable: how a query worker opens it)."""

    endpoint: Endpoint
    release_id: str
    graphs: tuple[str, ...]
    quads: int
    max_bytes: int = 256 * 1024 * 1024

    def open(self) -> RemoteStore:
        return RemoteStore(self.endpoint, self.release_id, self.graphs, self.quads, self.max_bytes)
