"""psm-ld side by side with its anchors, in one run on this machine (see bench/README.md).

    .venv/bin/python bench/run.py            # defaults (make bench); BENCH_* variables override
    .venv/bin/python bench/run.py --smoke    # tiny settings, a few seconds: checks the harness works

Prints medians and ratios with PASS/MISS per target; writes bench/results/latest.json.
All traffic goes to servers this harness starts on 127.0.0.1; each load run is bounded in time.
This module runs the parts in order (and, with --smoke, side by side); each part is its own module:
build_times, sparql_mix, anchors (the native servers), dereference, documents, scale, stores (the
store modes at 1M and 10M triples, issue 14); report.py judges and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from bench import load  # noqa: E402
from bench.anchors import bench_versus_plan  # noqa: E402
from bench.build_times import bench_build  # noqa: E402
from bench.common import ACTION, BASE, RESULTS, ROOT, Config, Server, free_port, log, require  # noqa: E402
from bench.dereference import bench_deref  # noqa: E402
from bench.documents import bench_documents  # noqa: E402
from bench.nginx import export_server  # noqa: E402
from bench.profile import profile_build, profile_load  # noqa: E402
from bench.report import print_report, verdicts  # noqa: E402
from bench.scale import bench_scale  # noqa: E402
from bench.servers import anchor_server, psm_server  # noqa: E402
from bench.sparql_mix import bench_mix, mix_queries, mix_requests  # noqa: E402
from bench.stores import bench_stores  # noqa: E402


def machine() -> dict:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": bool(require("wrk")),
        "nginx": subprocess.run([require("nginx") or "true", "-v"], capture_output=True, text=True).stderr.strip()
        if require("nginx") else None,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """The harness; `argv` as on the command line (None: sys.argv), so that a test can run it here."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true",
                        help="tiny settings, runs bounded by count, parts side by side: checks the harness works")
    parser.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    parser.add_argument("--skip", default="", help="comma-separated parts and anchors to skip: "
                        "build,mix,versus,deref,documents,scale,stores,virtuoso,rdflib,rdflib-scale,ceiling")
    parser.add_argument(
        "--out", type=Path, default=None, help="results JSON (default bench/results/latest.json)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, releases)")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.smoke:  # the documents' passes are the dereferencing part's path at scale: not for a check
        skip.add("documents")
    work = Path(tempfile.mkdtemp(prefix="psm-bench-"))
    work.chmod(0o755)
    cfg = Config.from_env(args.smoke, profile=not args.no_profile and not args.smoke, workdir=work,
                          skip=frozenset(skip))  # fmt: skip
    out = args.out or (RESULTS / ("smoke.json" if args.smoke else "latest.json"))
    results: dict = {"machine": machine(), "config": {k: str(v) if isinstance(v, Path) else sorted(v)
                                                       if isinstance(v, frozenset) else v
                                                       for k, v in cfg.__dict__.items()}}  # fmt: skip
    log(f"settings: {results['config']}")
    began = time.perf_counter()
    servers: list[Server] = []
    # --smoke: the parts run side by side (nothing is measured); they stop their own servers, and are
    # waited for before the folder goes, also when one fails
    side = ThreadPoolExecutor(6, thread_name_prefix="smoke")
    try:
        build_dir = work / "build"
        if "build" in skip:  # serve a copy of the current release instead of building one
            source = (ROOT / "build" / "current").resolve()
            (build_dir / "releases").mkdir(parents=True)
            shutil.copytree(
                source, build_dir / "releases" / source.name, ignore=shutil.ignore_patterns("oxigraph")
            )
            os.symlink(Path("releases") / source.name, build_dir / "current")
        else:
            results["build"] = bench_build(cfg, build_dir)
        plan_nquads = (build_dir / "current" / "psm.nq").resolve()
        scale = side.submit(bench_scale, cfg, plan_nquads, work) if cfg.smoke and "scale" not in skip else None
        stores = side.submit(bench_stores, cfg, plan_nquads, work) if cfg.smoke and "stores" not in skip else None
        if not {"mix", "versus", "deref"} <= skip:
            serve_plan = smoke_plan if cfg.smoke else measure_plan
            serve_plan(cfg, work, build_dir, plan_nquads, results, servers, side)

        if (
            "build" not in skip
            and cfg.profile
            and results["build"]["inprocess_build_validate_s"]["median"] >= 3
        ):
            log("profiling build + validate (py-spy)")
            results["build"]["profile"] = profile_build()

        if "documents" not in skip:
            results["documents"] = bench_documents(cfg, build_dir, work)

        if "scale" not in skip:
            results["scale"] = scale.result() if scale else bench_scale(cfg, plan_nquads, work)

        if "stores" not in skip:
            results["stores"] = stores.result() if stores else bench_stores(cfg, plan_nquads, work)
    finally:
        side.shutdown(wait=True, cancel_futures=True)
        for server in servers:
            server.stop()
        results["elapsed_s"] = round(time.perf_counter() - began, 1)
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["verdicts"] = verdicts(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(results)
    log(f"results written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


def measure_plan(cfg: Config, work: Path, build_dir: Path, plan_nquads: Path, results: dict,
                 servers: list[Server], side: ThreadPoolExecutor) -> None:  # fmt: skip
    """Start-up, the comparison with the native servers, the SPARQL mix and dereferencing on the
    plan's release, one after the other: each measurement has the machine to itself."""
    psm = psm_server(build_dir, work)
    servers.append(psm)
    cold = psm.start()  # the first start writes the on-disk store from the N-Quads
    psm.stop()
    warm = psm.start()
    results["startup"] = {"psm-ld_cold_s": round(cold, 3), "psm-ld_warm_s": round(warm, 3)}
    log(f"start-up: psm-ld cold {cold:.2f} s, warm {warm:.2f} s (process start to /health 200)")
    if "versus" not in cfg.skip:
        results["versus_plan"] = bench_versus_plan(cfg, psm, work, plan_nquads)
    if "mix" not in cfg.skip:
        anchor = anchor_server(plan_nquads, work)
        servers.append(anchor)
        results["startup"]["rdflib-endpoint_s"] = round(anchor.start(), 3)
        mix_part(cfg, psm, anchor, work, plan_nquads, results)
    if "deref" not in cfg.skip:
        deref_part(cfg, psm, work, build_dir, None, results, servers)
    results.setdefault("memory_mb", {})["psm-ld_peak"] = round(psm.peak_rss / 1e6, 1)
    results["memory_mb"]["psm-ld_processes"] = len(psm.pids())
    psm.stop()


def smoke_plan(cfg: Config, work: Path, build_dir: Path, plan_nquads: Path, results: dict,
               servers: list[Server], side: ThreadPoolExecutor) -> None:  # fmt: skip
    """--smoke: the same parts on the same code, side by side: rdflib-endpoint starts and the export
    (one action's documents) is written while psm-ld starts; then the comparison with Oxigraph
    server, dereferencing (nginx, the bare ASGI app and the export behind nginx start together) and
    the SPARQL mix run at once. Nothing is measured, so nothing needs the machine to itself."""
    psm = psm_server(build_dir, work, smoke=True)
    servers.append(psm)
    anchor = anchor_server(plan_nquads, work)
    anchor_started = None
    if "mix" not in cfg.skip:
        servers.append(anchor)
        anchor_started = side.submit(anchor.start)
    exported = None
    if "deref" not in cfg.skip:
        exported = side.submit(export_server, work, build_dir, BASE, psm.port, free_port(), [BASE + ACTION])
    cold = psm.start()
    results["startup"] = {"psm-ld_cold_s": round(cold, 3), "psm-ld_warm_s": None}
    log(f"start-up: psm-ld {cold:.2f} s (process start to /health 200)")
    versus = side.submit(bench_versus_plan, cfg, psm, work, plan_nquads) if "versus" not in cfg.skip else None
    deref = None
    if exported is not None:
        deref = side.submit(deref_part, cfg, psm, work, build_dir, exported.result(), results, servers)
    if anchor_started is not None:
        results["startup"]["rdflib-endpoint_s"] = round(anchor_started.result(), 3)
        mix_part(cfg, psm, anchor, work, plan_nquads, results)
    if versus is not None:
        results["versus_plan"] = versus.result()
    if deref is not None:
        deref.result()
    results.setdefault("memory_mb", {})["psm-ld_peak"] = round(psm.peak_rss / 1e6, 1)
    results["memory_mb"]["psm-ld_processes"] = len(psm.pids())
    psm.stop()


def mix_part(cfg: Config, psm: Server, anchor: Server, work: Path, plan_nquads: Path, results: dict) -> None:
    """The SPARQL mix against rdflib-endpoint (started), then psm-ld profiled if the target is missed."""
    log(f"start-up: rdflib-endpoint {results['startup']['rdflib-endpoint_s']:.2f} s")
    results["sparql_mix"] = bench_mix(cfg, psm, anchor, work, plan_nquads)
    results.setdefault("memory_mb", {})["rdflib-endpoint_peak"] = round(anchor.peak_rss / 1e6, 1)
    if cfg.profile and (results["sparql_mix"]["summary"]["ratio_rps"] or 0) < 10:
        log("profiling psm-ld under the SPARQL mix (py-spy, server + workers)")
        results["sparql_mix"]["profile"] = profile_load(psm, mix_requests(mix_queries(), False), cfg.concurrency,
                                                        "sparql-mix", work, unique=True)  # fmt: skip
    anchor.stop()


def deref_part(cfg: Config, psm: Server, work: Path, build_dir: Path, exported: Server | None, results: dict,
               servers: list[Server]) -> None:  # fmt: skip
    """Dereferencing against nginx, the bare ASGI app and the export, then psm-ld profiled on a miss."""
    deref, nginx = bench_deref(cfg, psm, work, build_dir, exported)
    servers.append(nginx)
    results["dereference"] = deref
    results.setdefault("memory_mb", {})["nginx_peak"] = round(nginx.peak_rss / 1e6, 1)
    nginx.stop()
    if cfg.profile:
        for path, doc in deref["documents"].items():
            s = doc["summary"]
            if s["ratio_rps"] < 0.3 or s["psm-ld"]["errors"]:
                log(f"profiling psm-ld dereferencing {path} (py-spy)")
                doc["profile"] = profile_load(psm, [load.Request("GET", path, {})], cfg.deref_connections,
                                              f"deref-{path.rsplit('.', 1)[1]}", work, gil=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
