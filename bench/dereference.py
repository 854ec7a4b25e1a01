"""Dereferencing (README, part 4): one action's HTML and Turtle at BENCH_DEREF_CONNECTIONS
connections, from psm-ld's app, nginx serving the same bytes, a bare ASGI app under uvicorn
(ceiling_app.py, the Python ceiling) and psm-ld's own deployment of documents (`psm-ld export`
behind nginx)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import load
from bench.common import ACTION, BASE, BENCH, Config, Server, free_port, log, loopback_client, round_summary
from bench.nginx import export_server, nginx_server


def bench_deref(cfg: Config, psm: Server, work: Path, build_dir: Path,
                exported: Server | None = None) -> tuple[dict, Server]:  # fmt: skip
    """Dereferencing figures and the nginx Server (stopped by the caller); `exported`: psm-ld's export
    behind nginx if already written (not started). The servers are started side by side."""
    paths = [f"/{ACTION}.html", f"/{ACTION}.ttl"]
    documents = {}
    with loopback_client(base_url=psm.url, timeout=30) as client:
        for path in paths:
            response = client.get(path)
            response.raise_for_status()
            documents[path] = response.content
    nginx = nginx_server(work / "nginx", documents, free_port())
    ceiling = Server(name="bare-uvicorn", port=(port := free_port()), ready_path=paths[0],
                     command=[sys.executable, str(BENCH / "ceiling_app.py"), "--root", str(work / "nginx" / "www"),
                              "--port", str(port)], log_path=work / "bare-uvicorn.log")  # fmt: skip
    exported = exported or export_server(work, build_dir, BASE, psm.port, free_port())
    result: dict = {"connections": cfg.deref_connections, "duration_s": cfg.duration, "documents": {}}
    try:
        with ThreadPoolExecutor(3) as starting:  # side by side: each waits only for its own readiness
            for started in [starting.submit(s.start, t) for s, t in ((nginx, 30), (ceiling, 60), (exported, 30))]:
                started.result()
        with loopback_client(base_url=nginx.url, timeout=30) as client:
            for path, body in documents.items():
                if client.get(path).content != body:
                    raise RuntimeError(f"nginx does not serve the same bytes for {path}")
        with loopback_client(base_url=exported.url, timeout=30) as client:  # the canonical origin's bytes
            sizes = {path: len(client.get(path).content) for path in paths}
        log(
            f"dereferencing: {', '.join(f'{p} ({len(b)} B)' for p, b in documents.items())}; nginx on "
            f":{nginx.port}, bare uvicorn on :{ceiling.port}, psm-ld export+nginx on :{exported.port}"
        )
        for path in paths:
            result["documents"][path] = _deref_one(
                cfg, path, len(documents[path]), (psm, nginx, ceiling, exported), work
            )
            result["documents"][path]["export_bytes"] = sizes[path]
    except BaseException:
        nginx.stop()  # returned to the caller (its memory figure) only when the part succeeded
        raise
    finally:
        ceiling.stop()
        exported.stop()
    return result, nginx


def _deref_one(cfg: Config, path: str, size: int, servers: tuple[Server, ...], work: Path) -> dict:
    request = [load.Request("GET", path, {})]
    runs: dict[str, list[dict]] = {server.name: [] for server in servers}
    for server in servers if not cfg.smoke else ():  # warm-up, not recorded
        load.run(server.port, request, cfg.deref_connections, 1, work / "warm.lua")
    for round_ in range(cfg.repeats):
        for server in servers:
            figures = load.run(server.port, request, cfg.deref_connections, cfg.duration, work / "deref.lua",
                               limit=cfg.deref_responses)  # fmt: skip
            runs[server.name].append(figures)
            log(
                f"  {path.rsplit('.', 1)[1]:4s} round {round_ + 1} {server.name:12s} {figures['rps']:9.1f} req/s "
                f" p50 {figures['p50_ms']:7.2f} ms  p99 {figures['p99_ms']:7.2f} ms  errors {figures['errors']}"
            )
    summary = round_summary(runs, "psm-ld", "nginx")
    ceiling = summary["bare-uvicorn"]["rps"]
    summary["ratio_bare_uvicorn_to_nginx"] = round(ceiling / summary["nginx"]["rps"], 3)
    summary["ratio_psm_to_bare_uvicorn"] = round(summary["psm-ld"]["rps"] / ceiling, 3)
    summary["ratio_export_to_nginx"] = round(
        summary["psm-ld export+nginx"]["rps"] / summary["nginx"]["rps"], 3
    )
    return {"bytes": size, "runs": runs, "summary": summary}
