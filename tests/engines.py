"""Real SPARQL engines for the remote-store tests (PSM_STORE=sparql), started once per session on
loopback ports in temporary folders, stopped by process id at the end:

- Oxigraph server: PyPI `oxigraph` (the test extra; the same engine as pyoxigraph, out of process):
  `oxigraph serve --location DIR --bind 127.0.0.1:PORT`; query /query, GSP /store, update /update.
- Virtuoso Open Source 7: Debian `virtuoso-opensource` (make test-tools): `virtuoso-t` with the
  virtuoso.ini written here (loopback ports, ResultSetMaxRows above psm-ld's own limits, its own
  timeout); query /sparql, GSP /sparql-graph-crud-auth and update /sparql-auth, both with HTTP
  Digest as dba (the loading goes through GSP, chunked; SPARQL Update only drops graphs and
  switches the current release).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from servers import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = Path(shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t")
ENGINES = ("oxigraph", "virtuoso")


@dataclass
class Engine:
    name: str
    settings: dict[str, str]  # Settings fields of the remote store
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def env(self) -> dict[str, str]:
        """The same, as PSM_* variables for a process."""
        names = {"store_query_url": "PSM_STORE_QUERY_URL", "store_gsp_url": "PSM_STORE_GSP_URL",
                 "store_update_url": "PSM_STORE_UPDATE_URL", "store_user": "PSM_STORE_USER",
                 "store_password": "PSM_STORE_PASSWORD"}  # fmt: skip
        return {"PSM_STORE": "sparql", **{names[k]: v for k, v in self.settings.items() if k in names}}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(
        f"{url}: the engine did not answer in {seconds} s: {log.read_text(errors='replace')[-2000:]}"
    )


def start_oxigraph(folder: Path, timeout: float = 30) -> Engine:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "oxigraph.log"
    command = [str(OXIGRAPH), "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}",
               "--timeout-s", str(int(timeout))]  # fmt: skip
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait(f"{url}/query", process, log)
    settings = {"store_query_url": f"{url}/query", "store_gsp_url": f"{url}/store",
                "store_update_url": f"{url}/update"}  # fmt: skip
    return Engine("oxigraph", settings, process, folder)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = {timeout}
[Plugins]
"""


def start_virtuoso(folder: Path, timeout: float = 30, buffers: int = 20_000) -> Engine:
    """Virtuoso with a fresh database in `folder` (about 15 s to create it). `buffers` are 8 KiB
    pages of its cache (Virtuoso's guide: about 2/3 of the memory given to it)."""
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    text = VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port,
                               timeout=int(timeout), buffers=buffers, dirty=buffers * 3 // 4)  # fmt: skip
    ini.write_text(text)
    log = folder / "virtuoso-stdout.log"
    process = subprocess.Popen([str(VIRTUOSO), "+configfile", str(ini), "+foreground"], cwd=folder,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{http_port}"
    _wait(f"{url}/sparql", process, log)
    settings = {"store_query_url": f"{url}/sparql", "store_gsp_url": f"{url}/sparql-graph-crud-auth",
                "store_update_url": f"{url}/sparql-auth",
                "store_user": "dba", "store_password": "dba"}  # fmt: skip
    return Engine("virtuoso", settings, process, folder)


def start_engine(name: str, folder: Path) -> Engine:
    return start_oxigraph(folder) if name == "oxigraph" else start_virtuoso(folder)
