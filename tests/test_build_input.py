"""Build input (issue 10, point 7): ISO dates only, no control characters, an empty required table
named as such, each error with file, row and column; a full disk gives one line and leaves nothing.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from kg import fresh_build, project_copy, settings
from test_build import TABLES, cli, cli_here, edit, errors_for

from psm_ld.build import write
from psm_ld.build.built import Built
from psm_ld.build.edition import _date
from psm_ld.build.graph import build
from psm_ld.build.validate import Report, validate
from psm_ld.config import PROJECT_ROOT


@pytest.mark.parametrize(
    "value", ["24/03/2021", "2021-13-01", "2021-02-30", "21-03-24", "2021-3-24", "２０２１"]
)
def test_only_iso_dates_are_dates(tmp_path: Path, value: str) -> None:
    root = project_copy(tmp_path)
    edit(root, "fonti.csv", "Città metropolitana di Torino,,", f"Città metropolitana di Torino,{value},")
    assert errors_for(root) == [
        f"{TABLES.as_posix()}/fonti.csv, riga 2, colonna «data»: data non valida «{value}» "
        "(AAAA, AAAA-MM o AAAA-MM-GG)"
    ]


def test_iso_dates_keep_their_type() -> None:
    assert [str(_date(v).datatype).rsplit("#", 1)[1] for v in ("2021", "2021-03", "2020-02-29")] == [
        "gYear", "gYearMonth", "date",
    ]  # fmt: skip


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_where_they_are(tmp_path: Path, char: str) -> None:
    root = project_copy(tmp_path)
    edit(root, "assi.csv", "1,Torino Metropoli + produttiva", f"1,Torino Metropoli{char} + produttiva")
    assert errors_for(root) == [
        f"{TABLES.as_posix()}/assi.csv, riga 2, colonna «titolo»: carattere di controllo "
        f"U+{ord(char):04X} non ammesso (posizione 17)"
    ]


def test_line_breaks_and_tabs_in_cells_are_still_text(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit(root, "assi.csv", "1,Torino Metropoli + produttiva", '1,"Torino Metropoli\r\n+\tproduttiva"')
    build(settings(root))  # no BuildError


def test_control_character_in_a_vocabulary_names_the_file(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / "data" / "vocabolari" / "pnrr.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('"@it', '\\u0000"@it', 1), encoding="utf-8")
    errors = errors_for(root)
    assert len(errors) == 1 and errors[0].startswith(
        "data/vocabolari/pnrr.ttl: carattere di controllo U+0000"
    )


def test_a_header_only_table_is_reported_itself(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    table = root / TABLES / "assi.csv"
    table.write_text(table.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    errors = errors_for(root)
    assert (
        errors[0]
        == f"{TABLES.as_posix()}/assi.csv, riga 2: la tabella non ha righe di dati: ne serve almeno una"
    )


# --- a full disk: a real, small filesystem (tmpfs, mounted as root) ---------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    """A 64 MiB tmpfs, which the test fills. Mounting needs root (as `make test` runs here); the
    in-process test below checks the same guarantee without one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.fail("mounting a small filesystem needs root: run as root or with sudo")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_gives_one_line_and_leaves_nothing(tmp_path: Path, small_disk: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")  # the build's own output only, not rdflib's warnings
    root = project_copy(tmp_path / "project")
    build_dir = small_disk / "build"
    # the served release: the command, in this process, without pre-rendered documents (they are more
    # than half of a build and nothing this test looks at; the build that fills the disk has them)
    first = cli_here(root, build_dir, "build", PSM_PRERENDER="0")
    assert first.returncode == 0, first.stderr
    served = os.readlink(build_dir / "current")
    edit(root, "assi.csv", "Torino Metropoli + produttiva", "Torino Metropoli + produttiva (bis)")
    filler = small_disk / "filler"  # leaves 256 KiB: a release is megabytes
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 256 * 1024))
    used = shutil.disk_usage(small_disk).used
    full = cli(root, build_dir, "build")  # in a fresh process: its whole stderr is one line
    assert full.returncode == 1
    lines = [line for line in full.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "No space left on device" in lines[0] and "Traceback" not in full.stderr, lines
    assert "NON scritta" in lines[0] and "resta invariata" in lines[0]
    assert os.readlink(build_dir / "current") == served  # the served release untouched
    assert sorted(p.name for p in (build_dir / "releases").iterdir()) == [Path(served).name]
    assert not list(build_dir.glob(".current*"))
    assert shutil.disk_usage(small_disk).used <= used  # the half-written release is gone


@pytest.fixture(scope="session")
def validated() -> tuple[Built, Report]:
    built = fresh_build()
    return built, validate(built)


def test_enospc_removes_the_staging_folder(validated: tuple[Built, Report], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The same guarantee without a filesystem: the write layer fails as a full disk does."""

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "psm.nq")

    monkeypatch.setattr(write, "write_numeric_literals", no_space)
    with pytest.raises(OSError, match="No space left"):
        write.write_release(*validated, tmp_path / "build", PROJECT_ROOT / "data")
    assert list((tmp_path / "build" / "releases").iterdir()) == []
    assert not (tmp_path / "build" / "current").exists()


def test_an_abandoned_staging_folder_is_removed_by_the_next_build(validated: tuple[Built, Report],
                                                                  tmp_path: Path) -> None:  # fmt: skip
    dead = tmp_path / "build" / "releases" / ".staging-999999999"  # no such process
    dead.mkdir(parents=True)
    (dead / "psm.nq").write_bytes(b"half")
    write.write_release(*validated, tmp_path / "build", PROJECT_ROOT / "data")
    assert not dead.exists()
