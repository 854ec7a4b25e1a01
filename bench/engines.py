"""The native SPARQL servers a user would pick instead of psm-ld, started by the harness on the same
release: Oxigraph server (PyPI `oxigraph`, the same engine as psm-ld's pyoxigraph, in Rust behind its
own HTTP server) and Virtuoso 7 (Debian `virtuoso-opensource`).

Each is loaded from the release's `psm.nq` into a folder of the harness's temporary directory and
served on 127.0.0.1 from a free port, with the default graph the union of the named graphs (as on
psm-ld's /sparql): `oxigraph serve-read-only --union-default-graph`; Virtuoso queries all graphs when
a query names none. Both are run as a user would run them: Oxigraph with its defaults, Virtuoso with
Debian's virtuoso.ini but for paths, ports and enough HTTP threads for the bench's 16 connections.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from bench.common import BIN, LOOPBACK, Server, free_port, log, require

SELECT_ASK = "/sparql?query=ASK%7B%7D"


def oxigraph_binary() -> str | None:
    return str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else require("oxigraph")


def oxigraph_server(nquads: Path, work: Path, name: str = "oxigraph-server") -> tuple[Server, float]:
    """An Oxigraph server (not yet started) over `nquads`, and the seconds its `oxigraph load` took."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph CLI is not installed: pip install oxigraph (bench extra)")
    location = work / f"{name}-db"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)],
                   check=True, capture_output=True)  # fmt: skip
    loaded = time.perf_counter() - started
    port = free_port()
    server = Server(
        name=name,
        command=[binary, "serve-read-only", "--location", str(location), "--bind", f"{LOOPBACK}:{port}",
                 "--union-default-graph"],  # fmt: skip
        port=port,
        ready_path=SELECT_ASK,
        log_path=work / f"{name}.log",
    )
    return server, loaded


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
ServerPort = {sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {data}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 2G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 4
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
"""


def virtuoso_available() -> bool:
    return bool(require("virtuoso-t") and require("isql-vt"))


def virtuoso_server(nquads: Path, work: Path, name: str = "virtuoso") -> tuple[Server, Path]:
    """A Virtuoso server (not yet started) with its own database in `work`; `virtuoso_load` fills it
    once it runs. Buffers as Virtuoso's guide sizes them for the data (8 KiB pages: 10,000 for the
    plan, Debian's default; 100,000 for ~1M triples)."""
    binary = require("virtuoso-t")
    if binary is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    db = work / f"{name}-db"
    data = work / f"{name}-data"
    shutil.rmtree(db, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    (db / "vsp").mkdir(parents=True)
    data.mkdir()
    shutil.copy(nquads, data / "psm.nq")
    buffers = 10_000 if nquads.stat().st_size < 50e6 else 100_000
    http_port, sql_port = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, data=data, sql_port=sql_port, http_port=http_port, host=LOOPBACK,
                                       buffers=buffers, dirty=buffers * 3 // 4), encoding="utf-8")  # fmt: skip
    server = Server(
        name=name,
        command=[binary, "+foreground", "+configfile", str(ini)],
        port=http_port,
        ready_path=SELECT_ASK,
        log_path=work / f"{name}.log",
    )
    server.env["VIRTUOSO_SQL_PORT"] = str(sql_port)  # read back by virtuoso_load
    return server, data


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
    """Start Virtuoso and load the release; returns the server and its load time."""
    server, data = virtuoso_server(nquads, work, name)
    server.start(180)
    return server, virtuoso_load(server, data, graph)
