"""`psm-ld publish`: the current release into a SPARQL engine (PSM_STORE=sparql; layout in
query/remote.py), switched to only once it is loaded whole and checks out.

1. The release is checked against its manifest (sizes, SHA-256, quads: release.verify).
2. The metadata graph records the release and its graphs (before any data: a publish that stops
   halfway leaves graphs that the next one can find and finish or drop).
3. Each graph is loaded with the Graph Store Protocol in chunks of CHUNK_TRIPLES triples: the first
   chunk with PUT (replaces whatever a failed run left), the next ones with POST. A graph already
   loaded whole is skipped; one holding exactly k whole chunks continues at chunk k+1; any other
   count is loaded again from its first chunk. So a publish run again after a failure (a crash, a
   kill, the network) resumes, and one run again after success does nothing but check.
4. Checks, per graph, against what the release holds: the number of triples, and a checksum of
   the IRIs (the sum of the lengths of subject, predicate and IRI object: literals are left out,
   since engines give back their own canonical forms of typed literals).
5. The switch: the metadata graph's current release changes in one request (SPARQL Update where
   PSM_STORE_UPDATE_URL is set: one transaction; else one GSP PUT of the metadata graph). Servers
   see the new release within PSM_RELOAD_SECONDS.
6. After `grace` seconds (servers finish the requests under way on the old release), the graphs of
   every other release recorded in the metadata graph are dropped, and their records. With
   PSM_STORE_SITE, the metadata graph and the graphs are the site's own (query/engine.py): sites
   sharing an engine never switch or drop each other's releases.
Nothing served changes before step 5, so a publish that fails changes nothing served.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from psm_ld import vocab
from psm_ld.query import engine
from psm_ld.query.engine import (
    CURRENT,
    HAS_GRAPH,
    QUADS,
    RELEASE,
    STORE_NODE,
    Endpoint,
    StoreUnavailable,
    skolem,
)
from psm_ld.release import Release, verify

CHUNK_TRIPLES = 50_000
TURTLE = "text/turtle"  # N-Triples is Turtle; every engine takes Turtle (Virtuoso's GSP no N-Triples)


class PublishError(Exception):
    """A publish that stopped: nothing served changed. The text says what and where."""


@dataclass
class GraphFile:
    name: str  # as clients name it
    path: Path  # its triples, blank nodes skolemized, as N-Triples (one per line)
    triples: int = 0
    iri_length: int = 0  # the checksum: lengths of subject, predicate and IRI object, summed


@dataclass(frozen=True)
class Published:
    release: str
    loaded: int  # triples sent in this run
    skipped: int  # graphs found already loaded
    dropped: list[str]  # releases whose graphs were dropped
    switched: bool  # False when the release was already current


Progress = Callable[[int], None]  # triples done (advance)


def publish(
    endpoint: Endpoint,
    release: Release,
    *,
    chunk: int = CHUNK_TRIPLES,
    grace: float = 0.0,
    progress: Callable[[int, int], Progress] | None = None,  # (total, already done) -> advance
    fail_after: int | None = None,  # tests: stop as a crash would after this many chunks
) -> Published:
    if not endpoint.gsp_url:
        raise PublishError("PSM_STORE_GSP_URL is not set: publish loads graphs with the Graph Store Protocol")
    manifest = verify(release)  # ReleaseError if the release does not check out
    scratch = Path(tempfile.mkdtemp(prefix="psm-ld-publish-"))
    http = endpoint.client()
    try:
        graphs = split_by_graph(release.nquads, scratch)
        total = sum(g.triples for g in graphs.values())
        if total != manifest["quads"]:
            raise PublishError(
                f"release {release.id}: {total} quads read, the manifest says {manifest['quads']}"
            )
        meta = Meta(endpoint, http)
        _check_call(meta.record(release.id, sorted(graphs), total), "recording the release")
        prefix = endpoint.stored_prefix(release.id)
        counts = {name: _count(endpoint, http, prefix + name) for name in graphs}
        done = sum(min(counts[n], g.triples) for n, g in graphs.items() if counts[n] in _resumable(g, chunk))
        advance = progress(total, done) if progress else (lambda n: None)
        loaded = skipped = chunks = 0
        for name, graph in sorted(graphs.items()):
            start = counts[name] // chunk if counts[name] in _resumable(graph, chunk) else 0
            if counts[name] == graph.triples:
                skipped += 1
                continue
            for number, body in enumerate(_chunks(graph.path, chunk)):
                if number < start:
                    continue
                if fail_after is not None and chunks >= fail_after:
                    raise PublishError(f"stopped after {chunks} chunks (as asked: --fail-after)")
                method = "PUT" if number == 0 else "POST"
                _gsp(http, endpoint, method, prefix + name, body)
                lines = body.count(b"\n")
                loaded, chunks = loaded + lines, chunks + 1
                advance(lines)
        check(endpoint, http, release.id, graphs)
        switched = meta.current() != release.id
        if switched:
            meta.switch(release.id)
        if grace > 0 and switched:
            time.sleep(grace)
        dropped = meta.drop_others(release.id)
        return Published(release.id, loaded, skipped, dropped, switched)
    except httpx.HTTPError as exc:
        raise PublishError(f"the SPARQL store did not answer: {type(exc).__name__}: {exc}") from exc
    except StoreUnavailable as exc:
        raise PublishError(exc.message) from exc
    finally:
        http.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _resumable(graph: GraphFile, chunk: int) -> set[int]:
    """Counts a graph may hold that a resumed load can continue from: whole chunks, or all of it."""
    return {n * chunk for n in range(graph.triples // chunk + 1)} | {graph.triples}


def split_by_graph(nquads: Path, folder: Path) -> dict[str, GraphFile]:
    """One N-Triples file per named graph, blank nodes skolemized (query/engine.py), with the checksums."""
    graphs: dict[str, GraphFile] = {}
    batches: dict[str, list[ox.Triple]] = {}

    def flush(name: str) -> None:
        with graphs[name].path.open("ab") as out:
            out.write(ox.serialize(batches[name], format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]
        batches[name] = []

    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise PublishError(f"{nquads}: a quad outside any named graph: {quad}")
        name = quad.graph_name.value
        if name not in graphs:
            graphs[name] = GraphFile(name, folder / f"{len(graphs)}.nt")
            batches[name] = []
        triple = ox.Triple(skolem(quad.subject), quad.predicate, skolem(quad.object))  # type: ignore[arg-type]
        graph = graphs[name]
        graph.triples += 1
        graph.iri_length += _iri_length(triple)
        batches[name].append(triple)
        if len(batches[name]) >= 20_000:
            flush(name)
    for name in graphs:
        flush(name)
    return graphs


def _iri_length(triple: ox.Triple) -> int:
    obj = triple.object
    return (
        len(triple.subject.value)
        + len(triple.predicate.value)
        + (len(obj.value) if isinstance(obj, ox.NamedNode) else 0)
    )


def _chunks(path: Path, size: int) -> Iterator[bytes]:
    """The file's lines in groups of `size` (N-Triples: one triple per line), lazily."""
    with path.open("rb") as file:
        lines: list[bytes] = []
        for line in file:
            lines.append(line)
            if len(lines) == size:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)


