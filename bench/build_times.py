"""Build and validate the plan, timed (README, part 1). The release so built is the one every other
part serves.

A measurement runs `psm-ld build` (a fresh process) BENCH_BUILD_REPEATS times, then build() and
validate() in this process (a warm-up round dropped); --smoke builds and validates once in-process."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from bench.common import BIN, Config, log, median


def bench_build(cfg: Config, build_dir: Path) -> dict:
    from psm_ld.build.graph import build
    from psm_ld.build.validate import validate
    from psm_ld.config import load_settings

    if cfg.smoke:
        return smoke_build(build_dir)
    log(f"build: `psm-ld build` x{cfg.build_repeats} into {build_dir}")
    cli = []
    for _ in range(cfg.build_repeats):
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "psm-ld"), "build"], env={**os.environ, "PSM_BUILD_DIR": str(build_dir)},
                              capture_output=True, text=True)  # fmt: skip
        cli.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"psm-ld build failed:\n{done.stdout}\n{done.stderr}")
    settings = load_settings()
    builds, validations, totals = [], [], []
    for _ in range(cfg.build_repeats + 1):  # the first round warms imports and caches up: dropped
        a = time.perf_counter()
        built = build(settings)
        b = time.perf_counter()
        report = validate(built)
        c = time.perf_counter()
        builds.append(b - a)
        validations.append(c - b)
        totals.append(c - a)
    result = {
        "cli_build_wall_s": _stats(cli),
        "inprocess_build_s": _stats(builds[1:]),
        "inprocess_validate_s": _stats(validations[1:]),
        "inprocess_build_validate_s": _stats(totals[1:]),
        "first_inprocess_build_validate_s": round(totals[0], 3),
        "conforms": report.conforms,
        "quads": len(built.dataset),
    }
    log(f"build: CLI {result['cli_build_wall_s']['median']:.2f} s, in-process build+validate "
        f"{result['inprocess_build_validate_s']['median']:.2f} s")  # fmt: skip
    return result


def smoke_build(build_dir: Path) -> dict:
    """--smoke: build() and validate() once in this process (no CLI runs, no warm-up round), and the
    release written from them as `psm-ld build` writes it."""
    from psm_ld.build.graph import build
    from psm_ld.build.validate import validate
    from psm_ld.build.write import write_release
    from psm_ld.config import load_settings

    settings = load_settings(build_dir=build_dir)
    a = time.perf_counter()
    built = build(settings)
    b = time.perf_counter()
    report = validate(built)
    c = time.perf_counter()
    write_release(built, report, build_dir, settings.data_dir)
    log(f"build: in-process build+validate {c - a:.2f} s (smoke: once, release written in-process)")
    return {"inprocess_build_s": _stats([b - a]), "inprocess_validate_s": _stats([c - b]),
            "inprocess_build_validate_s": _stats([c - a]), "conforms": report.conforms,
            "quads": len(built.dataset)}  # fmt: skip


def _stats(values: list[float]) -> dict:
    return {"median": round(median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3),
            "n": len(values)}  # fmt: skip
