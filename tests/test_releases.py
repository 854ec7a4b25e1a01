"""Releases (issue 10, point 6): identical inputs give the identical release (id, bytes, ETags),
built in processes with different hash seeds;
a server loads only a release whose manifest checks out, and /health is never ok over 0 triples;
old releases are pruned, never the current one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kg import BASE
from servers import serve
from test_build import cli_here

from psm_ld.build.write import prune
from psm_ld.config import PROJECT_ROOT, load_settings
from psm_ld.release import (
    MANIFEST_FILE,
    NQUADS_FILE,
    Release,
    ReleaseError,
    current_release,
    seal,
    verify,
)

CATALOG_TTL = Path("documents", "catalogo.ttl")
DOCUMENTS = ("", "psm/2021-2023", "psm/2021-2023/azione/2.1.1", "catalogo", "ontologia", "pnrr/missione/M2")


def start_build(build_dir: Path, seed: str) -> subprocess.Popen[str]:
    """`psm-ld build` in its own process, with its own hash seed (set and dict order vary with it)."""
    environment = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE}
    environment.update(PYTHONHASHSEED=seed, COLUMNS="200")
    return subprocess.Popen(
        [sys.executable, "-m", "psm_ld", "build"], env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def built(*processes: subprocess.Popen[str]) -> None:
    """Waits for every `start_build` process (none is left running), then each must have succeeded."""
    errors = [process.communicate()[1] for process in processes]
    for process, stderr in zip(processes, errors, strict=True):
        assert process.returncode == 0, stderr


@pytest.fixture(scope="session")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("releases")
    # a and b side by side (two folders, nothing shared), then the same data again into a, as soon as
    # a is built (beside the rest of b)
    first, other = start_build(folder / "a", "1"), start_build(folder / "b", "2")
    try:
        built(first)
    except AssertionError:
        other.communicate()  # none left running
        raise
    built(other, start_build(folder / "a", "3"))  # the same data again, into the same build folder
    return folder / "a", folder / "b"


def test_unchanged_data_gives_the_same_release_and_etags(two_builds: tuple[Path, Path]) -> None:
    first, second = (current_release(b) for b in two_builds)
    assert first is not None and second is not None
    assert first.id == second.id  # was a new id every build: the catalog came in set order
    assert [p.name for p in (two_builds[0] / "releases").iterdir()] == [first.id]
    assert (first.path / MANIFEST_FILE).read_bytes() == (second.path / MANIFEST_FILE).read_bytes()
    # every file of the release, as its manifest lists them (not a server's state, such as .verified)
    files = json.loads((first.path / MANIFEST_FILE).read_bytes())["files"]
    assert len(files) > 1000  # the pre-rendered documents among them
    assert all((first.path / f).read_bytes() == (second.path / f).read_bytes() for f in files)
    lines = first.nquads.read_text(encoding="utf-8").splitlines()  # canonical N-Quads: sorted lines
    assert lines == sorted(lines) and all(line.endswith(" .") for line in lines)
    etags = []
    for build_dir in two_builds:
        for served in serve(build_dir, BASE, BASE):
            tags = {}
            for path in DOCUMENTS:
                for suffix in (".html", ".ttl", ".jsonld") if path else ("",):
                    response = served.get("/" + path + suffix)
                    assert response.status_code == 200, path
                    tags[path + suffix] = response.headers.get("etag") or response.content
            etags.append(tags)
    assert etags[0] == etags[1]


def copy_tree(source: Path, target: Path) -> None:
    """A copy of a build or release folder, its files' bytes without their timestamps: copytree's
    default (copy2) takes more than twice as long on this disk, for metadata no test here reads
    (a directory's mtime, which pruning reads, copytree sets all the same)."""
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copy)


def _copy(release: Release, into: Path) -> Path:
    folder = into / "releases" / "copy"
    copy_tree(release.path, folder)
    (into / "current").symlink_to(Path("releases") / "copy")
    return folder


