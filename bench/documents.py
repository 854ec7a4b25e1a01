"""Every document of the release (README, part 8; `psm-ld export`'s list), from psm-ld's app alone
and from nginx serving the exported files: a cold pass, the same pass warm, and a crawl."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from bench import load
from bench.common import ACTION, BASE, BIN, Config, Server, free_port, log, median
from bench.nginx import nginx_static
from bench.servers import psm_server

DOCUMENT_SUFFIXES = (".html", ".ttl", ".jsonld", ".rdf", ".nt")


def bench_documents(cfg: Config, build_dir: Path, work: Path) -> dict:
    """Every document of the release, from psm-ld's app alone and from nginx serving the exported
    files: a cold pass (a fresh psm-ld: nothing cached; each document asked once), then the same
    pass warm, then a crawl (every document in rotation at BENCH_DEREF_CONNECTIONS for BENCH_DURATION).
    --smoke: the five documents of one action, one cold pass on psm-ld alone."""
    if cfg.smoke:
        paths, root = [f"/{ACTION}{suffix}" for suffix in DOCUMENT_SUFFIXES], None
    else:
        site = work / "export-documents"
        subprocess.run([str(BIN / "psm-ld"), "export", "--out", str(site)], check=True, capture_output=True,
                       env={**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE})  # fmt: skip
        root = site / "site"
        paths = sorted("/" + f.relative_to(root).as_posix() for f in root.rglob("*") if f.suffix in DOCUMENT_SUFFIXES
                       and not f.relative_to(root).as_posix().startswith(("download/", "static/")))  # fmt: skip
    # the export keeps English HTML under /_en/ (its nginx picks it by ?lang=en); the app's URL is ?lang=en.
    # The app is asked as the canonical host, as behind the proxy of a deployment (the export's files are
    # rendered for it too): there it answers the documents the build pre-rendered (pages/prerendered.py)
    host = {"Host": urlsplit(BASE).netloc}
    requests = [load.Request("GET", f"{p[4:]}?lang=en" if p.startswith("/_en/") else p, host) for p in paths]
    static = [load.Request("GET", path, {}) for path in paths]
    nginx = nginx_static(work / "nginx-documents", root, free_port(), paths[0]) if root else None
    result: dict = {"documents": len(paths), "connections": cfg.deref_connections, "rounds": {}}
    cap = 300  # a bound: each pass ends as soon as its last response is in

    def once(server: Server) -> dict:
        return load.run_once(server.port, requests, cfg.deref_connections, work / "once.lua", cap)

    try:
        if nginx:
            nginx.start(30)
        for round_ in range(cfg.repeats):
            psm = psm_server(build_dir, work, "psm-ld-documents")
            psm.start()
            try:
                figures = {"psm-ld cold": once(psm)}
                if nginx:
                    figures["psm-ld warm"] = once(psm)
                    figures["nginx pass"] = load.run_once(nginx.port, static, cfg.deref_connections, work / "once.lua",
                                                          cap)  # fmt: skip
                    crawl = work / "crawl.lua"
                    figures["psm-ld crawl"] = load.run(psm.port, requests, cfg.deref_connections, cfg.duration, crawl)
                    figures["nginx crawl"] = load.run(nginx.port, static, cfg.deref_connections, cfg.duration, crawl)
            finally:
                psm.stop()
            for name, f in figures.items():
                result["rounds"].setdefault(name, []).append(f)
                log(f"  documents round {round_ + 1} {name:14s} {f['rps']:9.1f} req/s  p50 {f['p50_ms']:7.2f} ms  "
                    f"errors {f['errors']}  ({f['requests']} requests)")  # fmt: skip
    finally:
        if nginx:
            nginx.stop()
    med = {name: median([f["rps"] for f in rounds]) for name, rounds in result["rounds"].items()}
    result["rps"] = med
    result["errors"] = {name: sum(f["errors"] for f in rounds) for name, rounds in result["rounds"].items()}
    result["ratios"] = {}
    if nginx:
        result["ratios"] = {
            "cold": round(med["psm-ld cold"] / med["nginx pass"], 3),
            "warm": round(med["psm-ld warm"] / med["nginx pass"], 3),
            "crawl": round(med["psm-ld crawl"] / med["nginx crawl"], 3),
        }
        log(f"documents: psm-ld / nginx: cold {result['ratios']['cold']}, warm {result['ratios']['warm']}, "
            f"crawl {result['ratios']['crawl']}")  # fmt: skip
    return result
