"""Which worker deaths count against a query (pool.py): one that dies holding the query twice refuses
it for good (422, test_abuse); workers killed while idle (an operator's kill, the kernel's OOM killer)
are replaced, and the next query runs on a fresh one, charged with nothing. Real worker processes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from psm_ld.query import pool
from psm_ld.query.executor import Job, QueryFailed
from psm_ld.query.store import StoreSource
from psm_ld.query.worker import Worker

QUAD = '<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
QUERY = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def nquads(tmp_path: Path) -> Path:
    path = tmp_path / "psm.nq"
    path.write_text(QUAD, encoding="utf-8")
    return path


def test_workers_killed_while_idle_are_not_charged_to_the_next_query(nquads: Path) -> None:
    workers = pool.WorkerPool(StoreSource(nquads), size=2, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
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
        assert not fresh & {worker.process.pid for worker in idle}
    finally:
        workers.close()
        loop.close()


def test_a_query_that_finds_only_dead_workers_is_refused_not_looped(
    nquads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker it is given found dead (as if each died as soon as it started): after one per
    worker of the pool, a 503 to retry later, not an endless round of replacements; still not the
    query's doing."""
    workers = pool.WorkerPool(StoreSource(nquads), size=2, timeout=5.0, short_workers=0)
    loop = asyncio.new_event_loop()
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
        loop.close()
