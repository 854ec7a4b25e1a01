"""Shared pieces of the harness: settings, loopback ports, server processes, memory sampling.

Every server the harness starts listens on 127.0.0.1 only, on a free port it picked, and is stopped
(by its own process id) when the harness leaves, also on errors and Ctrl+C.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
BASE = os.environ.get("PSM_BASE_URI", "http://localhost:8000/")  # the base releases are built with
ACTION = "psm/2021-2023/azione/2.1.1"  # the resource whose documents are dereferenced
SPARQL_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Config:
    duration: int  # seconds of each load run
    concurrency: int  # connections of the SPARQL mix
    deref_connections: int  # connections of the dereferencing runs (the target says 64)
    repeats: int  # rounds of every load comparison; medians are over these
    scale: int  # synthetic funded projects of the scale test (~12.5 triples each)
    scale_queries: int  # sequential requests of each scale query (p50 over these)
    build_repeats: int
    smoke: bool  # a check that the harness works, not a measurement (bench/README.md, "--smoke")
    profile: bool  # py-spy the psm-ld server during a mix and a dereferencing run
    workdir: Path
    # smoke only: each load run stops after this many responses per wrk thread (the duration is
    # then a ceiling), no warm-up runs, no restarts; None for a measurement
    mix_responses: int | None = None
    deref_responses: int | None = None
    skip: frozenset[str] = frozenset()  # parts and anchors left out (--skip)

    @property
    def skip_anchors(self) -> frozenset[str]:
        return self.skip

    @staticmethod
    def from_env(smoke: bool, profile: bool, workdir: Path, skip: frozenset[str] = frozenset()) -> Config:
        def env(name: str, default: int, smoke_default: int) -> int:
            return int(os.environ.get(name, smoke_default if smoke else default))

        return Config(
            duration=env("BENCH_DURATION", 10, 60),  # with --smoke: a ceiling, runs stop by count
            concurrency=env("BENCH_CONCURRENCY", 16, 2),  # --smoke: one connection per wrk thread
            deref_connections=env("BENCH_DEREF_CONNECTIONS", 64, 64),
            repeats=env("BENCH_REPEATS", 3, 1),
            scale=env("BENCH_SCALE", 80_000, 500),
            scale_queries=env("BENCH_SCALE_QUERIES", 60, 5),
            build_repeats=env("BENCH_BUILD_REPEATS", 3, 1),
            smoke=smoke,
            profile=profile,
            workdir=workdir,
            mix_responses=1 if smoke else None,
            deref_responses=100 if smoke else None,
            skip=skip,
        )


_RESERVED: list[socket.socket] = []  # the sockets holding the last RESERVED_PORTS ports handed out
_KEPT: list[socket.socket] = []  # those holding a port for the life of the process (keep=True)
_reserving = threading.Lock()
RESERVED_PORTS = 64


def free_port(keep: bool = False) -> int:
    """A loopback port for a server about to start, that nothing else is given meanwhile.

    The socket that found the port stays bound (SO_REUSEADDR, never listening): the kernel then
    hands that port to no other bind(0), here or in another process, nor to an outgoing connection,
    while the server, binding with SO_REUSEADDR as uvicorn, nginx, Oxigraph server and Virtuoso do,
    listens on it. A socket closed at once left a window of seconds (a Python server binds after
    its imports) in which a parallel test's server could be given the same port. The last
    RESERVED_PORTS ports stay held, the oldest let go first: the reservations are bounded.
    `keep`: held until the process ends, for a port written into a release (its base) whose server
    may start much later, or in another process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    with _reserving:
        if keep:
            _KEPT.append(sock)
        else:
            _RESERVED.append(sock)
            if len(_RESERVED) > RESERVED_PORTS:
                _RESERVED.pop(0).close()
    return sock.getsockname()[1]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentiles(values: list[float]) -> dict:
    """p50, p90, min, max and count of `values` (milliseconds, rounded)."""
    ordered = sorted(values)
    return {"p50": round(median(ordered), 2), "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
            "min": round(ordered[0], 2), "max": round(ordered[-1], 2), "n": len(ordered)}  # fmt: skip


