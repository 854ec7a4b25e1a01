"""Issue 14: psm-ld in each store mode at ~1M and ~10M triples, in one run (bench/README.md, "Store
modes at scale").

For each size (`BENCH_STORES_SIZES`: synthetic projects of bench/synth.py, ~12.5 triples each; 80,000
is ~1M triples, 800,000 ~10M) a synthetic release is written into the harness's temporary folder,
and psm-ld serves it in each mode, one after the other (never two at once):

- `disk`: PSM_STORE=disk, pyoxigraph's on-disk store (RocksDB), shared by the server and its workers;
- `memory`: PSM_STORE=memory, the release in memory in every process;
- `oxigraph`: PSM_STORE=sparql in front of Oxigraph server (`oxigraph serve`, on disk), loaded by
  the real `psm-ld publish` (Graph Store Protocol);
- `virtuoso`: PSM_STORE=sparql in front of Virtuoso 7, loaded by `psm-ld publish` the same way.

Figures of each mode: load time (psm-ld's cold start for disk and memory: writing or reading the
store; `psm-ld publish` for the engines, then psm-ld's start on the loaded engine), the selective
lookup and the aggregate of synth.py one request at a time (p50, every text distinct so that no
cache answers), dereferencing requests/s (distinct documents of synthetic projects, each asked once,
at `BENCH_STORES_CONNECTIONS`: no document cache answers), and the peak RSS of every process:
psm-ld's server, each of its workers, the engine, and `psm-ld publish`. Beside each, **the engine
alone** on the same queries: pyoxigraph in this process on the same store (disk: the store psm-ld
wrote; memory: the N-Quads loaded into a memory store here), or the engine over HTTP with the same
dataset psm-ld asks for (the release's graphs, as FROM clauses). Ratios: each mode against `disk`
(psm-ld's default at these sizes) and psm-ld against its engine alone.

Guards: every server start, publish and load pass is bounded in time; a publish that does not end
in time is stopped and its measured rate (triples in the engine over the seconds it ran) reported,
never extrapolated as if measured; `memory` is not started where the previous size's peak, scaled,
would not fit in the memory available. Every process is stopped by its id at the end, also on errors.

    .venv/bin/python bench/stores.py                                   # 1M, every mode
    BENCH_STORES_SIZES=80000,800000 .venv/bin/python bench/stores.py   # the table of issue 14
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench import engines, load, synth, versus  # noqa: E402
from bench.common import BASE, BENCH, BIN, SPARQL_JSON, Config, Server, engine_ms, log, median  # noqa: E402
from bench.servers import psm_server  # noqa: E402

MODES = ("disk", "oxigraph", "virtuoso", "memory")
ENGINES = ("oxigraph", "virtuoso")  # the modes psm-ld serves from an engine loaded by `psm-ld publish`
QUERY_TIMEOUT = 300  # seconds: psm-ld's and the engines' time limit here (the 10M aggregate is long)


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]  # synthetic projects per release
    modes: tuple[str, ...]
    queries: int  # sequential selective lookups (the aggregate: a tenth, at least 3)
    aggregates: int  # timed aggregates (0: 3 below 400,000 projects, 1 above: minutes each on disk)
    documents: int  # distinct documents in the dereferencing pass
    connections: int
    start_timeout: int  # seconds: a server start (psm-ld's cold load included)
    publish_timeout: int  # seconds: one `psm-ld publish`
    budget: int  # seconds for the whole part (0: none): each engine's publish gets its share of what is
    # left; memory is not started if its time at the smaller size, scaled by triples, does not fit
    smoke: bool  # psm-ld with one query worker (bench/servers.py), nothing measured
    publish_in_process: bool  # the smoke calls psm-ld's publish here, not the CLI in a process of its own
    memory_workers: int  # 0: psm-ld's default query workers in `memory` mode; n: n general workers and
    # no short lane (each process holds the whole release: 10M triples fit here only in two processes)

    @staticmethod
    def from_env(cfg: Config) -> Settings:
        def env(name: str, default: str, smoke: str) -> str:
            return os.environ.get(name, smoke if cfg.smoke else default)

        skip = cfg.skip
        modes = tuple(m for m in env("BENCH_STORES_MODES", ",".join(MODES), "oxigraph").split(",")
                      if m and m not in skip and f"store-{m}" not in skip)  # fmt: skip
        return Settings(
            sizes=tuple(int(s) for s in env("BENCH_STORES_SIZES", "80000", "300").split(",") if s),
            modes=modes,
            queries=int(env("BENCH_STORES_QUERIES", str(cfg.scale_queries), "5")),
            aggregates=int(env("BENCH_STORES_AGGREGATES", "0", "1")),
            documents=int(env("BENCH_STORES_DOCUMENTS", "1000", "20")),
            connections=int(env("BENCH_STORES_CONNECTIONS", "16", "4")),
            start_timeout=int(env("BENCH_STORES_START_TIMEOUT", "3600", "300")),
            publish_timeout=int(env("BENCH_STORES_PUBLISH_TIMEOUT", "3600", "300")),
            budget=int(env("BENCH_STORES_BUDGET", "0", "0")),
            smoke=cfg.smoke,
            publish_in_process=env("BENCH_STORES_PUBLISH_IN_PROCESS", "0", "1") == "1",
            memory_workers=int(env("BENCH_STORES_MEMORY_WORKERS", "0", "0")),
        )


# --- memory of every process -----------------------------------------------------------------------


@dataclass
class Peaks:
    """Peak RSS of every process of the servers (and commands) watched, by role, sampled every 0.2 s:
    a server's own process is `<name>`, its children `<name> worker`; each process is counted apart."""

    watched: dict[str, Callable[[], int | None]] = field(default_factory=dict)  # role -> root pid
    peaks: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid -> (role, peak bytes)
    labels: dict[int, str] = field(default_factory=dict)  # pid -> role of a child process
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def watch(self, role: str, pid: Callable[[], int | None]) -> None:
        self.watched[role] = pid
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for role, pid_of in list(self.watched.items()):
                pid = pid_of()
                if pid is None:
                    continue
                with contextlib.suppress(psutil.Error):  # gone, or not ours to read (AccessDenied)
                    root = psutil.Process(pid)
                    for n, proc in enumerate([root, *root.children(recursive=True)]):
                        with contextlib.suppress(psutil.Error):
                            rss = proc.memory_info().rss
                            label = role if n == 0 else self._child(role, proc)
                            old = self.peaks.get(proc.pid, (label, 0))[1]
                            self.peaks[proc.pid] = (label, max(old, rss))

    def _child(self, role: str, proc: psutil.Process) -> str:
        """A child's role: psm-ld's query workers, or multiprocessing's resource tracker."""
        if proc.pid not in self.labels:
            with contextlib.suppress(psutil.Error):
                helper = "resource_tracker" in " ".join(proc.cmdline())
                self.labels[proc.pid] = f"{role} {'helper' if helper else 'worker'}"
        return self.labels.get(proc.pid, f"{role} worker")

    def stop(self) -> dict:
        """{role: {"processes": n, "peak_mb": largest single process, "sum_mb": sum of the peaks}}."""
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        out: dict[str, dict] = {}
        for role, peak in list(self.peaks.values()):  # a copy: a sampler slower than the join still writes
            entry = out.setdefault(role, {"processes": 0, "peak_mb": 0.0, "sum_mb": 0.0})
            entry["processes"] += 1
            entry["peak_mb"] = round(max(entry["peak_mb"], peak / 1e6), 1)
            entry["sum_mb"] = round(entry["sum_mb"] + peak / 1e6, 1)
        return out


