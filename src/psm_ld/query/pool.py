"""The server's side of the query workers (executor.py runs inside them): starting them, handing
each request a worker fairly, killing one that overruns the time limit and replacing it, retrying
the request a dying worker held, and refusing at once (503 + Retry-After) what cannot be served soon.

A worker that overruns the time limit is killed (SIGKILL) and replaced; the other workers, and the
server itself, keep answering meanwhile. One extra worker is a lane for short queries, so a few heavy
queries cannot starve everyone (README, "Sicurezza").
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import sys
import threading
import time
import types
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from psm_ld.query.cache import LRUCache
from psm_ld.query.executor import (
    OPENING,
    READY,
    WORKER_MODULES,
    Job,
    QueryFailed,
    Result,
    result_size,
    worker_main,
)
from psm_ld.query.guard import Limits
from psm_ld.query.store import StoreSource
from psm_ld.query.worker import GENERAL, SHORT, Worker, startup_reply

log = logging.getLogger("uvicorn.error")

RESULT_CACHE_BYTES = 64 * 1024 * 1024

RESPAWN_WAIT = 30.0  # how long a request waits for a worker that is being started
START_WAIT = 60.0  # seconds for a fresh worker to start and say so (opening the store may take longer)
HEAVY_SECONDS = 60.0  # a client whose query ran long stays off the short lane this long
RETRY_AFTER = {"Retry-After": "1"}  # seconds, on every 503 that asks the client to come back
BUSY = (
    "Tutti gli esecutori delle query sono occupati: riprovare tra poco",
    "All query workers are busy: try again shortly",
)
CRASHED = (
    "Questa query ha fatto cadere due volte il motore delle query (un difetto di pyoxigraph, non della "
    "query) e non viene più eseguita: semplificarla (meno annidamenti, meno criteri)",
    "This query made the query engine crash twice (a defect of pyoxigraph, not of the query) and is "
    "not run again: simplify it (less nesting, fewer patterns)",
)
LONG_ON_SHORT_LANE = (
    "Query lunga e gli esecutori per le query lunghe sono occupati: riprovare più tardi",
    "This query takes long and the workers for long queries are busy: retry in a while",
)


class _WorkerDied(Exception):
    """The worker died while it held the job: the job's doing, perhaps (twice: refused, 422)."""


class _WorkerGone(Exception):
    """The worker was found dead before the job was sent (killed or out of memory while idle): not
    the job's doing."""


@dataclass
class _Waiter:
    future: asyncio.Future[Worker]
    client: str


