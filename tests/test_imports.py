"""The server reads releases; it never builds one (issue 9, deliverable 3): importing it loads neither
pyshacl nor any module of psm_ld.build. Run in a fresh interpreter so sys.modules starts clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def loaded_by(module: str) -> list[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# psm_ld.cli too: `psm-ld serve` runs from it (its query workers no longer import it: below)
@pytest.mark.parametrize("module", ["psm_ld.web.app", "psm_ld.query.executor", "psm_ld.query.pool",
                                    "psm_ld.cli"])  # fmt: skip
def test_serving_loads_no_build_module_and_no_pyshacl(module: str) -> None:
    modules = loaded_by(module)
    assert module in modules  # the probe did import what it says
    assert [m for m in modules if m == "pyshacl" or m.startswith(("pyshacl.", "psm_ld.build"))] == []


SPAWNING_SCRIPT = """
import multiprocessing, os, sys
if __name__ != "__main__":  # imported again, as __mp_main__, by a child that spawn prepares
    with open(os.environ["MARK"], "a") as mark:
        mark.write("main imported by a child\\n")
if __name__ == "__main__":
    from psm_ld.query.pool import _main_left_out, _worker_context
    process = _worker_context().Process(target=os.getpid)  # as the pool starts its workers
    with _main_left_out() if sys.argv[1] == "left-out" else open(os.devnull):
        process.start()
    process.join(30)
    assert process.exitcode == 0 and sys.modules["__main__"].__file__ == __file__
"""


@pytest.mark.parametrize("how", ["left-out", "as-multiprocessing-does"])
def test_query_workers_do_not_import_the_main_module(how: str, tmp_path: Path) -> None:
    """A query worker is started (forked from the fork server) without importing the server's main
    module (for `psm-ld serve`, the CLI with Typer and Rich); the same start without the swap does
    import it (the check can fail)."""
    script, mark = tmp_path / "main.py", tmp_path / "mark"
    script.write_text(SPAWNING_SCRIPT)
    subprocess.run([sys.executable, str(script), how], check=True, env={"MARK": str(mark)}, timeout=60)
    imported = mark.exists() and "main imported by a child" in mark.read_text()
    assert imported == (how == "as-multiprocessing-does")
