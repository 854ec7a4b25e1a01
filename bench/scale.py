"""Scale (README, parts 6 and 7). A synthetic release (synth.py: the plan and BENCH_SCALE made-up
funded projects, ~1M triples at the default) served by psm-ld on disk and in memory: load time, warm
start, RSS, a selective and an aggregate query over HTTP and on pyoxigraph alone; and, unless
--smoke, the same release against the native servers (anchors.py)."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench import profile, synth, versus
from bench.anchors import start_anchors
from bench.common import BASE, SPARQL_JSON, Config, Server, engine_ms, log, loopback_client, percentiles
from bench.servers import psm_server
from bench.sparql_mix import mix_queries


def bench_scale(cfg: Config, plan_nquads: Path, work: Path) -> dict:
    import pyoxigraph as ox

    build_dir = work / "scale-build"
    log(f"scale: generating {cfg.scale} synthetic projects into {build_dir} (never data/)")
    started = time.perf_counter()
    made = synth.write_release(plan_nquads, build_dir, cfg.scale, BASE)
    made["generate_s"] = round(time.perf_counter() - started, 2)
    made["nquads_mb"] = round((Path(made["path"]) / "psm.nq").stat().st_size / 1e6, 1)
    log(f"scale: {made['triples']} triples ({made['nquads_mb']} MB) in {made['generate_s']} s")
    rng = random.Random(7)
    codes = [synth.cup(rng.randrange(cfg.scale)) for _ in range(cfg.scale_queries)]
    selective = [synth.selective_query(BASE, code) for code in codes]
    aggregate = synth.aggregate_query(BASE)
    agg_n = max(3, cfg.scale_queries // 10)
    # the default store for a release this size ("auto": on disk), then the same release in memory
    server = psm_server(build_dir, work, "psm-ld-scale", cfg.smoke)
    if cfg.smoke:  # the smoke release is small enough for "auto" to keep it in memory: ask for the disk
        server.env["PSM_STORE"] = "disk"
    in_memory = psm_server(build_dir, work, "psm-ld-scale-memory", cfg.smoke)
    in_memory.env["PSM_STORE"] = "memory"
    # smoke: both started at once (nothing is measured); a measurement starts one after the other
    memory_started = ThreadPoolExecutor(1).submit(in_memory.start, 900) if cfg.smoke else None
    result: dict = {"data": made}
    try:
        result["load_cold_s"] = round(server.start(900), 2)
        result.update(_scale_run(server, selective, aggregate, agg_n))
        store_path = Path(made["path"]) / "oxigraph"
        if (store_path / "CURRENT").exists():  # engine time without HTTP and workers, in this process
            store = ox.Store.read_only(str(store_path))
            result["engine_selective_ms"] = percentiles([engine_ms(store, q) for q in selective])
            result["engine_aggregate_ms"] = percentiles([engine_ms(store, aggregate) for _ in range(agg_n)])
            del store
        if cfg.profile and result["selective_ms"]["p50"] >= 50:
            result["profile"] = profile.profile_sequential(server, selective)
        server.stop()
        if not cfg.smoke:
            result["load_warm_s"] = round(server.start(900), 2)  # the store now exists: open, index, spawn
            log(f"scale: warm start {result['load_warm_s']} s")
            if "versus" not in cfg.skip:
                server.peak_rss = 0  # serving from here on: what is compared with the other servers'
                result["versus"] = bench_versus_scale(cfg, server, Path(made["path"]) / "psm.nq", work,
                                                      selective, aggregate, agg_n)  # fmt: skip
                result["versus"]["peak_rss_mb"]["psm-ld"] = round(server.peak_rss / 1e6, 1)
                result["versus"]["start_s"]["psm-ld warm"] = result["load_warm_s"]
            server.stop()
        load_s = memory_started.result() if memory_started else in_memory.start(900)
        result["memory_store"] = {"load_s": round(load_s, 2)}
        result["memory_store"].update(_scale_run(in_memory, selective, aggregate, agg_n))
        if not cfg.smoke and "versus" not in cfg.skip:
            # the README's other mode at this size (where the machine has the memory): the same comparison
            in_memory.peak_rss = 0
            versus_memory = bench_versus_scale(cfg, in_memory, Path(made["path"]) / "psm.nq", work, selective,
                                               aggregate, agg_n)  # fmt: skip
            versus_memory["peak_rss_mb"]["psm-ld"] = round(in_memory.peak_rss / 1e6, 1)
            result["memory_store"]["versus"] = versus_memory
        in_memory.stop()
    finally:
        if memory_started:
            memory_started.exception()  # started or failed: either way it can be stopped now
        server.stop()
        in_memory.stop()
    return result


def bench_versus_scale(cfg: Config, psm: Server, nquads: Path, work: Path, selective: list[str], aggregate: str,
                       agg_n: int) -> dict:  # fmt: skip
    """At ~1M triples, psm-ld (on disk, `auto`'s choice; and in memory, which the README recommends
    where the machine has ~2.5 GB) against the native servers:
    the plan's mix and the selective lookup under load (distinct texts), the aggregate one at a time."""
    anchors, times = start_anchors(cfg, nquads, work, "-scale", nquads.parent / "oxigraph")
    ours = versus.Endpoint(psm, "psm", BASE)
    result: dict = {"load": times, "start_s": {}}
    try:
        for anchor in anchors:  # a warm start of each: the data is loaded, the process starts again
            if anchor.server.name.startswith("oxigraph"):
                anchor.server.stop()
                result["start_s"][anchor.name] = round(anchor.server.start(300), 3)
        result["mix"] = versus.compare_load("1M mix", ours, anchors, mix_queries(), cfg.concurrency, cfg.duration,
                                            cfg.repeats, work)  # fmt: skip
        lookups = {f"lookup-{n}": text for n, text in enumerate(selective)}
        result["selective"] = versus.compare_load("1M selective lookup", ours, anchors, lookups, cfg.concurrency,
                                                  cfg.duration, cfg.repeats, work)  # fmt: skip
        result["aggregate"] = versus.compare_latency("1M aggregate", [ours, *anchors], lambda _: aggregate,
                                                     max(1, agg_n // cfg.repeats), cfg.repeats)  # fmt: skip
        result["peak_rss_mb"] = {a.name: round(a.server.peak_rss / 1e6, 1) for a in anchors}
    finally:
        for anchor in anchors:
            anchor.server.stop()
    return result


def _scale_run(server: Server, selective: list[str], aggregate: str, agg_n: int) -> dict:
    """Sequential selective and aggregate queries over HTTP, each text made distinct (a trailing
    comment) so that psm-ld's result cache never answers; then the aggregate once more, repeated."""
    result: dict = {}
    with loopback_client(base_url=server.url, timeout=120) as client:
        result["health"] = client.get("/health").json()
        result["rss_after_load_mb"] = round(server.rss() / 1e6, 1)
        log(
            f"scale [{server.name}]: loaded in {server.startup_s:.1f} s, {result['health'].get('triples')} "
            f"triples, {result['health'].get('store')} store, RSS {result['rss_after_load_mb']} MB"
        )
        counter = iter(range(10**9))

        def timed(query: str, unique: bool = True) -> tuple[float, httpx.Response]:
            text = f"{query}\n# {next(counter)}" if unique else query
            began = time.perf_counter()
            response = client.post(
                "/sparql",
                content=text.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
            )
            response.raise_for_status()
            return time.perf_counter() - began, response

        for query in selective[:3]:
            timed(query)  # warm-up
        sel, sel_rows = [], []
        for query in selective:
            elapsed, response = timed(query)
            sel.append(elapsed * 1000)
            sel_rows.append(len(response.json()["results"]["bindings"]))
        agg, agg_rows = [], 0
        timed(aggregate)
        for _ in range(agg_n):
            elapsed, response = timed(aggregate)
            agg.append(elapsed * 1000)
            agg_rows = len(response.json()["results"]["bindings"])
        timed(aggregate, unique=False)
        cached = [timed(aggregate, unique=False)[0] * 1000 for _ in range(agg_n)]
    result["selective_ms"] = percentiles(sel)
    result["selective_rows"] = {"min": min(sel_rows), "max": max(sel_rows)}
    result["aggregate_ms"] = percentiles(agg)
    result["aggregate_repeated_ms"] = percentiles(cached)
    result["aggregate_rows"] = agg_rows
    result["peak_rss_mb"] = round(server.peak_rss / 1e6, 1)
    log(f"scale [{server.name}]: selective p50 {result['selective_ms']['p50']} ms ({len(sel)} requests, "
        f"{min(sel_rows)}-{max(sel_rows)} rows); aggregate p50 {result['aggregate_ms']['p50']} ms "
        f"({agg_rows} missions; repeated text, from the cache: {result['aggregate_repeated_ms']['p50']} ms); "
        f"peak RSS {result['peak_rss_mb']} MB")  # fmt: skip
    return result