@dataclass
class WorkerPool:
    """Worker processes and who gets them.

    Fairness (issue 10): `size` general workers run any query up to `timeout`; `short_workers` more
    form a lane for short queries: a client may use it only when it has no other query running and
    none of its queries ran longer than `short_seconds` in the last HEAVY_SECONDS, and a query on it
    is stopped at `short_seconds` (503, Retry-After). A freed worker goes to the waiting client with
    the fewest queries running. A request waits at most `queue_wait` for a worker, and a client has at
    most `client_queries` requests running or waiting: beyond either, 503 with Retry-After at once.
    A worker that dies mid-query (a crash, kill -9) costs its request nothing: it is run again once on
    another worker; a query that kills two is refused from then on.
    """

    source: StoreSource
    size: int
    timeout: float
    short_workers: int = 1
    short_seconds: float = 1.0
    queue_wait: float = 0.25
    client_queries: int = 16
    limits: Limits = field(default_factory=Limits)
    # results by job (the release never changes while served); used from the event loop only
    cache: LRUCache[Result] = field(default_factory=lambda: LRUCache(RESULT_CACHE_BYTES, result_size))
    _idle: dict[str, list[Worker]] = field(default_factory=lambda: {GENERAL: [], SHORT: []})
    _waiters: list[_Waiter] = field(default_factory=list)
    _running: Counter[str] = field(default_factory=Counter)
    _in_flight: Counter[str] = field(default_factory=Counter)
    _heavy: dict[str, float] = field(default_factory=dict)  # client -> off the short lane until then
    _crashers: OrderedDict[str, None] = field(default_factory=OrderedDict)  # digests of query texts
    _workers: list[Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # per lane: workers being started (at start, in place of one that died, or of a short-lane
    # worker stopped at its limit): capacity that is coming back, worth waiting for
    _recovering: Counter[str] = field(default_factory=Counter)
    _loop: asyncio.AbstractEventLoop | None = None
    _closed: bool = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Spawn the workers (blocking: call from a thread); each becomes available when ready. If
        one does not start, the pool is closed (the others stopped) and its error raised: a release
        that cannot be served leaves no worker behind."""
        self._loop = loop
        lanes = [GENERAL] * self.size + [SHORT] * self.short_workers
        self._recovering.update(lanes)
        # all started at once, then each awaited: their start-up (an interpreter, imports, the store
        # opened) overlaps instead of adding up
        launched = [(lane, *self._launch(lane)) for lane in lanes]
        failed: BaseException | None = None
        for lane, process, ours in launched:
            try:
                worker = self._ready(lane, process, ours)
            except BaseException as exc:  # the others are still awaited (and kept, or stopped)
                failed = failed or exc
                continue
            loop.call_soon_threadsafe(self._arrived, worker, lane)
        if failed is not None:
            self.close()
            raise failed

    def _spawn(self, lane: str) -> Worker:
        return self._ready(lane, *self._launch(lane))

    def _launch(self, lane: str) -> tuple[multiprocessing.process.BaseProcess, Connection]:
        context = _worker_context()
        ours, theirs = context.Pipe()
        # every worker runs at a lower priority than the server, whose one event loop answers every
        # page and every refusal (under overload, 500 connections, the loop is the bottleneck: a
        # worker at its priority took CPU from it); the short lane above the general workers, so a
        # long query takes the CPU that nobody else wants
        nice = 10 if lane == GENERAL else 5
        arguments = (theirs, self.source, self.limits, nice)
        process = context.Process(target=worker_main, args=arguments, daemon=True)
        with _main_left_out():
            process.start()
        theirs.close()
        return process, ours

    def _ready(self, lane: str, process: multiprocessing.process.BaseProcess, ours: Connection) -> Worker:
        """The worker `_launch` started, once it says it is ready (RuntimeError, killed, if not). It
        has START_WAIT seconds to start and say it is opening the store; opening takes what the
        release's size asks (memory mode reads all of it: minutes at 10M triples), as long as the
        worker lives."""
        reply = startup_reply(ours, process, START_WAIT, lambda: self._closed)
        if reply == OPENING:
            reply = startup_reply(ours, process, None, lambda: self._closed)
        worker = Worker(process, ours, lane)
        with self._lock:  # taken with close()'s: a worker that is ready once the pool closed is stopped
            if reply == READY and not self._closed:
                self._workers.append(worker)
                return worker
        worker.stop()  # reaped: a pool that failed to start leaves no process behind
        why = "the pool is closed" if reply == READY else reply
        raise RuntimeError(f"query worker did not start: {why}")

    def _replace(self, worker: Worker, recovering: bool) -> None:
        """In a thread: stop the worker and start another in its lane (counted in _recovering, if
        `recovering`, from the moment the loop stopped it until the fresh one arrives). Whoever takes
        a worker out of `_workers`, this or close(), stops it: once (twice closed its pipe twice,
        perhaps another file's descriptor by then)."""
        with self._lock:
            ours = worker in self._workers
            if ours:
                self._workers.remove(worker)
        if ours:
            worker.stop()
        if self._loop is None:
            return
        fresh: Worker | None = None
        try:
            for attempt in range(5):  # a worker that fails to start (a busy machine) is tried again
                if self._closed:
                    break
                try:
                    fresh = self._spawn(worker.lane)
                    break
                except (OSError, RuntimeError, EOFError) as exc:
                    if not self._closed:
                        log.error("query worker did not start (attempt %d): %r", attempt + 1, exc)
                        time.sleep(1 + attempt)
        finally:
            if not self._closed:  # a closed pool's loop may be closed too
                self._loop.call_soon_threadsafe(self._arrived, fresh, worker.lane if recovering else None)

    # -- who gets a worker (all on the event loop) --

    def _short_ok(self, client: str) -> bool:
        return self._running[client] == 0 and self._heavy.get(client, 0.0) < time.monotonic()

    def _arrived(self, worker: Worker | None, recovered: str | None) -> None:
        if recovered is not None:
            self._recovering[recovered] -= 1
        if worker is not None:
            self._release(worker)

    def _release(self, worker: Worker) -> None:
        if self._closed:
            return
        eligible = [
            w for w in self._waiters
            if not w.future.done() and (worker.lane == GENERAL or self._short_ok(w.client))
        ]  # fmt: skip
        if eligible:
            waiter = min(eligible, key=lambda w: self._running[w.client])  # first of the least served
            self._waiters.remove(waiter)
            waiter.future.set_result(worker)
        else:
            self._idle[worker.lane].append(worker)

    async def _acquire(self, client: str, wait: float, patient: bool = False) -> Worker:
        """A worker for the client within `wait` seconds, or 503. While a worker it could use is being
        started in place of one that died (or of a short-lane worker stopped at its limit), a client
        with nothing running (or a `patient` retry) waits for it instead: capacity lost to a crash,
        a kill or the lane's own protection is no reason to refuse; a client's extra requests are
        refused at once. (A general worker stopped at the time limit is not waited for: that is
        load, not a fault.)"""
        if self._idle[GENERAL]:
            return self._idle[GENERAL].pop()
        if self._idle[SHORT] and self._short_ok(client):
            return self._idle[SHORT].pop()
        waiter = _Waiter(asyncio.get_running_loop().create_future(), client)
        self._waiters.append(waiter)
        got: Worker | None = None
        try:
            try:
                got = await asyncio.wait_for(asyncio.shield(waiter.future), wait)
            except TimeoutError as exc:
                if not self._coming_back(client) or (self._running[client] and not patient):
                    raise QueryFailed(503, *BUSY, headers=RETRY_AFTER) from exc
                got = await self._while_starting(waiter.future, client)
            return got
        except TimeoutError as exc:
            raise QueryFailed(503, *BUSY, headers=RETRY_AFTER) from exc
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            if got is None:
                if waiter.future.done() and not waiter.future.cancelled():
                    self._release(waiter.future.result())  # handed over as the request ended
                waiter.future.cancel()

    def _coming_back(self, client: str) -> bool:
        """Whether a worker the client could use is being started."""
        return self._recovering[GENERAL] > 0 or (self._recovering[SHORT] > 0 and self._short_ok(client))

    async def _while_starting(self, future: asyncio.Future[Worker], client: str) -> Worker:
        deadline = time.monotonic() + RESPAWN_WAIT
        while self._coming_back(client) and time.monotonic() < deadline:
            try:
                return await asyncio.wait_for(asyncio.shield(future), 0.05)
            except TimeoutError:
                continue
        if future.done():
            return future.result()
        raise TimeoutError

    # -- running --

    def admits(self, client: str) -> bool:
        """Whether the client is under its limit of requests running or waiting (checked again by
        run(); asked first by the endpoint, so a refusal costs no parsing)."""
        return self._in_flight[client] < self.client_queries

    def too_many(self) -> QueryFailed:
        return QueryFailed(
            503,
            f"Troppe query contemporanee dallo stesso indirizzo (limite {self.client_queries}, "
            "PSM_CLIENT_QUERIES): riprovare quando una ha risposto",
            f"Too many queries from your address at once (limit {self.client_queries}, "
            "PSM_CLIENT_QUERIES): retry when one has answered",
            limit=self.client_queries,
            headers=RETRY_AFTER,
        )

    async def run(self, job: Job, client: str = "") -> Result:
        """The job's result: from the cache, or from a worker within the limits above."""
        cached = self.cache.get(job)
        if cached is not None:
            return cached
        if _digest(job.query) in self._crashers:
            raise QueryFailed(422, *CRASHED)
        if not self.admits(client):
            raise self.too_many()
        self._in_flight[client] += 1
        try:
            result = await self._execute(job, client)
        finally:
            self._in_flight[client] -= 1
            if not self._in_flight[client]:
                del self._in_flight[client]
        return self.cache.put(job, result)

    async def _execute(self, job: Job, client: str) -> Result:
        """The job run on a worker; if the worker dies while it holds the job, once more on another (a
        fresh one if need be: the wait extends while one starts), and a second death refuses the
        query for good (422). A worker found dead before the job reached it is replaced and another
        taken, not counted against the job: at most once per worker of the pool, then 503."""
        deaths = gone = 0
        while True:
            worker = await self._acquire(client, self.queue_wait, patient=bool(deaths or gone))
            try:
                return await self._run_on(worker, job, client)
            except _WorkerGone:
                gone += 1
                log.warning("query worker found dead before a query; replaced: %s", _excerpt(job))
                if gone > self.size + self.short_workers:
                    raise QueryFailed(503, *BUSY, headers=RETRY_AFTER) from None
            except _WorkerDied:
                deaths += 1
                if deaths == 2:
                    raise self._refuse(job) from None
                log.warning("query worker died; running the query again: %s", _excerpt(job))

    def _refuse(self, job: Job) -> QueryFailed:
        """The 422 of a query that two workers died running; it is refused from now on (the last
        1,024 such queries are remembered)."""
        log.error("query worker died twice on the same query; refused from now on: %s", _excerpt(job))
        self._crashers[_digest(job.query)] = None
        while len(self._crashers) > 1024:
            self._crashers.popitem(last=False)
        return QueryFailed(422, *CRASHED)

    async def _run_on(self, worker: Worker, job: Job, client: str) -> Result:
        loop = asyncio.get_running_loop()
        limit = self.short_seconds if worker.lane == SHORT else self.timeout
        self._running[client] += 1
        started = time.monotonic()
        healthy = died = False
        try:
            if not worker.alive():
                died = True
                raise _WorkerGone
            result = await worker.ask(job, limit)
            healthy = True
            return result
        except QueryFailed:
            healthy = True
            raise
        except TimeoutError as exc:
            if worker.lane == SHORT:
                raise QueryFailed(503, *LONG_ON_SHORT_LANE, headers=RETRY_AFTER) from exc
            log.warning("query stopped after %ss: %s", self.timeout, _excerpt(job))
            raise QueryFailed(
                503,
                f"Query fermata: ha superato il limite di tempo di {self.timeout:g} s; aggiungere LIMIT "
                "o restringere i criteri",
                f"Query stopped: it exceeded the time limit of {self.timeout:g} s; add LIMIT "
                "or narrow the patterns",
                limit=self.timeout,
            ) from exc
        except (EOFError, OSError) as exc:
            died = True
            raise _WorkerDied from exc
        finally:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
            if time.monotonic() - started > self.short_seconds:
                self._mark_heavy(client)
            if healthy:
                self._release(worker)
            else:  # timed out, died or the request was cancelled: never reuse a worker mid-query
                recovering = died or worker.lane == SHORT
                self._recovering[worker.lane] += recovering
                worker.detach()  # here, on the loop; the process is stopped and replaced in a thread
                loop.run_in_executor(None, self._replace, worker, recovering)

    def _mark_heavy(self, client: str) -> None:
        now = time.monotonic()
        if len(self._heavy) > 10_000:  # bounded: forget the expired ones
            self._heavy = {c: t for c, t in self._heavy.items() if t > now}
        self._heavy[client] = now + HEAVY_SECONDS

    def close(self) -> None:
        """Stop every worker: on the event loop's thread (the app's shutdown, reload.py), or from
        `start` before any worker has a stream."""
        with self._lock:  # from here on no worker is added (_ready), and these are ours to stop
            self._closed = True
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.detach()
            worker.stop()


def _worker_context() -> multiprocessing.context.BaseContext:
    """How workers are started: forked from multiprocessing's fork server where the system has one.
    The fork server is a fresh interpreter, started with the first worker, that imports
    WORKER_MODULES (executor.py) once (0.3-0.4 s of CPU); each worker is a fork of it, with all of that
    already loaded: a worker ready in milliseconds, a replacement too, and a first query that waits
    for no import (on a busy machine a spawned worker's imports, at its lower priority, took seconds
    of a query's time limit). Not a fork of the server itself: its threads and event loop must not be
    copied. Elsewhere, spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))  # read when the fork server starts
    return context


_MAIN_SWAP = threading.Lock()


@contextmanager
def _main_left_out() -> Iterator[None]:
    """Processes started meanwhile do not import this process's main module. A spawned child (and a
    fork server's child, prepared the same way) imports it again before it runs its target; a worker
    runs `worker_main`, which pickle names by module, and needs nothing of the main module, which for
    `psm-ld serve` is the CLI (Typer, Rich: 0.15-0.2 s of CPU per worker; under pytest, pytest).
    multiprocessing reads the main module from `sys.modules["__main__"]`; a module without a file or
    spec there is left alone."""
    with _MAIN_SWAP:  # one swap at a time: two interleaved would not restore the real one
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _digest(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


def _excerpt(job: Job) -> str:
    return job.query[:200].replace("\n", " ")