def _pid(server: Server) -> Callable[[], int | None]:
    return lambda: server.process.pid if server.process else None


# --- psm-ld and the engines ------------------------------------------------------------------------


def psm_for(build_dir: Path, work: Path, name: str, env: dict[str, str], smoke: bool = False) -> Server:
    """`psm-ld serve` on the release of `build_dir` (not yet started), without its access log, with
    this part's time limit and the settings in `env` on top (`smoke`: bench/servers.py's)."""
    server = psm_server(build_dir, work, name, smoke)
    server.command.append("--no-access-log")
    server.env.update(PSM_QUERY_TIMEOUT=str(QUERY_TIMEOUT), **env)
    return server


def store_env(engine: Server) -> dict[str, str]:
    """The PSM_STORE=sparql settings of psm-ld in front of `engine` (an `oxigraph_store` or a
    `virtuoso`), as environment variables: the same URLs and credentials as tests/engines.py."""
    if engine.name.startswith("virtuoso"):
        return {"PSM_STORE": "sparql", "PSM_STORE_QUERY_URL": f"{engine.url}/sparql",
                "PSM_STORE_GSP_URL": f"{engine.url}/sparql-graph-crud-auth",
                "PSM_STORE_UPDATE_URL": f"{engine.url}/sparql-auth",
                "PSM_STORE_USER": "dba", "PSM_STORE_PASSWORD": "dba"}  # fmt: skip
    return {"PSM_STORE": "sparql", "PSM_STORE_QUERY_URL": f"{engine.url}/query",
            "PSM_STORE_GSP_URL": f"{engine.url}/store", "PSM_STORE_UPDATE_URL": f"{engine.url}/update"}  # fmt: skip