def _gsp(http: httpx.Client, endpoint: Endpoint, method: str, graph: str, body: bytes) -> None:
    for attempt in range(3):  # a dropped connection is tried again; PUT and a POST of a chunk
        try:  # that did not arrive are safe to repeat (a POST that did arrive shows in the count)
            response = http.request(
                method, endpoint.gsp_url or "", params={"graph": graph}, content=body,
                headers={"Content-Type": TURTLE},
            )  # fmt: skip
            break
        except httpx.TransportError:
            if attempt == 2:
                raise
            time.sleep(1 + attempt)
    if response.status_code >= 300:
        detail = " ".join(response.text[:500].split())
        raise PublishError(f"{method} of graph <{graph}>: HTTP {response.status_code} {detail}")


def _check_call(response: httpx.Response, what: str) -> None:
    if response.status_code >= 300:
        raise PublishError(f"{what}: HTTP {response.status_code} {' '.join(response.text[:500].split())}")


def _count(endpoint: Endpoint, http: httpx.Client, graph: str) -> int:
    rows = engine.select(
        endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", http
    )
    return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0


def check(endpoint: Endpoint, http: httpx.Client, release_id: str, graphs: dict[str, GraphFile]) -> None:
    """Each graph as loaded against the release: triples and the IRI checksum (PublishError if not)."""
    prefix = endpoint.stored_prefix(release_id)
    for name, graph in sorted(graphs.items()):
        stored = prefix + name
        query = (
            "SELECT (COUNT(*) AS ?n) (SUM(STRLEN(STR(?s)) + STRLEN(STR(?p)) + "
            "IF(isIRI(?o), STRLEN(STR(?o)), 0)) AS ?length) "
            f"WHERE {{ GRAPH <{stored}> {{ ?s ?p ?o }} }}"
        )
        rows = engine.select(endpoint, query, http)
        count = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        length = int(rows[0]["length"].value) if rows and "length" in rows[0] else 0
        if count != graph.triples:
            raise PublishError(
                f"graph <{name}>: {count} triples in the store, {graph.triples} in the release"
            )
        if length != graph.iri_length:
            raise PublishError(
                f"graph <{name}>: IRI checksum {length} in the store, {graph.iri_length} in the release"
            )


