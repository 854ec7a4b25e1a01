"""Real SPARQL engines for the remote-store tests (PSM_STORE=sparql), started once per session on
loopback ports in temporary folders, stopped by process id at the end. They are started by the
bench's launcher (bench/engines.py: one launcher for both); here, how psm-ld talks to each:

- Oxigraph server: PyPI `oxigraph` (the test extra; the same engine as pyoxigraph, out of process),
  read-write on an empty store: query /query, GSP /store, update /update.
- Virtuoso Open Source 7: Debian `virtuoso-opensource` (make test-tools), with ResultSetMaxRows above
  psm-ld's own limits and its own time limit: query /sparql, GSP /sparql-graph-crud-auth and update
  /sparql-auth, both with HTTP Digest as dba (the loading goes through GSP, chunked; SPARQL Update
  only drops graphs and switches the current release).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.common import Server
from bench.engines import VirtuosoTuning, oxigraph_store, virtuoso

ENGINES = ("oxigraph", "virtuoso")
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")


@dataclass
class Engine:
    name: str
    settings: dict[str, str]  # Settings fields of the remote store
    server: Server
    folder: Path

    @property
    def env(self) -> dict[str, str]:
        """The same, as PSM_* variables for a process."""
        names = {"store_query_url": "PSM_STORE_QUERY_URL", "store_gsp_url": "PSM_STORE_GSP_URL",
                 "store_update_url": "PSM_STORE_UPDATE_URL", "store_user": "PSM_STORE_USER",
                 "store_password": "PSM_STORE_PASSWORD"}  # fmt: skip
        return {"PSM_STORE": "sparql", **{names[k]: v for k, v in self.settings.items() if k in names}}

    def stop(self) -> None:
        self.server.stop()


def start_oxigraph(folder: Path, timeout: float = 30) -> Engine:
    server = oxigraph_store(folder, timeout)
    server.start(120)
    settings = {"store_query_url": f"{server.url}/query", "store_gsp_url": f"{server.url}/store",
                "store_update_url": f"{server.url}/update"}  # fmt: skip
    return Engine("oxigraph", settings, server, folder)


def start_virtuoso(folder: Path, timeout: float = 30, buffers: int = 20_000) -> Engine:
    """Virtuoso with a fresh database in `folder` (about 15 s to create it). `buffers` are 8 KiB
    pages of its cache (Virtuoso's guide: about 2/3 of the memory given to it)."""
    # fewer threads than the bench's, every row psm-ld may ask for, the tests' time limit
    tuning = VirtuosoTuning(threads=10, threads_per_query=2, query_mem="1G", result_rows=1_000_000,
                            timeout=int(timeout), cost_estimation=400, vsp=VIRTUOSO_VSP)  # fmt: skip
    server = virtuoso(folder / "virtuoso", "virtuoso", buffers, [str(folder)], tuning)
    server.start(120)
    url = server.url
    settings = {"store_query_url": f"{url}/sparql", "store_gsp_url": f"{url}/sparql-graph-crud-auth",
                "store_update_url": f"{url}/sparql-auth",
                "store_user": "dba", "store_password": "dba"}  # fmt: skip
    return Engine("virtuoso", settings, server, folder)


def start_engine(name: str, folder: Path) -> Engine:
    return start_oxigraph(folder) if name == "oxigraph" else start_virtuoso(folder)