@dataclass
class EngineAlone(versus.Endpoint):
    """An engine queried directly on the dataset psm-ld asks it for: the release's stored graphs,
    as FROM clauses (the same graphs psm-ld names in the protocol), at the engine's query path."""

    graphs: tuple[str, ...] = ()
    path: str = "/sparql"

    def text(self, query: str) -> str:
        froms = "\n".join(f"FROM <{g}>" for g in self.graphs)
        head, sep, rest = query.partition(" WHERE {")
        return super().text(f"{head}\n{froms}\nWHERE {{{rest}" if sep else query)

    def request(self, query: str, accept: str) -> load.Request:
        req = super().request(query, accept)
        return load.Request(req.method, self.path, req.headers, req.body, req.form)


def release_graphs(engine_url: str, style: str, release_id: str) -> tuple[str, ...]:
    """The release's graphs as stored in the engine (from psm-ld's metadata graph)."""
    from psm_ld.query.engine import HAS_GRAPH, RELEASE, site_prefix

    names = site_prefix(None)  # psm-ld's default site (no PSM_STORE_SITE)
    query = f"SELECT ?g WHERE {{ GRAPH <{names}meta> {{ <{RELEASE}{release_id}> <{HAS_GRAPH}> ?g }} }}"
    if style == "form":
        response = httpx.post(engine_url, data={"query": query}, headers={"Accept": SPARQL_JSON}, timeout=60)
    else:
        response = httpx.post(engine_url, content=query.encode(), timeout=60,
                              headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON})  # fmt: skip
    response.raise_for_status()
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    return tuple(f"{names}r:{release_id}:{graph}" for graph in sorted(graphs))