class Meta:
    """The metadata graph (query/engine.py): read with SPARQL, written with SPARQL Update where
    configured (one transaction per change), else with GSP (POST to add, PUT to replace)."""

    def __init__(self, endpoint: Endpoint, http: httpx.Client) -> None:
        self.endpoint, self.http = endpoint, http

    def triples(self) -> list[ox.Triple]:
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.endpoint.meta_graph}> {{ ?s ?p ?o }} }}"
        rows = engine.select(self.endpoint, query, self.http)
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]

    def current(self) -> str | None:
        return engine.current_id(self.endpoint, self.http)

    def record(self, release_id: str, graphs: list[str], quads: int) -> httpx.Response:
        subject = ox.NamedNode(RELEASE + release_id)
        triples = [ox.Triple(subject, ox.NamedNode(QUADS), ox.Literal(str(quads), datatype=_INTEGER))]
        triples += [ox.Triple(subject, ox.NamedNode(HAS_GRAPH), ox.NamedNode(g)) for g in graphs]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return self.http.post(self.endpoint.gsp_url or "", params={"graph": self.endpoint.meta_graph},
                              content=body, headers={"Content-Type": TURTLE})  # fmt: skip

    def switch(self, release_id: str) -> None:
        new = ox.Triple(ox.NamedNode(STORE_NODE), ox.NamedNode(CURRENT), ox.Literal(release_id))
        if self.endpoint.update_url:
            meta = self.endpoint.meta_graph
            self._update(
                f"DELETE WHERE {{ GRAPH <{meta}> {{ <{STORE_NODE}> <{CURRENT}> ?old }} }} ;\n"
                f"INSERT DATA {{ GRAPH <{meta}> {{ {new} }} }}"
            )
        else:
            kept = [t for t in self.triples() if t.predicate.value != CURRENT]
            self._put_meta([*kept, new])
        if self.current() != release_id:
            raise PublishError(
                f"the switch to {release_id} did not take: the metadata graph says {self.current()}"
            )

    def drop_others(self, current: str) -> list[str]:
        """Drop the graphs of every release recorded but `current`, then their records."""
        triples = self.triples()
        others = sorted({
            t.subject.value[len(RELEASE):] for t in triples
            if t.subject.value.startswith(RELEASE) and t.subject.value != RELEASE + current
        })  # fmt: skip
        for release_id in others:
            prefix = self.endpoint.stored_prefix(release_id)
            for t in triples:
                if t.subject.value == RELEASE + release_id and t.predicate.value == HAS_GRAPH:
                    self.drop_graph(prefix + t.object.value)
        if others:
            kept = [t for t in self.triples() if not any(t.subject.value == RELEASE + r for r in others)]
            if self.endpoint.update_url:
                for release_id in others:
                    meta = self.endpoint.meta_graph
                    self._update(f"DELETE WHERE {{ GRAPH <{meta}> {{ <{RELEASE}{release_id}> ?p ?o }} }}")
            else:
                self._put_meta(kept)
        return others

    def drop_graph(self, graph: str) -> None:
        if self.endpoint.update_url:
            self._update(f"DROP SILENT GRAPH <{graph}>")
            return
        response = self.http.delete(self.endpoint.gsp_url or "", params={"graph": graph})
        if response.status_code not in (200, 204, 404):
            _check_call(response, f"dropping <{graph}>")

    def _put_meta(self, triples: list[ox.Triple]) -> None:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        response = self.http.put(self.endpoint.gsp_url or "", params={"graph": self.endpoint.meta_graph},
                                 content=body, headers={"Content-Type": TURTLE})  # fmt: skip
        _check_call(response, "writing the metadata graph")

    def _update(self, update: str) -> None:
        response = self.http.post(self.endpoint.update_url or "", data={"update": update})
        _check_call(response, "SPARQL Update")


_INTEGER = ox.NamedNode(vocab.XSD + "integer")
