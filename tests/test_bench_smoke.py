"""The benchmark harness still runs end to end (bench/run.py --smoke: tiny durations and scale).
Figures are not asserted — benchmarks print them — but every server answers, with no errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from servers import ROOT


def test_bench_harness_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    mix = result["sparql_mix"]
    for summary in (mix["summary"], mix["summary_cached"]):
        assert summary["psm-ld"]["errors"] == summary["rdflib-endpoint"]["errors"] == 0
        assert summary["psm-ld"]["rps"] > 0 and summary["rdflib-endpoint"]["rps"] > 0
    assert set(mix["queries"]) >= {"conteggi-per-asse", "describe-azione"}
    for document in result["dereference"]["documents"].values():
        servers = {"psm-ld", "nginx", "bare-uvicorn", "psm-ld export+nginx"}
        assert servers <= set(document["summary"])
        assert all(document["summary"][s]["errors"] == 0 for s in servers)
    assert result["build"]["inprocess_build_validate_s"]["median"] > 0
    scale = result["scale"]
    assert scale["selective_rows"]["min"] >= 1 and scale["aggregate_rows"] >= 1
    assert scale["memory_store"]["health"]["store"] == "memory"
    assert set(result["verdicts"]) >= {"sparql_mix", "build_validate", "scale_selective"}
    assert "PASS" in done.stdout or "MISS" in done.stdout  # the report is printed
