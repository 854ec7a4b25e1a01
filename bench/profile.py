"""Profiles for missed targets: py-spy attached to a running server (and its worker processes), or
pyinstrument around an in-process call. Raw outputs go to bench/results/profiles/; a summary of
the hottest frames (self and inclusive share of samples) goes into the results."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import load
from bench.common import BIN, RESULTS, SPARQL_JSON, Server, loopback_client, require


def pyspy_start(pid: int, seconds: int, out: Path, gil: bool = False) -> subprocess.Popen[bytes] | None:
    """Attach py-spy to `pid` and its subprocesses for `seconds` (raw collapsed stacks). gil=True
    samples only the thread holding the GIL: the CPU of a multi-threaded server, without the
    threads that merely wait for the GIL at a syscall (they look busy otherwise)."""
    binary = str(BIN / "py-spy") if (BIN / "py-spy").exists() else require("py-spy")
    if binary is None:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            binary,
            "record",
            "-p",
            str(pid),
            "--subprocesses",
            "-d",
            str(seconds),
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
            *(["--gil"] if gil else []),
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # let it attach before the load starts
    return process


def pyspy_finish(process: subprocess.Popen[bytes] | None, out: Path, seconds: int) -> dict:
    if process is None:
        return {"error": "py-spy not installed"}
    try:
        _, err = process.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    if not out.exists():
        return {"error": (err or b"").decode(errors="replace")[-500:]}
    return summarize_collapsed(out)


IDLE = (
    "Condition.wait",
    "EpollSelector.select",
    "_PollLikeSelector.select",
    "_worker (thread.py",
    "Connection._recv",
    "Connection._poll",
    "Event.wait",
    "select (selectors.py",
)


def summarize_collapsed(path: Path, top: int = 15) -> dict:
    """Hottest frames of a collapsed-stack file (`frame;frame;... count` per line), over all samples
    and over busy ones (leaf not waiting: lock, selector, pipe to a worker)."""
    counts = {key: Counter() for key in ("self", "inclusive", "process", "busy_self", "busy_inclusive",
                                          "busy_process")}  # fmt: skip
    total = busy = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f]
        process = "all"
        while frames and frames[0].startswith("process "):  # parent, then child; a command may hold ';'
            end = next((i for i, f in enumerate(frames) if f.endswith('"')), 0)
            process = " ".join(frames[: end + 1])
            process = ("worker " if "multiprocessing" in process else "server ") + process.split(":", 1)[0][
                8:
            ]
            frames = frames[end + 1 :]
        if frames and frames[0].startswith("thread "):
            frames = frames[1:]
        if not frames:
            continue
        total += n
        leaf = _short(frames[-1])
        idle = leaf.startswith(IDLE)
        for prefix in ("",) if idle else ("", "busy_"):
            counts[prefix + "self"][leaf] += n
            counts[prefix + "process"][process] += n
            for frame in {_short(f) for f in frames}:
                counts[prefix + "inclusive"][frame] += n
        busy += 0 if idle else n

    def share(counter: Counter[str], of: int) -> list[list[object]]:
        return [[frame, round(100 * n / of, 1)] for frame, n in counter.most_common(top)] if of else []

    return {
        "samples": total,
        "busy_samples": busy,
        "raw": str(path),
        "busy_self_pct": share(counts["busy_self"], busy),
        "busy_inclusive_pct": share(counts["busy_inclusive"], busy),
        "busy_process_pct": share(counts["busy_process"], busy),
        "self_pct": share(counts["self"], total),
        "process_pct": share(counts["process"], total),
    }


def _short(frame: str) -> str:
    """`func (path/to/module.py:123)` -> `func (module.py:123)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1]}" if where else name


def pyspy_command(command: list[str], out: Path, top: int = 20) -> dict:
    """Run `command` under py-spy (launched by it, 500 Hz) and summarize its hot frames."""
    binary = str(BIN / "py-spy") if (BIN / "py-spy").exists() else require("py-spy")
    if binary is None:
        return {"error": "py-spy not installed"}
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([binary, "record", "-r", "100", "--nonblocking", "-f", "raw", "-o", str(out), "--", *command],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    if not out.exists():
        return {"error": done.stderr[-500:]}
    return summarize_collapsed(out, top)


def pyinstrument_call(fn, out: Path) -> dict:  # type: ignore[no-untyped-def]
    """Run fn() under pyinstrument (in this process); writes the call tree and returns its top lines.
    (Library frames are folded in this view: pyspy_command names them.)"""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    fn()
    profiler.stop()
    tree = profiler.output_text(unicode=False, color=False, show_all=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(tree, encoding="utf-8")
    return {"report": str(out), "tree": tree.splitlines()[:40]}


def profile_build() -> dict:
    """build() + validate() of the plan in a fresh process under py-spy."""
    code = (
        "from psm_ld.build.graph import build; from psm_ld.config import load_settings; "
        "from psm_ld.build.validate import validate; s = load_settings(); validate(build(s)); validate(build(s))"
    )
    return pyspy_command([sys.executable, "-c", code], RESULTS / "profiles" / "build-validate.txt")


def profile_load(server: Server, requests: list[load.Request], connections: int, name: str, work: Path,
                 seconds: int = 8, gil: bool = False, unique: bool = False) -> dict:  # fmt: skip
    """py-spy on a server (and its workers) during one more load run of `requests`."""
    out = RESULTS / "profiles" / f"{name}.txt"
    spy = pyspy_start(server.process.pid, seconds, out, gil)  # type: ignore[union-attr]
    figures = load.run(server.port, requests, connections, seconds - 1, work / "profile.lua", unique=unique)
    summary = pyspy_finish(spy, out, seconds)
    summary["load_under_profiler"] = figures
    return summary


def profile_sequential(server: Server, queries: list[str]) -> dict:
    """py-spy on a server during sequential requests of `queries` (one connection)."""
    out = RESULTS / "profiles" / "scale-selective.txt"
    seconds = 6
    spy = pyspy_start(server.process.pid, seconds, out)  # type: ignore[union-attr]
    stop_at = time.perf_counter() + seconds - 0.5
    with loopback_client(base_url=server.url, timeout=60) as client:
        n = 0
        while time.perf_counter() < stop_at:
            client.post("/sparql", content=queries[n % len(queries)].encode(),
                        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON})  # fmt: skip
            n += 1
    return pyspy_finish(spy, out, seconds)
