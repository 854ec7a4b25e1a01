"""A query worker has pool.START_WAIT seconds to start; opening the store may then take as long as the
release asks (memory mode reads all of it: minutes at 10M triples, where a fixed 60 s stopped psm-ld
from starting at all), as long as the worker lives. Real worker processes, a store slow to open."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from psm_ld.query import pool
from psm_ld.query import worker as worker_module
from psm_ld.query.executor import Job, QueryFailed
from psm_ld.query.store import StoreSource

QUAD = '<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'


@dataclass(frozen=True)
class SlowSource(StoreSource):
    """The store opened after `delay` seconds, as a large release read into memory; a negative delay:
    the worker dies while opening it."""

    delay: float = 0.0

    def open(self) -> ox.Store:
        time.sleep(abs(self.delay))
        if self.delay < 0:
            raise SystemExit(3)
        return super().open()


@pytest.fixture
def nquads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pool, "START_WAIT", 1.0)  # a second to start; the store takes longer to open
    path = tmp_path / "psm.nq"
    path.write_text(QUAD, encoding="utf-8")
    return path


def test_a_worker_whose_store_opens_after_the_start_wait_is_waited_for(nquads: Path) -> None:
    workers = pool.WorkerPool(SlowSource(nquads, delay=1.8), size=1, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
    try:
        began = time.monotonic()
        workers.start(loop)  # blocks until the worker is ready
        assert time.monotonic() - began >= 1.8
        job = Job("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "http://example.org/", False)
        result = loop.run_until_complete(workers.run(job))
        assert b'"o"' in result.body
    finally:
        workers.close()
        loop.close()


def test_a_worker_that_dies_while_opening_its_store_fails_the_start_clearly(nquads: Path) -> None:
    workers = pool.WorkerPool(SlowSource(nquads, delay=-1.5), size=1, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match=r"query worker did not start: the worker ended \(exit code"):
            workers.start(loop)
    finally:
        workers.close()
        loop.close()


def test_a_pool_closed_while_a_worker_opens_its_store_stops_waiting(nquads: Path) -> None:
    """The server stopping (pool closed) ends the wait for a worker still opening a large store: no
    shutdown waits minutes for a load nobody will use."""
    workers = pool.WorkerPool(SlowSource(nquads, delay=30.0), size=1, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
    failed: list[BaseException] = []

    def start() -> None:
        try:
            workers.start(loop)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            failed.append(exc)

    starting = threading.Thread(target=start)
    try:
        began = time.monotonic()
        starting.start()
        time.sleep(1.5)  # past the start: the worker is opening its store
        workers.close()
        starting.join(10)
        assert not starting.is_alive() and time.monotonic() - began < 10
        assert len(failed) == 1 and "the server is stopping" in str(failed[0])
    finally:
        workers.close()
        loop.close()


@dataclass(frozen=True)
class SecondDies(StoreSource):
    """The first worker to open the store gets it; every later one dies while opening it."""

    marker: Path = Path()

    def open(self) -> ox.Store:
        try:
            self.marker.open("x").close()
        except FileExistsError:
            raise SystemExit(3) from None
        return super().open()


def test_a_pool_whose_second_worker_dies_leaves_no_worker_running(nquads: Path) -> None:
    """Workers start side by side; one that fails fails the start, and the one that did start is
    stopped with it (a reload of a release that cannot be served leaves no process behind)."""
    before = set(multiprocessing.active_children())
    source = SecondDies(nquads, marker=nquads.with_name("opened"))
    workers = pool.WorkerPool(source, size=2, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="query worker did not start"):
            workers.start(loop)
        assert set(multiprocessing.active_children()) - before == set()
    finally:
        workers.close()
        loop.close()


def test_workers_are_forks_of_one_fork_server_that_imports_what_they_need(nquads: Path) -> None:
    """Workers are forked from multiprocessing's fork server, which imported pool.WORKER_MODULES
    once: a worker (and a replacement) starts without an interpreter and imports of its own, and its
    first query waits for no import (a spawned worker's first SERVICE query ran past a 3 s limit)."""
    workers = pool.WorkerPool(StoreSource(nquads), size=2, timeout=5.0, short_workers=1)
    loop = asyncio.new_event_loop()
    try:
        workers.start(loop)
        parents = {psutil.Process(worker.process.pid).ppid() for worker in workers._workers}
        assert len(parents) == 1 and os.getpid() not in parents
        command = " ".join(psutil.Process(parents.pop()).cmdline())
        assert "multiprocessing.forkserver" in command
        assert all(repr(module) in command for module in pool.WORKER_MODULES), command
    finally:
        workers.close()
        loop.close()


def test_a_stopped_workers_stream_is_closed_on_the_event_loop(
    nquads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker stopped at the time limit is killed and replaced in a thread, but the server's stream
    to it is closed on the event loop's thread: a transport is not thread-safe (uvloop's is libuv's),
    and closing it from the replacing thread raced the loop's own handling of the pipe's end."""
    detached: list[threading.Thread] = []
    real = worker_module.Worker.detach

    def detach(self: worker_module.Worker) -> None:
        detached.append(threading.current_thread())
        real(self)

    monkeypatch.setattr(worker_module.Worker, "detach", detach)
    workers = pool.WorkerPool(StoreSource(nquads), size=1, timeout=0.5, short_workers=0)
    loop = asyncio.new_event_loop()
    try:
        workers.start(loop)
        first = workers._workers[0].process
        values = " ".join(str(n) for n in range(200))
        endless = (
            "SELECT (COUNT(*) AS ?n) WHERE { "
            + " ".join(f"VALUES ?v{k} {{ {values} }}" for k in range(6))
            + " }"
        )
        with pytest.raises(QueryFailed, match="time limit"):
            loop.run_until_complete(workers.run(Job(endless, "http://example.org/", False)))
        deadline = time.monotonic() + 30
        while first.is_alive() or len(workers._workers) != 1 or workers._workers[0].process is first:
            assert time.monotonic() < deadline, "the stopped worker was not replaced"
            loop.run_until_complete(asyncio.sleep(0.05))
        assert detached == [threading.current_thread()]  # the loop runs in this thread
    finally:
        workers.close()
        loop.close()
