"""A running server serves each new release a build publishes, without a restart, and keeps serving
the old one when a build fails (a real server, real builds with the CLI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kg import project_copy
from servers import Server, free_port, start, stop
from servers import build as build_release

pytestmark = pytest.mark.slow  # real builds with the CLI and a real server

ACTION = "psm/2021-2023/azione/2.1.1"
TITLE = "Rete metropolitana delle infrastrutture verdi"


def build(root: Path, build_dir: Path, base: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PSM_ROOT": str(root), "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": base}
    env.update(extra)
    return subprocess.run([Path(sys.executable).parent / "psm-ld", "build"], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = project_copy(tmp_path / "project")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build_release(tmp_path / "build", base, root)  # the first release, before the server: in-process
    server = start(tmp_path / "build", base, port, tmp_path / "server.log", PSM_RELOAD_SECONDS="0.3")
    yield server, root
    stop(server)


def edit(root: Path, old: str, new: str) -> None:
    table = root / "data/psm-2021-2023/azioni.csv"
    text = table.read_text(encoding="utf-8")
    assert old in text
    table.write_text(text.replace(old, new, 1), encoding="utf-8")


def release_of(server: Server) -> str:
    return server.get("health").json()["release"]


def wait_for_new_release(server: Server, old: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (now := release_of(server)) != old:
            return now
        time.sleep(0.2)
    raise AssertionError(f"still serving {old} after {seconds} s")


def test_a_new_release_is_served_without_restart(served: tuple[Server, Path]) -> None:
    server, root = served
    first, page = release_of(server), server.get(ACTION + ".ttl")
    assert TITLE in page.text
    edit(root, TITLE, TITLE + " (rev.)")
    assert build(root, server.build_dir, server.base).returncode == 0
    second = wait_for_new_release(server, first)
    again = server.get(ACTION + ".ttl")
    assert TITLE + " (rev.)" in again.text and again.headers["etag"] != page.headers["etag"]
    assert TITLE + " (rev.)" in server.get(ACTION + ".html").text  # no stale cached page
    answer = server.get("sparql", params={"query": f"ASK {{ ?a ?p \"{TITLE} (rev.)\"@it }}"},
                        headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert answer.json()["boolean"] is True
    # a build that fails leaves the served release alone
    edit(root, "2.1.2,2.1,", "2.1.1,2.1,")  # a duplicate action code
    assert build(root, server.build_dir, server.base).returncode == 1
    time.sleep(1.5)  # five times the reload interval
    assert release_of(server) == second and TITLE + " (rev.)" in server.get(ACTION + ".ttl").text