@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda f: (f / MANIFEST_FILE).unlink(), "no readable manifest.json"),
        (lambda f: (f / MANIFEST_FILE).write_text("{"), "no readable manifest.json"),
        (lambda f: ((f / NQUADS_FILE).write_bytes(b""), seal(f)), "psm.nq holds no quads"),
        (lambda f: (f / CATALOG_TTL).unlink(), "documents/catalogo.ttl is missing"),
        (lambda f: ((f / CATALOG_TTL).unlink(), seal(f)), "documents/catalogo.ttl is missing"),
        (lambda f: (f / "download" / "psm.ttl").write_bytes(b"x"), "download/psm.ttl is missing or not"),
        (lambda f: _flip_a_byte(f / NQUADS_FILE), "psm.nq does not match its checksum"),
    ],
)  # fmt: skip
def test_a_release_must_check_out_to_be_served(two_builds: tuple[Path, Path], tmp_path: Path, damage: object,
                                               problem: str) -> None:  # fmt: skip
    release = current_release(two_builds[0])
    assert release is not None
    verify(release)
    folder = _copy(release, tmp_path)
    damage(folder)  # type: ignore[operator]
    with pytest.raises(ReleaseError, match=problem):
        verify(Release(folder))
    for served in _serving(tmp_path):  # a server refuses it: /health says error, never ok
        health = served.get("/health")
        assert health.status_code == 503 and problem.split()[-1] in health.json()["error"]


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def _serving(build_dir: Path):  # type: ignore[no-untyped-def]
    """The app over a release that will not load: yields it once /health has stopped saying loading."""
    from starlette.testclient import TestClient

    from psm_ld.config import Settings
    from psm_ld.web.app import create_app

    client = TestClient(create_app(Settings(base_uri=BASE, build_dir=build_dir, reload_seconds=0)))
    with client:
        deadline = time.monotonic() + 30
        while client.get("/health").json()["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.05)

        class Served:
            get = client.get

        yield Served


def test_a_server_keeps_its_release_when_the_new_one_is_broken(two_builds: tuple[Path, Path],
                                                               tmp_path: Path) -> None:  # fmt: skip
    release = current_release(two_builds[0])
    assert release is not None
    build_dir = tmp_path / "build"
    good = _copy(release, build_dir)
    for served in serve(build_dir, BASE, BASE, reload_seconds=0.1):
        assert served.get("/health").json()["release"] == "copy"
        broken = build_dir / "releases" / "broken"
        copy_tree(good, broken)
        (broken / NQUADS_FILE).write_bytes(b"")  # an empty release, as a hand-made folder may be
        (build_dir / "current.tmp").symlink_to(Path("releases") / "broken")
        os.replace(build_dir / "current.tmp", build_dir / "current")
        time.sleep(1)
        health = served.get("/health").json()
        assert health["status"] == "ok" and health["release"] == "copy" and health["triples"] > 0


def test_old_releases_are_pruned_never_the_current(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    for n, name in enumerate(["old", "current", "b", "c", "d"]):
        (releases / name).mkdir(parents=True)
        os.utime(releases / name, (1000 + n, 1000 + n))
    (releases / ".staging-1").mkdir()
    os.utime(releases / "current", (1, 1))  # the oldest, yet served
    assert sorted(prune(releases, 2, current="current")) == ["b", "c", "old"]
    assert sorted(p.name for p in releases.iterdir()) == [".staging-1", "current", "d"]
    assert prune(releases, 1, current="current") == ["d"]


def test_keep_releases_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSM_KEEP_RELEASES", "3")
    assert load_settings().keep_releases == 3
    monkeypatch.setenv("PSM_KEEP_RELEASES", "0")
    with pytest.raises(ValueError, match="PSM_KEEP_RELEASES"):
        load_settings()


def test_a_build_prunes_to_the_setting(two_builds: tuple[Path, Path], tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    copy_tree(two_builds[0], build_dir)
    for name in ("x", "y", "z"):  # older releases, as earlier builds left them
        copy_tree(build_dir / "current", build_dir / "releases" / name)
        os.utime(build_dir / "releases" / name, (1000, 1000))
    # in this process: the pruning is the command's, from its setting; no hash seed is at stake here.
    # Without pre-rendered documents (more than half of a build): a new release to keep, pruning the rest
    done = cli_here(PROJECT_ROOT, build_dir, "build", PSM_KEEP_RELEASES="2", PSM_PRERENDER="0")
    assert done.returncode == 0, done.stderr
    current = current_release(build_dir)
    assert current is not None
    kept = sorted(p.name for p in (build_dir / "releases").iterdir())
    assert len(kept) == 2 and current.id in kept
    assert json.loads((current.path / MANIFEST_FILE).read_text())["quads"] > 0
