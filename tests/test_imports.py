"""The server reads releases; it never builds one (issue 9, deliverable 3): importing it loads neither
pyshacl nor any module of psm_ld.build. Run in a fresh interpreter so sys.modules starts clean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_by(module: str) -> list[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# psm_ld.cli too: `psm-ld serve` runs from it, and each query worker re-imports it (spawn re-runs the
# parent's main script, the psm-ld console script)
@pytest.mark.parametrize("module", ["psm_ld.web.app", "psm_ld.query.executor", "psm_ld.query.pool",
                                    "psm_ld.cli"])  # fmt: skip
def test_serving_loads_no_build_module_and_no_pyshacl(module: str) -> None:
    modules = loaded_by(module)
    assert module in modules  # the probe did import what it says
    assert [m for m in modules if m == "pyshacl" or m.startswith(("pyshacl.", "psm_ld.build"))] == []
