"""The benchmark harness still runs end to end (bench/run.py --smoke: tiny scale, load runs stopped
after a few responses, no warm-ups or restarts, the parts side by side). Figures are not asserted —
benchmarks print them — but every server answers, with no errors, and none is left running. The
harness runs in this process (its servers are processes, as always): the build and validate it
times reuse the imports the tests already made."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow  # the bench harness starts every server it compares


def test_bench_harness_smoke_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    for name in ("PSM_BASE_URI", "PSM_BUILD_DIR", "PSM_ROOT", "PSM_STORE"):  # the harness's defaults
        monkeypatch.delenv(name, raising=False)
    from bench import run

    out = tmp_path / "smoke.json"
    before = {p.pid for p in psutil.Process().children(recursive=True)}  # this session's own servers
    assert run.main(["--smoke", "--out", str(out)]) == 0
    after = psutil.Process().children(recursive=True)
    left = [p.cmdline() for p in after if p.pid not in before and not _ours(p, before)]
    assert left == []  # every server the harness started is stopped
    printed = capsys.readouterr().out
    result = json.loads(out.read_text())
    mix = result["sparql_mix"]
    for summary in (mix["summary"], mix["summary_cached"]):
        assert summary["psm-ld"]["errors"] == summary["rdflib-endpoint"]["errors"] == 0
        assert summary["psm-ld"]["rps"] > 0 and summary["rdflib-endpoint"]["rps"] > 0
    assert set(mix["queries"]) >= {"conteggi-per-asse", "describe-azione"}
    assert mix["excluded"] == {}  # the smoke's queries are answered alike: status and number of results
    for server in ("psm-ld", "rdflib-endpoint"):
        assert all(answer["status"] == 200 for answer in mix["answers"][server].values())
    assert result["startup"]["psm-ld_cold_s"] > 0 and result["startup"]["rdflib-endpoint_s"] > 0
    for document in result["dereference"]["documents"].values():
        servers = {"psm-ld", "nginx", "bare-uvicorn", "psm-ld export+nginx"}
        assert servers <= set(document["summary"])
        assert all(document["summary"][s]["errors"] == 0 for s in servers)
        assert all(document["summary"][s]["rps"] > 0 for s in servers)
    assert result["build"]["inprocess_build_validate_s"]["median"] > 0 and result["build"]["conforms"]
    scale = result["scale"]
    assert scale["selective_rows"]["min"] >= 1 and scale["aggregate_rows"] >= 1
    assert scale["health"]["store"] == "disk" and scale["engine_selective_ms"]["n"] > 0
    memory = scale["memory_store"]
    assert memory["health"]["store"] == "memory"
    assert memory["selective_rows"]["min"] >= 1 and memory["aggregate_rows"] >= 1
    plan = result["versus_plan"]  # the native server a user would pick: the same engine, in Rust
    assert set(plan["servers"]) >= {"psm-ld", "oxigraph-server"}
    assert all(plan["servers"][s]["errors"] == 0 and plan["servers"][s]["rps"] > 0 for s in plan["servers"])
    assert plan["subsets"]["oxigraph-server"] == plan["queries"]  # every query answered alike
    assert set(plan["queries"]) >= set(mix["queries"])  # every named query, not only the smoke mix's
    assert all(answer["status"] == 200 for answer in plan["answers"]["psm-ld"].values())
    modes = result["stores"]["sizes"]["300"]["modes"]  # issue 14's store modes (smoke: Oxigraph server only)
    assert set(modes) == {"oxigraph"}
    for mode in modes.values():
        failed = {key: value for key, value in mode.items() if key.endswith("error")}
        assert failed == {}, printed[-4000:]  # the harness's log says what the server answered
        assert mode["rows"]["selective"] == 1 and mode["rows"]["aggregate"] >= 1
        assert mode["deref"]["errors"] == 0 and mode["deref"]["requests"] >= 20
        assert mode["rss"]["psm-ld server"]["peak_mb"] > 0
    assert modes["oxigraph"]["publish"]["completed"] and modes["oxigraph"]["health"]["store"] == "sparql"
    assert modes["oxigraph"]["engine_selective_alike"] and modes["oxigraph"]["engine_aggregate_alike"]
    assert set(result["verdicts"]) >= {"sparql_mix", "build_validate", "scale_selective",
                                       "plan mix vs oxigraph-server"}  # fmt: skip
    assert "PASS" in printed or "MISS" in printed  # the report is printed


def _ours(process: psutil.Process, before: set[int]) -> bool:
    """Not the harness's: a query worker of this process's own in-process apps, or a process under one
    that ran before the harness (this session's servers replace their workers at any time, as one of
    theirs killed by another test is replaced): the harness starts its servers as processes of their
    own, fresh children of this process, and those are what must be gone."""
    try:
        if process.ppid() == os.getpid() and "--multiprocessing-fork" in process.cmdline():
            return True
        return any(parent.pid in before for parent in process.parents())
    except psutil.NoSuchProcess:
        return True
