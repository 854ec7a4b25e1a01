"""Which worker deaths count against a query (pool.py): one that dies holding the query twice refuses
it for good (422, test_abuse); workers killed while idle (an operator's kill, the kernel's OOM killer)
are replaced, and the next query runs on a fresh one, charged with nothing. Real worker processes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from psm_ld.query import pool
from psm_ld.query.executor import Job
from psm_ld.query.store import StoreSource

QUAD = '<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
QUERY = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_workers_killed_while_idle_are_not_charged_to_the_next_query(tmp_path: Path) -> None:
    nquads = tmp_path / "psm.nq"
    nquads.write_text(QUAD, encoding="utf-8")
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
