"""The SPARQL servers psm-ld is compared with (versus.py), started on a release for a comparison:
Oxigraph server and Virtuoso (engines.py), rdflib-endpoint and the Python ceiling
(ceiling_sparql.py); and that comparison at plan size (README, part 7)."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import engines, versus
from bench.common import BASE, BENCH, Config, Server, free_port, log
from bench.servers import anchor_server
from bench.sparql_mix import mix_queries


def start_anchors(cfg: Config, nquads: Path, work: Path, suffix: str = "",
                  disk: Path | None = None) -> tuple[list[versus.Endpoint], dict]:  # fmt: skip
    """Oxigraph server and, unless --smoke, Virtuoso, rdflib-endpoint and the Python ceiling (bench/
    ceiling_sparql.py: pyoxigraph in the server process, no limits; on psm-ld's on-disk store `disk`
    if given and written: psm-ld keeps a small release in memory) over `nquads`, started and ready;
    their load and start-up times."""
    anchors: list[versus.Endpoint] = []
    times: dict = {}
    if not cfg.smoke and "ceiling" not in cfg.skip_anchors:
        port = free_port()
        if disk is not None and not (disk / "CURRENT").exists():  # a release small enough for memory
            disk = None
        ceiling = Server(name="python-ceiling" + suffix, port=port, ready_path="/health",
                         log_path=work / f"python-ceiling{suffix}.log",
                         command=[sys.executable, str(BENCH / "ceiling_sparql.py"), "--nquads", str(nquads),
                                  "--base", BASE, "--port", str(port), *(["--disk", str(disk)] if disk else [])])  # fmt: skip
        times["python-ceiling_start_s"] = round(ceiling.start(900), 3)
        anchors.append(versus.Endpoint(ceiling, "psm", BASE))
    oxigraph, times["oxigraph-server_load_s"] = engines.oxigraph_server(nquads, work, "oxigraph-server" + suffix)
    times["oxigraph-server_start_s"] = round(oxigraph.start(300), 3)
    anchors.append(versus.Endpoint(oxigraph, "query", BASE))
    if not cfg.smoke and "virtuoso" not in cfg.skip_anchors and engines.virtuoso_available():
        virtuoso, times["virtuoso_load_s"] = engines.start_virtuoso(nquads, work, BASE, "virtuoso" + suffix)
        anchors.append(versus.Endpoint(virtuoso, "form", BASE))
    if not cfg.smoke and "rdflib" not in cfg.skip_anchors and f"rdflib{suffix}" not in cfg.skip_anchors:
        rdflib = anchor_server(nquads, work)
        times["rdflib-endpoint_load_s"] = round(rdflib.start(1800), 3)
        anchors.append(versus.Endpoint(rdflib, "query", BASE))
    log("anchors: " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()))
    return anchors, times


def bench_versus_plan(cfg: Config, psm: Server, work: Path, nquads: Path) -> dict:
    """psm-ld's /sparql (default settings: the plan in memory) against the native servers, the
    plan's own mix, distinct texts, at BENCH_CONCURRENCY."""
    anchors, times = start_anchors(cfg, nquads, work)
    try:
        result = versus.compare_load("plan mix", versus.Endpoint(psm, "psm", BASE), anchors, mix_queries(),
                                     cfg.concurrency, cfg.duration, cfg.repeats, work, warm=not cfg.smoke,
                                     limit=cfg.mix_responses)  # fmt: skip
        result["load"] = times
        result["peak_rss_mb"] = {a.name: round(a.server.peak_rss / 1e6, 1) for a in anchors}
    finally:
        for anchor in anchors:
            anchor.server.stop()
    return result
