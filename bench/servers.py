"""The Python servers the harness starts beside the native ones (engines.py) and nginx (nginx.py):
psm-ld itself (`psm-ld serve` on a release folder) and rdflib-endpoint (anchor_rdflib.py) over the
release's N-Quads. Each is a common.Server: started on a free loopback port, stopped by process id."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.common import BASE, BENCH, BIN, Server, free_port


def psm_server(build_dir: Path, work: Path, name: str = "psm-ld", smoke: bool = False) -> Server:
    env = {"PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE}
    if smoke:  # one query worker process, quicker to start; the parts that run side by side wait for it
        # rather than get a 503 (nothing is measured)
        env.update(PSM_SPARQL_WORKERS="1", PSM_SHORT_WORKERS="0", PSM_QUEUE_WAIT="60")
    return Server(
        name=name,
        command=[str(BIN / "psm-ld"), "serve", "--host", "127.0.0.1", "--port", str(port := free_port())],
        port=port,
        ready_path="/health",
        env=env,
        log_path=work / f"{name}.log",
    )


def anchor_server(nquads: Path, work: Path) -> Server:
    port = free_port()
    return Server(
        name="rdflib-endpoint",
        command=[
            sys.executable,
            str(BENCH / "anchor_rdflib.py"),
            "--nquads",
            str(nquads),
            "--port",
            str(port),
        ],
        port=port,
        ready_path="/sparql?query=ASK%7B%7D",
        log_path=work / "rdflib-endpoint.log",
    )
