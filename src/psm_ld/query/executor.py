"""Query execution with a time limit that really stops a query.

pyoxigraph cannot cancel a running query, so queries run in worker processes, each with the
release's store open (store.StoreSource: in memory, or the shared on-disk store read-only). A worker
that overruns the time limit is killed (SIGKILL) and replaced; the other workers, and the server
itself, keep answering meanwhile. Workers also serialize the results, enforcing the size limits,
so the server process only ever moves bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from psm_ld.errors import Problem
from psm_ld.query import conneg
from psm_ld.query.cache import LRUCache
from psm_ld.query.serialize import OX_RESULTS, results_json_head, term_json, triples_to_bytes
from psm_ld.query.store import StoreSource

log = logging.getLogger("uvicorn.error")

RESULT_CACHE_BYTES = 64 * 1024 * 1024


class QueryFailed(Problem):
    """A query that did not give a result: bad syntax, no acceptable format, over a limit, stopped.
    Raised in a worker process and sent back pickled (Problem keeps all its fields across)."""


@dataclass(frozen=True)
class Job:
    query: str
    base_iri: str
    union_default_graph: bool
    default_graphs: tuple[str, ...] | None = None  # protocol dataset (None: the query's or the store's)
    named_graphs: tuple[str, ...] | None = None
    select_type: str | None = conneg.RESULTS_JSON  # negotiated media type per result kind;
    ask_type: str | None = conneg.RESULTS_JSON  # None = the client accepts no format for it
    graph_type: str | None = conneg.TURTLE
    max_rows: int = 10_000
    max_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Result:
    kind: str  # "select" | "ask" | "graph"
    media_type: str
    body: bytes


def _result_size(result: Result) -> int:
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
    if isinstance(result, ox.QuerySolutions):
        media = _acceptable(job.select_type, conneg.SELECT_TYPES)
        data = _solutions_json(result, job.max_rows, job.max_bytes)
        if media != conneg.RESULTS_JSON:
            parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
            data = parsed.serialize(format=OX_RESULTS[media])  # type: ignore[assignment]
        return Result("select", media, _within(data, job.max_bytes))
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


def _solutions_json(solutions: ox.QuerySolutions, max_rows: int, max_bytes: int) -> bytes:
    """SPARQL JSON results written row by row, stopping at the row or byte limit. (pyoxigraph's own
    serializer cannot be stopped midway, and QuerySolutions cannot be rebuilt from a list.)"""
    names = [v.value for v in solutions.variables]
    parts, size = [results_json_head(names)], 0
    for n, solution in enumerate(solutions):
        if n >= max_rows:
            raise _too_large(max_rows, "righe", "rows")
        row = {name: term_json(solution[name]) for name in names if solution[name] is not None}
        parts.append(("," if n else "") + json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        size += len(parts[-1])
        if size > max_bytes:
            raise _too_large(max_bytes, "byte", "bytes")
    parts.append("]}}")
    return "".join(parts).encode("utf-8")


def worker_main(conn: Connection, source: StoreSource) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops its workers
    store = source.open()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server went away
            return
        try:
            conn.send(execute(store, job))
        except QueryFailed as exc:
            conn.send(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the client, the worker lives on
            failed = f"{type(exc).__name__}: {exc}"
            conn.send(QueryFailed(500, "Esecuzione della query non riuscita", "Query failed", detail=failed))


# --- in the server process --------------------------------------------------------------------


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection

    def call(self, job: Job, timeout: float) -> Result:
        self.conn.send(job)
        if not self.conn.poll(timeout):
            raise TimeoutError
        reply = self.conn.recv()
        if isinstance(reply, QueryFailed):
            raise reply
        return reply

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


@dataclass
class WorkerPool:
    source: StoreSource
    size: int
    timeout: float
    # results by job (the release never changes while served); used from the event loop only
    cache: LRUCache[Result] = field(default_factory=lambda: LRUCache(RESULT_CACHE_BYTES, _result_size))
    _idle: asyncio.Queue[Worker] = field(default_factory=asyncio.Queue)
    _workers: list[Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Spawn the workers (blocking: call from a thread); each joins the idle queue when ready."""
        for _ in range(self.size):
            loop.call_soon_threadsafe(self._idle.put_nowait, self._spawn())

    def _spawn(self) -> Worker:
        # spawn, not fork: the server process has threads (and an event loop) that must not be copied
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=worker_main, args=(theirs, self.source), daemon=True)
        process.start()
        theirs.close()
        if not ours.poll(60) or ours.recv() != "ready":
            process.kill()
            raise RuntimeError("query worker did not start")
        worker = Worker(process, ours)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _replace(self, worker: Worker, loop: asyncio.AbstractEventLoop) -> None:
        worker.stop()
        with self._lock:
            self._workers.remove(worker)
        if self._closed:
            return
        fresh = self._spawn()
        loop.call_soon_threadsafe(self._idle.put_nowait, fresh)

    async def run(self, job: Job) -> Result:
        """The job's result: from the cache, or from an idle worker within the time limit."""
        cached = self.cache.get(job)
        if cached is not None:
            return cached
        return self.cache.put(job, await self._execute(job))

    async def _execute(self, job: Job) -> Result:
        loop = asyncio.get_running_loop()
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError as exc:
            raise QueryFailed(
                503,
                "Tutti gli esecutori delle query sono occupati: riprovare tra poco",
                "All query workers are busy: try again shortly",
            ) from exc
        healthy = False
        try:
            result = await loop.run_in_executor(None, worker.call, job, self.timeout)
            healthy = True
            return result
        except QueryFailed:
            healthy = True
            raise
        except TimeoutError as exc:
            log.warning("query stopped after %ss: %s", self.timeout, job.query[:200].replace("\n", " "))
            raise QueryFailed(
                503,
                f"Query fermata: ha superato il limite di tempo di {self.timeout:g} s; aggiungere LIMIT "
                "o restringere i criteri",
                f"Query stopped: it exceeded the time limit of {self.timeout:g} s; add LIMIT "
                "or narrow the patterns",
                limit=self.timeout,
            ) from exc
        except (EOFError, OSError) as exc:
            raise QueryFailed(
                500,
                "L'esecutore della query si è interrotto; è stato riavviato",
                "The query worker died; it has been restarted",
            ) from exc
        finally:
            if healthy:
                self._idle.put_nowait(worker)
            else:  # timed out, died or the request was cancelled: never reuse a worker mid-query
                loop.run_in_executor(None, self._replace, worker, loop)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.stop()
