"""Query execution inside a worker process: what a job is, the checks and the engine, the results
serialized within the size limits, and the worker's main loop.

pyoxigraph cannot cancel a running query, so queries run in worker processes, each with the
release's store open (store.StoreSource: in memory, or the shared on-disk store read-only); the
server's side of them (starting, killing at the time limit, sharing them fairly) is pool.py.
Workers serialize the results, so the server process only ever moves bytes. A worker has no network
(sandbox.py) and checks each query before the engine sees it (guard.py).
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

import pyoxigraph as ox

from psm_ld.errors import Problem
from psm_ld.query import conneg
from psm_ld.query.guard import (
    NO_SERVICE,
    READ_ONLY,
    STACK_BYTES,
    UPDATE_KEYWORDS,
    Limits,
    check_limits,
    map_iris,
    mentions_service,
    names_dataset,
    query_form,
    unescaped,
    uses_service,
)
from psm_ld.query.sandbox import deny_network
from psm_ld.query.serialize import OX_RESULTS, triples_to_bytes
from psm_ld.query.store import StoreSource

log = logging.getLogger("uvicorn.error")


class QueryFailed(Problem):
    """A query that did not give a result: bad syntax, no acceptable format, over a limit, stopped.
    Raised in a worker process and sent back pickled (Problem keeps all its fields across)."""


@dataclass(frozen=True)
class Job:
    """A query as the client sent it and how to run it. The text is read (update, FROM, IRIs) only
    in the worker, by run_job: the server's event loop never spends time proportional to it."""

    query: str
    base_iri: str
    union_default_graph: bool  # the union of all graphs as default graph (run_job: unless FROM)
    default_graphs: tuple[str, ...] | None = None  # protocol dataset (None: the query's or the store's)
    named_graphs: tuple[str, ...] | None = None
    select_type: str | None = conneg.RESULTS_JSON  # negotiated media type per result kind;
    ask_type: str | None = conneg.RESULTS_JSON  # None = the client accepts no format for it
    graph_type: str | None = conneg.TURTLE
    max_rows: int = 10_000
    max_bytes: int = 16 * 1024 * 1024
    rewrite_iris: tuple[str, str] | None = None  # (from, to): IRIs under `from` read under `to`


@dataclass(frozen=True)
class Result:
    kind: str  # "select" | "ask" | "graph"
    media_type: str
    body: bytes


def result_size(result: Result) -> int:
    """What a result costs in the result cache, in bytes."""
    return len(result.body) + len(result.media_type) + 64


# --- in the worker process --------------------------------------------------------------------


