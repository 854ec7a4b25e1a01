"""The native SPARQL servers, started on loopback from a free port, in a folder of their own, stopped
by process id: one launcher for the bench's anchors and the tests' remote stores (tests/engines.py).

- Oxigraph server (PyPI `oxigraph`, the same engine as psm-ld's pyoxigraph, in Rust behind its own
  HTTP server). The bench: `oxigraph load` of a release's `psm.nq`, then `oxigraph serve-read-only
  --union-default-graph` (the default graph the union of the named graphs, as on psm-ld's /sparql),
  with its defaults, as a user runs it. The tests: `oxigraph serve` on an empty store, read-write
  (query /query, Graph Store Protocol /store, update /update), each query stopped at a time limit.
- Virtuoso 7 (Debian `virtuoso-opensource`): `virtuoso-t` on a fresh database with a virtuoso.ini
  written here from one template, Debian's but for paths and loopback ports; each use sets its
  threads and limits (`VirtuosoTuning`). The bench bulk-loads a release with `ld_dir` and
  `rdf_loader_run`; Virtuoso queries all graphs when a query names none. The tests load through the
  Graph Store Protocol (with HTTP Digest as dba).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BIN, LOOPBACK, Server, free_port, log, require

SELECT_ASK = "ASK%7B%7D"  # ?query= of the readiness request


def oxigraph_binary() -> str | None:
    return str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else require("oxigraph")


def _oxigraph(command: str, location: Path, port: int, name: str, log_path: Path, *options: str) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph CLI is not installed: pip install oxigraph (bench or test extra)")
    return Server(name=name, command=[binary, command, "--location", str(location), "--bind", f"{LOOPBACK}:{port}",
                                      *options],
                  port=port, ready_path=f"/query?query={SELECT_ASK}", log_path=log_path)  # fmt: skip


def oxigraph_server(nquads: Path, work: Path, name: str = "oxigraph-server") -> tuple[Server, float]:
    """An Oxigraph server (not yet started) over `nquads`, read-only with the union default graph,
    and the seconds its `oxigraph load` took."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph CLI is not installed: pip install oxigraph (bench extra)")
    location = work / f"{name}-db"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)],
                   check=True, capture_output=True)  # fmt: skip
    loaded = time.perf_counter() - started
    server = _oxigraph("serve-read-only", location, free_port(), name, work / f"{name}.log", "--union-default-graph")
    return server, loaded


def oxigraph_store(folder: Path, timeout: float, name: str = "oxigraph") -> Server:
    """An Oxigraph server (not yet started) on an empty store it creates in `folder`, read-write
    (query /query, Graph Store Protocol /store, update /update), each query stopped after `timeout`
    seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    return _oxigraph("serve", folder / "data", free_port(), name, folder / f"{name}.log", "--timeout-s",
                     str(int(timeout)))  # fmt: skip


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = {host}:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = {threads}
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = {dirs}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = {query_mem}
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = {threads_per_query}
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {vsp}
MaxClientConnections = {threads}
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = {threads}
MaxKeepAlives = {threads}
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = {result_rows}
MaxQueryExecutionTime = {timeout}
{cost_estimation}DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
[Plugins]
"""


@dataclass(frozen=True)
class VirtuosoTuning:
    """What a use of Virtuoso sets in its virtuoso.ini; the defaults are the bench's (Debian's, with
    enough HTTP threads for its 16 connections)."""

    threads: int = 20  # HTTP threads, HTTP and SQL client connections, keep-alives
    threads_per_query: int = 4
    query_mem: str = "2G"
    result_rows: int = 100_000  # ResultSetMaxRows
    timeout: int = 60  # MaxQueryExecutionTime, seconds
    cost_estimation: int | None = None  # MaxQueryCostEstimationTime, seconds (None: Virtuoso's own)
    vsp: Path | None = None  # ServerRoot (None: an empty folder beside the database)


def virtuoso_available() -> bool:
    return bool(require("virtuoso-t") and require("isql-vt"))


def virtuoso(db: Path, name: str, buffers: int, dirs: list[str], tuning: VirtuosoTuning) -> Server:
    """A Virtuoso server (not yet started) with a fresh database in `db` (about 15 s to create it
    at its first start). `buffers`: 8 KiB pages of its cache (Virtuoso's guide: about 2/3 of the
    memory given to it); `dirs`: the folders its loader may read. The SQL port (isql) is in
    `server.env["VIRTUOSO_SQL_PORT"]`."""
    binary = require("virtuoso-t")
    if binary is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    shutil.rmtree(db, ignore_errors=True)
    (db / "vsp").mkdir(parents=True)
    http_port, sql_port = free_port(), free_port()
    cost = "" if tuning.cost_estimation is None else f"MaxQueryCostEstimationTime = {tuning.cost_estimation}\n"
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(
        db=db, host=LOOPBACK, sql_port=sql_port, http_port=http_port, dirs=", ".join(dirs), buffers=buffers,
        dirty=buffers * 3 // 4, vsp=tuning.vsp or db / "vsp", threads=tuning.threads,
        threads_per_query=tuning.threads_per_query, query_mem=tuning.query_mem, result_rows=tuning.result_rows,
        timeout=tuning.timeout, cost_estimation=cost,
    ), encoding="utf-8")  # fmt: skip
    server = Server(
        name=name,
        command=[binary, "+foreground", "+configfile", str(ini)],
        port=http_port,
        ready_path=f"/sparql?query={SELECT_ASK}",
        log_path=db / f"{name}-stdout.log",
    )
    server.env["VIRTUOSO_SQL_PORT"] = str(sql_port)  # read back by virtuoso_load
    return server


def virtuoso_server(nquads: Path, work: Path, name: str = "virtuoso") -> tuple[Server, Path]:
    """The bench's Virtuoso (not yet started) with its own database in `work`; `virtuoso_load` fills
    it once it runs. Buffers as Virtuoso's guide sizes them for the data (10,000 for the plan,
    Debian's default; 100,000 for ~1M triples)."""
    data = work / f"{name}-data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    shutil.copy(nquads, data / "psm.nq")
    buffers = 10_000 if nquads.stat().st_size < 50e6 else 100_000
    return virtuoso(work / f"{name}-db", name, buffers, [".", str(data)], VirtuosoTuning()), data


def virtuoso_load(server: Server, data: Path, graph: str) -> float:
    """Bulk-load the N-Quads in `data` (each quad into its own graph; `graph` for triples without one)
    with Virtuoso's loader, then checkpoint; the seconds it took."""
    isql = require("isql-vt")
    port = server.env["VIRTUOSO_SQL_PORT"]
    script = (f"ld_dir('{data}', 'psm.nq', '{graph}');\nrdf_loader_run();\ncheckpoint;\n"
              "SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_state <> 2 OR ll_error IS NOT NULL;\n")  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run([isql, f"{LOOPBACK}:{port}", "dba", "dba"], input=script, capture_output=True,
                          text=True, timeout=1800)  # fmt: skip
    if done.returncode != 0 or "Error" in done.stdout:
        raise RuntimeError(f"Virtuoso load failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    seconds = time.perf_counter() - started
    log(f"virtuoso: loaded {data / 'psm.nq'} in {seconds:.1f} s")
    return seconds


def start_virtuoso(nquads: Path, work: Path, graph: str, name: str = "virtuoso") -> tuple[Server, float]:
    """Start the bench's Virtuoso and load the release; returns the server and its load time."""
    server, data = virtuoso_server(nquads, work, name)
    server.start(180)
    return server, virtuoso_load(server, data, graph)