def engine_triples(engine_url: str, style: str) -> int | None:
    """Triples in every named graph of the engine (a publish's progress, when it is stopped)."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    try:
        if style == "form":
            response = httpx.post(engine_url, data={"query": query}, headers={"Accept": SPARQL_JSON}, timeout=300)
        else:
            response = httpx.post(engine_url, content=query.encode(), timeout=300,
                                  headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON})  # fmt: skip
        return int(response.json()["results"]["bindings"][0]["n"]["value"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError):
        return None


def publish(build_dir: Path, engine: Server, work: Path, peaks: Peaks, timeout: int) -> dict:
    """The real `psm-ld publish` into `engine`, timed; stopped after `timeout` s (then the rate so far)."""
    env = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE, **store_env(engine)}
    out = (work / f"publish-{engine.name}.log").open("wb")
    began = time.perf_counter()
    process = subprocess.Popen([str(BIN / "psm-ld"), "publish", "--grace", "0"], env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    peaks.watch("psm-ld publish", lambda: process.pid if process.poll() is None else None)
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(30)
        seconds = time.perf_counter() - began
        style = "form" if engine.name.startswith("virtuoso") else "query"
        url = store_env(engine)["PSM_STORE_QUERY_URL"]
        done = engine_triples(url, style)
        log(f"stores: publish into {engine.name} stopped after {seconds:.0f} s: {done} triples loaded")
        return {"completed": False, "seconds": round(seconds, 1), "triples_loaded": done,
                "triples_per_s": round(done / seconds) if done else None}  # fmt: skip
    finally:
        out.close()
    seconds = time.perf_counter() - began
    if code != 0:
        tail = (work / f"publish-{engine.name}.log").read_text(errors="replace")[-1500:]
        raise RuntimeError(f"psm-ld publish into {engine.name} failed ({code}):\n{tail}")
    return {"completed": True, "seconds": round(seconds, 1)}


def publish_here(build_dir: Path, engine: Server) -> dict:
    """psm-ld's publish into `engine` called in this process, timed: what `psm-ld publish` runs, without
    the start of a Python process of its own (the smoke's; the measured runs time the CLI)."""
    from dataclasses import fields

    from psm_ld.build.publish import publish as publish_release
    from psm_ld.config import Settings, load_settings
    from psm_ld.query.engine import endpoint_of
    from psm_ld.release import current_release

    field_of = {f.metadata["env"][0]: f.name for f in fields(Settings) if "env" in f.metadata}  # PSM_* → field
    overrides = {field_of[name]: value for name, value in store_env(engine).items()}
    endpoint = endpoint_of(load_settings(build_dir=build_dir, **overrides))
    release = current_release(build_dir)
    if release is None:
        raise RuntimeError(f"no release in {build_dir}")
    began = time.perf_counter()
    publish_release(endpoint, release, chunk=50_000, grace=0.0)
    return {"completed": True, "seconds": round(time.perf_counter() - began, 1), "in_process": True}


# --- one mode --------------------------------------------------------------------------------------


@dataclass
class Workload:
    projects: int
    triples: int
    build_dir: Path
    nquads: Path
    release_id: str
    selective: list[str]
    aggregate: str
    aggregate_n: int
    documents: list[str]  # URL paths of distinct synthetic projects' documents


def measure(mode: str, w: Workload, st: Settings, work: Path, publish_timeout: int) -> dict:
    """psm-ld in `mode` on the workload's release, and the engine alone; every process stopped here.
    An engine's publish is stopped after `publish_timeout` s (then only its rate is reported)."""
    peaks = Peaks()
    result: dict = {"mode": mode}
    psm: Server | None = None
    engine: Server | None = None
    try:
        if mode in ("disk", "memory"):
            settings = {"PSM_STORE": mode}
            if mode == "memory" and st.memory_workers:
                settings.update(PSM_SPARQL_WORKERS=str(st.memory_workers), PSM_SHORT_WORKERS="0")
                result["workers"] = st.memory_workers
            psm = psm_for(w.build_dir, work, f"psm-ld-{mode}-{w.projects}", settings, st.smoke)
        else:
            if mode == "oxigraph":
                engine = engines.oxigraph_store(work / f"oxigraph-{w.projects}", QUERY_TIMEOUT,
                                                f"oxigraph-store-{w.projects}")  # fmt: skip
            else:  # Virtuoso's guide: ~100,000 buffers (8 KiB) per million triples, 2/3 of the memory given;
                # the bench's threads, every row psm-ld may ask for, this part's time limit
                buffers = min(400_000, max(20_000, w.triples // 10))
                tuning = engines.VirtuosoTuning(result_rows=10_000_000, timeout=QUERY_TIMEOUT)
                engine = engines.virtuoso(work / f"virtuoso-{w.projects}", f"virtuoso-store-{w.projects}",
                                          buffers, ["."], tuning)  # fmt: skip
            peaks.watch(engine.name.rsplit("-", 2)[0], _pid(engine))
            result["engine_start_s"] = round(engine.start(300), 2)
            if st.publish_in_process:
                result["publish"] = publish_here(w.build_dir, engine)
            else:
                result["publish"] = publish(w.build_dir, engine, work, peaks, publish_timeout)
            log(f"stores [{mode}, {w.projects}]: psm-ld publish {result['publish']}")
            if not result["publish"]["completed"]:
                return result
            psm = psm_for(w.build_dir, work, f"psm-ld-{mode}-{w.projects}", store_env(engine), st.smoke)
        peaks.watch("psm-ld server", _pid(psm))
        result["psm_start_s"] = round(psm.start(st.start_timeout), 2)
        health = httpx.get(psm.url + "/health", timeout=30).json()
        result["health"] = {k: health.get(k) for k in ("store", "triples", "release")}
        result["load_s"] = (result["psm_start_s"] if engine is None
                            else round(result["publish"]["seconds"] + result["psm_start_s"], 2))  # fmt: skip
        log(f"stores [{mode}, {w.projects}]: psm-ld ready in {result['psm_start_s']} s ({result['health']})")
        ours = versus.Endpoint(psm, "psm", BASE)
        endpoints = [ours]
        if engine is not None:
            style = "form" if mode == "virtuoso" else "query"
            url = store_env(engine)["PSM_STORE_QUERY_URL"]
            graphs = release_graphs(url, style, w.release_id)
            endpoints.append(EngineAlone(engine, style, BASE, graphs, "/sparql" if style == "form" else "/query"))
        for name, make, n in (("selective", lambda i: w.selective[i % len(w.selective)], len(w.selective)),
                              ("aggregate", lambda _: w.aggregate, w.aggregate_n)):  # fmt: skip
            try:  # each measurement on its own: one that fails (a time limit) leaves the others
                got = versus.compare_latency(f"{mode} {w.projects} {name}", endpoints, make, n, 1)
            except Exception as exc:  # noqa: BLE001 - reported in the table
                result[f"{name}_error"] = f"{type(exc).__name__}: {exc}"[:500]
                log(f"stores [{mode}, {w.projects}]: {name} FAILED: {result[f'{name}_error']}")
                continue
            result[f"{name}_p50_ms"] = got["servers"][psm.name]["p50_ms"]
            result[f"{name}_n"] = got["servers"][psm.name]["n"]
            result.setdefault("rows", {})[name] = got["answers"][psm.name].get("results")
            if engine is not None:
                result[f"engine_{name}_p50_ms"] = got["servers"][engine.name]["p50_ms"]
                result[f"engine_{name}_alike"] = got["servers"][engine.name]["alike"]
        requests = [load.Request("GET", path, {}) for path in w.documents]
        try:
            deref = load.run_once(psm.port, requests, st.connections, work / "stores-deref.lua", st.start_timeout)
            result["deref"] = {k: deref[k] for k in ("rps", "ok_rps", "p50_ms", "p99_ms", "errors", "requests")}
        except Exception as exc:  # noqa: BLE001 - reported in the table
            result["deref_error"] = f"{type(exc).__name__}: {exc}"[:500]
        log(f"stores [{mode}, {w.projects}]: selective p50 {result.get('selective_p50_ms')} ms, aggregate p50 "
            f"{result.get('aggregate_p50_ms')} ms, documents {result.get('deref', result.get('deref_error'))}")  # fmt: skip
        psm.stop()
        if engine is None:
            result.update(_pyoxigraph_alone(mode, w))
    finally:
        for server in (psm, engine):
            if server is not None:
                server.stop()
        result["rss"] = peaks.stop()
    return result


def _pyoxigraph_alone(mode: str, w: Workload) -> dict:
    """The same queries on pyoxigraph in this process: the store psm-ld wrote (disk) or the N-Quads
    loaded into a memory store here (memory), without HTTP, workers or checks."""
    import pyoxigraph as ox

    if mode == "disk":
        store = ox.Store.read_only(str(w.nquads.parent / "oxigraph"))
    else:
        store = ox.Store()
        store.bulk_load(path=str(w.nquads), format=ox.RdfFormat.N_QUADS)

    engine_ms(store, w.selective[0])  # warm-up
    sel = [engine_ms(store, q) for q in w.selective]
    agg = [engine_ms(store, w.aggregate) for _ in range(w.aggregate_n)]
    return {"engine_selective_p50_ms": round(median(sel), 3), "engine_aggregate_p50_ms": round(median(agg), 2),
            "engine_aggregate_n": len(agg)}  # fmt: skip


# --- the part --------------------------------------------------------------------------------------


def workload(plan_nquads: Path, work: Path, projects: int, st: Settings) -> Workload:
    build_dir = work / f"stores-{projects}"
    started = time.perf_counter()
    made = synth.write_release(plan_nquads, build_dir, projects, BASE)
    log(f"stores: {made['triples']} triples ({projects} synthetic projects) written in "
        f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    rng = random.Random(14)
    codes = [synth.cup(rng.randrange(projects)) for _ in range(st.queries)]
    paths = [f"/bench-sintetico/progetto/{n}.ttl" for n in rng.sample(range(projects), min(st.documents, projects))]
    nquads = Path(made["path"]) / "psm.nq"
    return Workload(projects, made["triples"], build_dir, nquads, Path(made["path"]).name,
                    [synth.selective_query(BASE, c) for c in codes], synth.aggregate_query(BASE),
                    st.aggregates or (3 if projects < 400_000 else 1), paths)  # fmt: skip


def bench_stores(cfg: Config, plan_nquads: Path, work: Path, partial: Path | None = None) -> dict:
    """The part: every size, every mode, one after the other; the table of ratios at the end.
    `partial`: the results so far are written there after each mode (a long run that stops keeps them)."""
    st = Settings.from_env(cfg)
    if "virtuoso" in st.modes and not engines.virtuoso_available():
        log("stores: Virtuoso is not installed (virtuoso-t, isql-vt): left out")
        st = Settings(**{**st.__dict__, "modes": tuple(m for m in st.modes if m != "virtuoso")})
    result: dict = {"settings": {k: list(v) if isinstance(v, tuple) else v for k, v in st.__dict__.items()},
                    "sizes": {}, "load_average": []}  # fmt: skip
    sampler = _load_sampler(result["load_average"])
    part_began = time.perf_counter()
    took: dict[str, float] = {}  # mode -> seconds per triple at the previous size
    try:
        memory_per_triple: float | None = None
        for projects in st.sizes:
            w = workload(plan_nquads, work, projects, st)
            size: dict = {"projects": projects, "triples": w.triples,
                          "nquads_mb": round(w.nquads.stat().st_size / 1e6, 1), "modes": {}}  # fmt: skip
            result["sizes"][str(projects)] = size
            for mode in st.modes:
                if mode == "memory" and memory_per_triple:
                    need = memory_per_triple * w.triples
                    free = psutil.virtual_memory().available
                    if need > 0.6 * free:
                        size["modes"][mode] = {"mode": mode, "skipped": f"the smaller release's peak, scaled, is "
                                               f"{need / 1e9:.1f} GB; {free / 1e9:.1f} GB available"}  # fmt: skip
                        log(f"stores [{mode}, {projects}]: not run: {size['modes'][mode]['skipped']}")
                        continue
                left = st.budget - (time.perf_counter() - part_began) if st.budget else None
                publish_timeout = st.publish_timeout
                if left is not None and mode in ENGINES:
                    # an engine is loaded for its share of what is left: its rate is measured anyway
                    engines_left = len([m for m in st.modes[st.modes.index(mode):] if m in ENGINES])
                    publish_timeout = int(min(publish_timeout, max(60.0, (left - 300) / engines_left)))
                # disk, the reference of every ratio, always runs; memory only if it fits
                if left is not None and mode == "memory" and mode in took and took[mode] * w.triples > left:
                    size["modes"][mode] = {"mode": mode, "skipped": f"estimated {took[mode] * w.triples:.0f} s "
                                           f"(its time at the smaller size, scaled), {left:.0f} s of the budget left"}  # fmt: skip
                    log(f"stores [{mode}, {projects}]: not run: {size['modes'][mode]['skipped']}")
                    continue
                log(f"stores [{mode}, {projects}]: starting (load average {os.getloadavg()[0]:.1f})")
                began = time.perf_counter()
                try:
                    size["modes"][mode] = measure(mode, w, st, work, publish_timeout)
                except Exception as exc:  # noqa: BLE001 - one mode failing is reported, the others still run
                    log(f"stores [{mode}, {projects}]: FAILED: {exc}")
                    size["modes"][mode] = {"mode": mode, "error": f"{type(exc).__name__}: {exc}"[:2000]}
                size["modes"][mode]["elapsed_s"] = round(time.perf_counter() - began, 1)
                took[mode] = (time.perf_counter() - began) / w.triples
                rss = size["modes"][mode].get("rss", {})
                if mode == "memory" and rss:
                    memory_per_triple = sum(r["sum_mb"] for r in rss.values()) * 1e6 / w.triples
                if partial is not None:
                    partial.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            if not cfg.smoke:  # the disk store psm-ld wrote, and the N-Quads: GBs at 10M
                shutil.rmtree(w.build_dir, ignore_errors=True)
    finally:
        sampler.set()
    result["table"] = table(result)
    return result


def _load_sampler(into: list) -> threading.Event:
    """The 1-minute load average every 10 s while the part runs (the machine is shared)."""
    stop = threading.Event()

    def run() -> None:
        while True:
            into.append([time.strftime("%H:%M:%S"), round(os.getloadavg()[0], 2)])
            if stop.wait(10):
                return

    threading.Thread(target=run, daemon=True).start()
    return stop


# --- the table -------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return (f"{value:,.0f}" if value >= 100 else f"{value:.3g}") + unit


def table(result: dict) -> str:
    """Markdown: one row per size and mode; each figure with its ratio to `disk` at that size (× disk),
    and beside each query's p50 its engine alone's."""
    rows = ["| triples | mode | load s (× disk) | selective p50 ms: psm-ld / engine alone (× disk) "
            "| aggregate p50 ms: psm-ld / engine alone (× disk) | documents req/s (× disk) "
            "| peak RSS MB: psm-ld server + workers | engine | publish |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for size in result["sizes"].values():
        disk = size["modes"].get("disk", {})
        for mode in sorted(size["modes"], key=lambda name: MODES.index(name) if name in MODES else len(MODES)):
            m = size["modes"][mode]
            label = f"{mode} ({m['workers']} worker{'s' if m['workers'] > 1 else ''})" if m.get("workers") else mode
            head = f"| {size['triples'] / 1e6:.1f}M | {label} "
            if "skipped" in m or "error" in m:
                rows.append(head + f"| {m.get('skipped') or m.get('error', '')[:160]} | | | | | | |")
                continue
            publish = m.get("publish", {})
            if publish and not publish["completed"]:
                rows.append(head + f"| stopped after {publish['seconds']:.0f} s: {publish['triples_loaded']} triples "
                            f"({publish['triples_per_s']} /s) | | | | | | |")  # fmt: skip
                continue
            rss = m.get("rss", {})
            workers = rss.get("psm-ld server worker", {})
            engine = next((v for k, v in rss.items() if not k.startswith("psm-ld")), {})
            load_cell = _fmt(m.get("load_s"))
            if publish:
                load_cell = f"publish {_fmt(publish['seconds'])} + start {_fmt(m.get('psm_start_s'))}"

            def query(name: str, m: dict = m, disk: dict = disk) -> str:
                if f"{name}_p50_ms" not in m:
                    return m.get(f"{name}_error", "—")[:80]
                n = m.get(f"{name}_n", 0)
                return (f"{_fmt(m[f'{name}_p50_ms'])} / {_fmt(m.get(f'engine_{name}_p50_ms'))} "
                        f"({_ratio(m[f'{name}_p50_ms'], disk.get(f'{name}_p50_ms'))}){' n=1' if n == 1 else ''}")  # fmt: skip

            deref = m.get("deref", {}).get("ok_rps")
            cells = [
                f"{load_cell} ({_ratio(m.get('load_s'), disk.get('load_s'))})",
                query("selective"),
                query("aggregate"),
                f"{_fmt(deref)} ({_ratio(deref, disk.get('deref', {}).get('ok_rps'))})" if deref
                else m.get("deref_error", "—")[:80],
                f"{_fmt(rss.get('psm-ld server', {}).get('peak_mb'))} + {workers.get('processes', 0)} × "
                f"≤ {_fmt(workers.get('peak_mb'))}",
                _fmt(engine.get("peak_mb")) if engine else "(in psm-ld)",
                _fmt(rss.get("psm-ld publish", {}).get("peak_mb")),
            ]  # fmt: skip
            rows.append(head + "| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny settings: checks the part works")
    parser.add_argument("--skip", default="", help="modes to leave out: disk,memory,oxigraph,virtuoso")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "stores.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="psm-bench-stores-"))
    cfg = Config.from_env(args.smoke, profile=False, workdir=work,
                          skip=frozenset(s.strip() for s in args.skip.split(",") if s.strip()))  # fmt: skip
    began = time.perf_counter()
    try:
        build_dir = work / "build"
        env = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE}
        subprocess.run([str(BIN / "psm-ld"), "build"], env=env, check=True, capture_output=True, timeout=600)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        result = bench_stores(cfg, (build_dir / "current" / "psm.nq").resolve(), work, args.out)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["elapsed_s"] = round(time.perf_counter() - began, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(result["table"])
    log(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