def execute(store: ox.Store, job: Job) -> Result:
    kwargs: dict[str, object] = {"base_iri": job.base_iri}
    if job.default_graphs is not None or job.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
    elif job.union_default_graph:
        kwargs["use_default_graph_as_union"] = True
    try:
        result = store.query(job.query, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise QueryFailed(400, "Errore di sintassi SPARQL", "SPARQL syntax error", detail=str(exc)) from exc
    if isinstance(result, ox.QueryBoolean):
        media = _acceptable(job.ask_type, conneg.ASK_TYPES)
        return Result("ask", media, result.serialize(format=OX_RESULTS[media]))  # type: ignore[arg-type]
    if isinstance(result, ox.QuerySolutions) or hasattr(result, "variables"):  # remote.Solutions too
        media = _acceptable(job.select_type, conneg.SELECT_TYPES)
        return Result("select", media, _solutions(result, media, job.max_rows, job.max_bytes))
    media = _acceptable(job.graph_type, conneg.RDF_TYPES)
    triples = []
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _too_large(job.max_rows, "triple", "triples")
        triples.append(triple)
    return Result("graph", media, _within(triples_to_bytes(triples, media, job.base_iri), job.max_bytes))


def _acceptable(media: str | None, offered: tuple[str, ...]) -> str:
    if media is None:
        raise QueryFailed(
            406,
            "Nessuno dei formati accettati va bene per questa forma di query",
            "None of the accepted media types fits this query form",
            detail=", ".join(offered),
        )
    return media


def _too_large(limit: int, it_unit: str, en_unit: str) -> QueryFailed:
    return QueryFailed(
        422,
        f"Risultato troppo grande (più di {limit} {it_unit}): aggiungere LIMIT o restringere la query, "
        "oppure scaricare il dump completo",
        f"Result too large (more than {limit} {en_unit}): add LIMIT or narrow the query, "
        "or download the full dump",
        limit=limit,
    )


def _within(data: bytes, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise _too_large(max_bytes, "byte", "bytes")
    return data


class _Bounded:
    """A binary sink for pyoxigraph's serializers that refuses to grow past `max_bytes`: the writer
    calls write() every few KiB, so an oversized result stops being written (and evaluated) there."""

    def __init__(self, max_bytes: int) -> None:
        self.parts: list[bytes] = []
        self.size, self.max_bytes = 0, max_bytes

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise _too_large(self.max_bytes, "byte", "bytes")
        self.parts.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass


def _solutions(solutions: ox.QuerySolutions, media: str, max_rows: int, max_bytes: int) -> bytes:
    """Solutions written by the engine's own serializer (Rust: no Python object per row or term),
    stopped at the byte limit while being written, then held to the row limit (_rows)."""
    sink = _Bounded(max_bytes)
    solutions.serialize(sink, format=OX_RESULTS[media])  # what write() raises comes through as is
    data = b"".join(sink.parts)
    if _rows(data, media, max_rows) > max_rows:
        raise _too_large(max_rows, "righe", "rows")
    return data


def _rows(data: bytes, media: str, max_rows: int) -> int:
    """The number of rows of a serialized result, or an upper bound of it that is at most `max_rows`
    (then the limit holds and counting exactly is not needed). Fast counts of bytes first; the exact
    count only for a result that may be over the limit."""
    if media == conneg.TSV:  # one line per row after the header; terms escape their newlines
        return max(0, data.count(b"\n") - 1)
    if media == conneg.RESULTS_XML:  # "<" is always escaped in XML text: tags are the only ones
        return data.count(b"<result>")
    if media == conneg.CSV:
        rough = max(0, data.count(b"\n") - 1)  # a quoted value may hold newlines: an upper bound
        if rough <= max_rows:
            return rough
        import csv
        import io

        return max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1)
    # JSON: rows are separated by "},{" outside strings; inside strings that text may occur too, so
    # the raw count is an upper bound; the exact one drops string contents first (after escapes, a
    # '"' delimits a string)
    if data.endswith(b"[]}}"):
        return 0
    rough = data.count(b"},{") + 1
    if rough <= max_rows:
        return rough
    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(plain.split(b'"')[::2]).count(b"},{") + 1


def run_job(store: ox.Store, job: Job, limits: Limits) -> Result:
    """In the worker: the checks that need no engine (guard.py), then the engine. Each reads the
    whole text (a second of Python for some texts of 1 MiB): here, not in the server's event loop.
    They answer as they did there: an update first (403), then the limits (400), SERVICE (403)."""
    text = unescaped(job.query)
    if query_form(text) in UPDATE_KEYWORDS:  # the engine's query parser would refuse it, less clearly
        raise QueryFailed(403, *READ_ONLY)
    refusal = check_limits(job.query, limits)
    if refusal is not None:
        it, en, limit = refusal
        raise QueryFailed(400, it, en, limit=limit)
    service = mentions_service(job.query)
    if service and uses_service(job.query):
        raise QueryFailed(403, *NO_SERVICE)
    query = map_iris(job.query, *job.rewrite_iris) if job.rewrite_iris else job.query
    union = job.union_default_graph and not names_dataset(text)  # the query's own FROM wins
    try:
        return execute(store, replace(job, query=query, union_default_graph=union, rewrite_iris=None))
    except OSError as exc:
        # A read-only query raises OSError for a SERVICE call (refused by the sandbox: the engine's
        # own parse found it) or a storage failure; the message is never passed on.
        if service:
            raise QueryFailed(403, *NO_SERVICE) from exc
        log.error("query worker: store error %s", type(exc).__name__)
        raise QueryFailed(500, "Lettura dell'archivio non riuscita", "The store could not be read") from exc


# What a worker needs: this module (with the engine), rdflib's SPARQL grammar (a text that could spell
# SERVICE, guard.uses_service) and its JSON-LD writer (serialize.py). The fork server imports them
# before the first worker is forked (pool.py); a spawned worker, in `_preload`.
WORKER_MODULES = (
    "psm_ld.query.executor", "rdflib.plugins.sparql.parser", "rdflib.plugins.serializers.jsonld"
)  # fmt: skip


def _preload() -> None:
    """Import WORKER_MODULES beside the first jobs. Imported by the first job that needs them they
    cost it 0.5-2 s of its time limit on a busy machine (stopped at a 2 s limit). A worker forked from
    the fork server (pool.py) has them already, and this costs nothing."""
    for name in WORKER_MODULES:
        importlib.import_module(name)


OPENING, READY = "opening", "ready"  # what a starting worker tells the server (pool.py), in this order


def worker_main(conn: Connection, source: StoreSource, limits: Limits, nice: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops its workers
    try:
        if source.remote is None:  # before anything reads a query; never undone
            deny_network()
        # With PSM_STORE=sparql the worker talks to the operator's engine (the settings' URL, never a
        # client's), so it keeps its sockets; no pyoxigraph engine runs in it, and remote.py refuses
        # SERVICE before the engine sees a query (also where rdflib cannot parse it).
    except (OSError, RuntimeError) as exc:
        conn.send(f"no sandbox: {exc}")
        return
    if nice:
        os.nice(nice)
    # the engine recurses per level of nesting: a large stack (reserved, used only as needed) keeps
    # what the limits let through far from an overflow, whatever the process's stack limit
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_serve, args=(conn, source, limits), name="psm-query")
    thread.start()
    thread.join()


def _serve(conn: Connection, source: StoreSource, limits: Limits) -> None:
    try:
        conn.send(OPENING)  # the store may take minutes to open (memory mode reads the whole release)
        store = source.open()
        conn.send(READY)
    except OSError:  # the server stopped while this worker was starting
        return
    # after "ready": a worker replacing one that was killed takes jobs at once (requests wait for it)
    threading.Thread(target=_preload, name="psm-preload", daemon=True).start()
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server went away
            return
        try:
            conn.send(run_job(store, job, limits))
        except QueryFailed as exc:
            conn.send(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the client, the worker lives on
            failed = f"{type(exc).__name__}: {str(exc)[:300]}"
            conn.send(QueryFailed(500, "Esecuzione della query non riuscita", "Query failed", detail=failed))
