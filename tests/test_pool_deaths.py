"""Which worker deaths count against a query (pool.py): one that dies holding the query twice refuses
it for good (422, test_abuse); workers killed while idle (an operator's kill, the kernel's OOM killer)
are replaced, and the next query runs on a fresh one, charged with nothing. A pool closed while a
worker is being replaced stops each of its processes once. Real worker processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from psm_ld.query import pool
from psm_ld.query.executor import Job, QueryFailed
from psm_ld.query.store import StoreSource
from psm_ld.query.worker import Worker

QUAD = '<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
QUERY = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The pool's event loop; closed once the pool's threads (_replace) have ended."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


@pytest.fixture
def nquads(tmp_path: Path) -> Path:
    path = tmp_path / "psm.nq"
    path.write_text(QUAD, encoding="utf-8")
    return path


def test_workers_killed_while_idle_are_not_charged_to_the_next_query(
    nquads: Path, loop: asyncio.AbstractEventLoop
) -> None:
    workers = pool.WorkerPool(StoreSource(nquads), size=2, timeout=5.0, short_workers=0)
    try:
        workers.start(loop)
        loop.run_until_complete(asyncio.sleep(0.1))  # the workers arrive (call_soon_threadsafe)
        idle = list(workers._workers)
        assert len(idle) == 2
        for worker in idle:  # both, while idle: before the fix the query died on one, then the other
            worker.process.kill()
        deadline = time.monotonic() + 10
        while any(worker.process.is_alive() for worker in idle):
            assert time.monotonic() < deadline, "a killed worker still runs"
            time.sleep(0.02)
        job = Job(QUERY, "http://example.org/", False)
        result = loop.run_until_complete(workers.run(job))
        assert b'"o"' in result.body
        assert not workers._crashers, "a query charged with deaths that happened before it"
        fresh = {worker.process.pid for worker in workers._workers}
        assert fresh and not fresh & {worker.process.pid for worker in idle}
    finally:
        workers.close()


def test_a_query_that_finds_only_dead_workers_is_refused_not_looped(
    nquads: Path, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker it is given found dead (as if each died as soon as it started): after one per
    worker of the pool, a 503 to retry later, not an endless round of replacements; still not the
    query's doing."""
    workers = pool.WorkerPool(StoreSource(nquads), size=2, timeout=5.0, short_workers=0)
    try:
        workers.start(loop)
        found_dead: list[Worker] = []
        monkeypatch.setattr(Worker, "alive", lambda self: found_dead.append(self) and False)
        with pytest.raises(QueryFailed) as refused:
            loop.run_until_complete(workers.run(Job(QUERY, "http://example.org/", False)))
        assert refused.value.status == 503 and not workers._crashers
        assert len(found_dead) == 3  # the two workers of the pool, then one fresh: one more than there are
    finally:
        workers.close()


@pytest.mark.parametrize("slow", ["stop", "_launch"])
def test_closing_while_a_worker_is_replaced_stops_each_process_once(
    nquads: Path, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch, slow: str
) -> None:
    """close() (the app's shutdown, a reload) comes while a thread replaces a worker found dead: while
    it stops the dead one, or while it starts its successor. Each worker is stopped once (both the
    thread and close() stopped it: its pipe closed twice, EBADF, or by then another file's
    descriptor), and no process outlives the pool (a successor ready after close() was kept)."""
    workers = pool.WorkerPool(StoreSource(nquads), size=1, timeout=5.0, short_workers=0)
    stops: Counter[int] = Counter()
    launched: list[multiprocessing.process.BaseProcess] = []
    inside, closed = threading.Event(), threading.Event()
    real_stop, real_launch = Worker.stop, pool.WorkerPool._launch

    def pause() -> None:
        """In the replacing thread: the test closes the pool here, then the thread goes on."""
        inside.set()
        assert closed.wait(30)

    def stop(worker: Worker) -> None:
        stops[worker.process.pid] += 1
        if slow == "stop" and threading.current_thread() is not threading.main_thread():
            pause()
        real_stop(worker)

    def launch(self: pool.WorkerPool, lane: str) -> tuple[multiprocessing.process.BaseProcess, object]:
        started = real_launch(self, lane)
        launched.append(started[0])
        if slow == "_launch" and len(launched) == 2:  # the successor: started, not yet ready
            pause()
        return started

    monkeypatch.setattr(Worker, "stop", stop)
    monkeypatch.setattr(pool.WorkerPool, "_launch", launch)
    try:
        workers.start(loop)
        loop.run_until_complete(asyncio.sleep(0.1))  # the worker arrives (call_soon_threadsafe)
        launched[0].kill()
        launched[0].join(10)
        query = loop.create_task(workers.run(Job(QUERY, "http://example.org/", False)))
        deadline = time.monotonic() + 30
        while not inside.is_set():  # found dead, and being replaced in a thread
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            loop.run_until_complete(asyncio.sleep(0.02))
        workers.close()
        closed.set()
        query.cancel()
        loop.run_until_complete(asyncio.gather(query, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_default_executor())  # the replacing thread has ended
        assert set(stops.values()) == {1}, stops
        for process in launched:
            process.join(10)
        assert len(launched) == (2 if slow == "_launch" else 1)
        assert not [process.pid for process in launched if process.is_alive()]
    finally:
        closed.set()
        workers.close()