def round_summary(runs: dict[str, list[dict]], ours: str, anchor: str) -> dict:
    """Per server, the medians of its load rounds' figures and its errors; the ratio of requests/s
    of `ours` to `anchor` (of the medians, and per round)."""
    out = {}
    for name, figures in runs.items():
        out[name] = {key: median([f[key] for f in figures]) for key in ("rps", "p50_ms", "p99_ms")}
        out[name]["errors"] = sum(f["errors"] for f in figures)
    out["ratio_rps"] = round(out[ours]["rps"] / out[anchor]["rps"], 3) if out[anchor]["rps"] else None
    out["ratio_per_round"] = [round(a["rps"] / b["rps"], 3) for a, b in zip(runs[ours], runs[anchor], strict=True)
                              if b["rps"]]  # fmt: skip
    out["ratio_rps"] = out.pop("ratio_rps")  # after the per-server figures
    return out


def engine_ms(store, query: str) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds of one query straight on a pyoxigraph store, its results consumed."""
    began = time.perf_counter()
    result = store.query(query, base_iri=BASE, use_default_graph_as_union=True)
    for _ in result:  # results are lazy: consume them all
        pass
    return (time.perf_counter() - began) * 1000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def loopback_client(**kwargs: object) -> httpx.Client:
    """An httpx client for the harness's own servers: plain HTTP on 127.0.0.1, so no TLS settings
    (httpx otherwise loads the CA bundle for every client: ~45 ms of CPU each) and no proxies."""
    return httpx.Client(verify=False, trust_env=False, **kwargs)  # type: ignore[arg-type]


def process_tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants (empty if it is gone)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int | list[psutil.Process]) -> int:
    """Resident memory of a process and all its descendants (or of the processes given), in bytes
    (shared pages counted once per process: an upper bound of what they really take together)."""
    total = 0
    for proc in process_tree(pid) if isinstance(pid, int) else pid:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


@dataclass
class Server:
    """A server process started by the harness (its own session, so it can be stopped whole)."""

    name: str
    command: list[str]
    port: int
    ready_path: str  # GET this until it answers 200
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    startup_s: float | None = None
    peak_rss: int = 0
    _sampler: threading.Thread | None = None
    _stop_sampling: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 300.0) -> float:
        """Start and wait until ready; returns the seconds from process start to the first 200."""
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            env={**os.environ, **self.env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.log_path:
            output.close()  # the process has its own copy
        self._stop_sampling.clear()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        deadline = self.started_at + timeout
        with loopback_client(timeout=5.0) as client:
            while time.perf_counter() < deadline:
                if (code := self.process.poll()) is not None:
                    self.stop()
                    raise RuntimeError(f"{self.name} exited with {code}; {self._log_tail()}")
                try:
                    if client.get(self.url + self.ready_path).status_code == 200:
                        self.startup_s = time.perf_counter() - self.started_at
                        return self.startup_s
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout} s; {self._log_tail()}")

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "no log"
        return f"the end of {self.log_path}:\n{self.log_path.read_text(errors='replace')[-2000:]}"

    def _sample(self) -> None:
        """RSS of the server's process tree every 0.1 s. Finding the tree scans every process of the
        machine (psutil has no cheaper way here: no /proc/*/children): done once a second, as
        workers start or are replaced; reading the known processes' RSS is cheap."""
        tree: list[psutil.Process] = []
        found = 0.0
        while not self._stop_sampling.is_set() and (process := self.process) is not None:
            if time.monotonic() - found >= 1.0:
                tree, found = process_tree(process.pid), time.monotonic()
            self.peak_rss = max(self.peak_rss, tree_rss(tree))
            self._stop_sampling.wait(0.1)

    def rss(self) -> int:
        return tree_rss(self.process.pid) if self.process else 0

    def pids(self) -> list[int]:
        if not self.process:
            return []
        try:
            root = psutil.Process(self.process.pid)
            return [root.pid, *(c.pid for c in root.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        self._stop_sampling.set()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        children = []
        with contextlib.suppress(psutil.NoSuchProcess):
            children = psutil.Process(process.pid).children(recursive=True)
        process.terminate()  # SIGTERM to the server itself: uvicorn shuts down, psm-ld stops its workers
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        for child in children:  # anything it left behind (by pid: only what this server started)
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


def require(tool: str) -> str | None:
    return shutil.which(tool) or next(
        (str(p) for p in (Path("/usr/sbin") / tool, Path("/sbin") / tool) if p.exists()), None
    )
