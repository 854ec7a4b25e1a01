"""Warm start and serving memory of `psm-ld serve` on a built release (issue 13), alone.

    PYTHONPATH=src .venv/bin/python bench/warmstart.py --build-dir DIR [--rounds 3] [--oxigraph]

DIR is a build folder whose `current` release already has its on-disk store (a first `psm-ld serve`
with PSM_STORE=disk writes it; bench/run.py's scale part builds such a release with bench/synth.py).
Each round starts `psm-ld serve` (PSM_STORE=disk), times process start to `/health` 200 and to the
first answer of a selective lookup, then serves a small load (lookups, the aggregate, pages) while
sampling every process's RSS and PSS (PSS counts a page shared by N processes 1/N in each: the
store's file pages the workers share are counted once in all). `--oxigraph` serves the same load's
SPARQL part from `oxigraph serve-read-only` on a copy of the same store, for the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import synth  # noqa: E402
from bench.common import BIN, LOOPBACK, Server, free_port  # noqa: E402
from bench.engines import oxigraph_binary  # noqa: E402

BASE = "http://localhost:8000/"


def memory(pid: int) -> list[tuple[int, int, int]]:
    """(pid, rss, pss) of a process and its descendants."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    out = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            info = proc.memory_full_info()
            out.append((proc.pid, info.rss, info.pss))
    return out


class Sampler(threading.Thread):
    """Peak of the summed RSS and PSS of a process tree, every 50 ms, and each process's peak RSS."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.rss, self.pss, self.each = pid, 0, 0, {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            sample = memory(self.pid)
            self.rss = max(self.rss, sum(r for _, r, _ in sample))
            self.pss = max(self.pss, sum(p for _, _, p in sample))
            for pid, rss, _ in sample:
                self.each[pid] = max(self.each.get(pid, 0), rss)
            self.done.wait(0.05)


def serve_load(url: str, sparql: str, pages: bool) -> None:
    """The load memory is sampled under: 20 lookups, the aggregate twice, and (psm-ld) pages."""
    with httpx.Client(base_url=url, timeout=300) as client:
        for n in range(20):
            query = synth.selective_query(BASE, synth.cup(n * 3_001 % 80_000)) + f"\n# {n}"
            client.post(sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
        for n in range(2):
            query = synth.aggregate_query(BASE) + f"\n# {n}"
            client.post(sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
        if pages:
            for path in ("/", "/query", "/search?q=azione", "/sparql", "/psm/2021-2023/azione/2.1.1",
                         "/bench-sintetico/progetto/17"):  # fmt: skip
                client.get(path, headers={"Accept": "text/html"})


def first_answer(url: str, sparql: str, deadline: float) -> float:
    query = synth.selective_query(BASE, synth.cup(12_345)) + f"\n# first {time.time()}"
    with httpx.Client(base_url=url, timeout=300) as client:
        while time.perf_counter() < deadline:
            answer = client.post(
                sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
            )
            if answer.status_code == 200 and answer.json()["results"]["bindings"]:
                return time.perf_counter()
            time.sleep(0.01)
    raise RuntimeError("no answer")


def one_round(server: Server, sparql: str, pages: bool) -> dict:
    started = time.perf_counter()
    health = server.start(600)
    sampler = Sampler(server.process.pid)  # type: ignore[union-attr]
    sampler.start()
    answered = first_answer(server.url, sparql, started + 600) - started
    idle = memory(server.process.pid)  # type: ignore[union-attr]
    serve_load(server.url, sparql, pages)
    sampler.done.set()
    sampler.join()
    server.stop()
    return {
        "health_s": round(health, 3),
        "first_answer_s": round(answered, 3),
        "idle_rss_mb": [round(r / 1e6, 1) for _, r, _ in idle],
        "peak_rss_mb": round(sampler.rss / 1e6, 1),
        "peak_pss_mb": round(sampler.pss / 1e6, 1),
        "peak_rss_each_mb": sorted((round(r / 1e6, 1) for r in sampler.each.values()), reverse=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--oxigraph", action="store_true")
    parser.add_argument("--no-psm", action="store_true", help="Oxigraph server's rounds only")
    parser.add_argument("--work", type=Path, default=Path("/tmp/psm-warmstart"))
    parser.add_argument("--src", help="PYTHONPATH of the server only (e.g. another checkout's src: before/after)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    psm = Server(
        name="psm-ld",
        command=[str(BIN / "psm-ld"), "serve", "--host", LOOPBACK, "--port", str(port), "--no-access-log"],
        port=port,
        ready_path="/health",
        env={"PSM_BUILD_DIR": str(args.build_dir), "PSM_BASE_URI": BASE, "PSM_STORE": "disk",
             **({"PYTHONPATH": args.src} if args.src else {})},  # fmt: skip
        log_path=args.work / "psm-ld.log",
    )
    out: dict = {"src": args.src, "load_before": os.getloadavg(), "psm-ld": []}
    try:
        for _ in range(0 if args.no_psm else args.rounds):
            out["psm-ld"].append(one_round(psm, "/sparql", pages=True))
            print(json.dumps(out["psm-ld"][-1]), flush=True)
        if args.oxigraph:
            store = (args.build_dir / "current").resolve() / "oxigraph"
            copy = args.work / "oxigraph-db"  # its own copy: serve-read-only is given a store of its own
            if not copy.exists():
                shutil.copytree(store, copy)
            port = free_port()
            binary = oxigraph_binary()
            assert binary, "pip install oxigraph"
            oxi = Server(
                name="oxigraph",
                command=[
                    binary,
                    "serve-read-only",
                    "--location",
                    str(copy),
                    "--bind",
                    f"{LOOPBACK}:{port}",
                    "--union-default-graph",
                ],  # fmt: skip
                port=port,
                ready_path="/query?query=ASK%7B%7D",
                log_path=args.work / "oxigraph.log",
            )
            out["oxigraph"] = [one_round(oxi, "/query", pages=False) for _ in range(args.rounds)]
            print(json.dumps(out["oxigraph"]), flush=True)
    finally:
        psm.stop()
    out["load_after"] = os.getloadavg()
    for name in ("psm-ld", "oxigraph"):
        if out.get(name):
            rounds = out[name]
            out[f"{name} median"] = {
                key: statistics.median(r[key] for r in rounds)
                for key in ("health_s", "first_answer_s", "peak_rss_mb", "peak_pss_mb")
            }
    print(json.dumps({k: v for k, v in out.items() if "median" in k or k.startswith(("load", "src"))}))


if __name__ == "__main__":
    main()
