"""Settings errors name the variable, the value and the form expected, in one line that the CLI and
the server print without a traceback; the version is written in one place (issue 9, deliverable 6)."""

from __future__ import annotations

import doctest
import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import psm_ld
from psm_ld import config, errors
from psm_ld.config import PROJECT_ROOT, SettingsError, load_settings

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("variable", "value", "italian", "english"),
    [
        (
            "PSM_QUERY_TIMEOUT",
            "10s",
            "un numero di secondi maggiore di zero",
            "a number of seconds above zero",
        ),
        ("PSM_QUERY_TIMEOUT", "0", "un numero di secondi maggiore di zero", "a number of seconds above zero"),
        (
            "PSM_QUERY_TIMEOUT",
            "inf",
            "un numero di secondi maggiore di zero",
            "a number of seconds above zero",
        ),
        ("PSM_MAX_ROWS", "10k", "un intero maggiore di zero", "an integer above zero"),
        ("PSM_MAX_RESULT_BYTES", "-1", "un intero maggiore di zero", "an integer above zero"),
        ("PSM_SPARQL_WORKERS", "0", "un intero maggiore di zero", "an integer above zero"),
        ("PSM_RELOAD_SECONDS", "mai", "0 per mai", "0 for never"),
        ("PSM_STORE", "ram", "uno tra auto, memory, disk, sparql", "one of auto, memory, disk, sparql"),
        ("PSM_REWRITE_IRIS", "forse", "1, true, yes, on oppure 0", "1, true, yes, on or 0"),
        ("PSM_BASE_URI", "psm.example", "un URI http(s) assoluto", "an absolute http(s) URI"),
        ("PSM_STORE_SITE", "psm:x", "un nome di lettere, cifre", "a name of letters, digits"),
    ],
)
def test_a_bad_setting_names_variable_value_and_form(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, italian: str, english: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    error = raised.value
    assert (error.variable, error.value) == (variable, value)
    assert str(error) == f"{variable}={value}: atteso {error.expected_it} / expected {error.expected_en}"
    assert italian in error.expected_it and english in error.expected_en
    assert isinstance(error, ValueError)  # what callers caught before


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("PSM_QUERY_TIMEOUT", " 2.5 ", "query_timeout", 2.5),
        ("PSM_MAX_ROWS", "10", "max_result_rows", 10),
        ("PSM_RELOAD_SECONDS", "0", "reload_seconds", 0.0),
        ("PSM_REWRITE_IRIS", "On", "rewrite_iris", True),
        ("PSM_REWRITE_IRIS", "0", "rewrite_iris", False),
        ("PSM_BASE_URI", "https://dati.example.it", "base_uri", "https://dati.example.it/"),
        ("PSM_STORE_SITE", " psm-staging ", "store_site", "psm-staging"),
    ],
)
def test_good_settings_still_read(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), field) == expected


def test_an_override_is_checked_too() -> None:
    assert load_settings(store_mode="disk").store_mode == "disk"
    with pytest.raises(SettingsError, match="^PSM_STORE=ram: atteso uno tra auto, memory, disk, sparql"):
        load_settings(store_mode="ram")


def run(command: list[str | Path], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT
    )


def test_the_cli_prints_one_line(tmp_path: Path) -> None:
    done = run(
        [BIN / "psm-ld", "query", "conteggi-per-asse"], PSM_QUERY_TIMEOUT="10s", PSM_BUILD_DIR=str(tmp_path)
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "PSM_QUERY_TIMEOUT=10s: atteso un numero di secondi maggiore di zero, es. 10 o 2.5 / "
        "expected a number of seconds above zero, e.g. 10 or 2.5"
    ]


def test_the_server_does_not_start_and_prints_one_line(tmp_path: Path) -> None:
    command = [BIN / "python", "-m", "uvicorn", "--factory", "psm_ld.web.app:create_app", "--port", "9"]
    done = run(command, PSM_STORE="ram", PSM_BUILD_DIR=str(tmp_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("psm-ld:")] == [
        "psm-ld: PSM_STORE=ram: atteso uno tra auto, memory, disk, sparql "
        "/ expected one of auto, memory, disk, sparql"
    ]


def test_one_version_source() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "psm_ld.__version__"}
    assert importlib.metadata.version("psm-ld") == psm_ld.__version__
    from psm_ld.web.app import create_app

    app = create_app(config.Settings())
    assert app.version == psm_ld.__version__ == app.openapi()["info"]["version"]
    cli = run([BIN / "psm-ld", "--version"])
    assert cli.stdout == f"psm-ld {psm_ld.__version__}\n"
    written = [p for p in (PROJECT_ROOT / "src").rglob("*.py") if f'"{psm_ld.__version__}"' in p.read_text()]
    assert written == [Path(psm_ld.__file__)]


@pytest.mark.parametrize("module", [config, errors])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted and not result.failed


def test_the_remote_store_needs_its_query_url() -> None:
    with pytest.raises(SettingsError, match="^PSM_STORE_QUERY_URL=''"):
        load_settings(store_mode="sparql")
    chosen = load_settings(store_mode="sparql", store_query_url="http://127.0.0.1:7878/query")
    assert chosen.store_query_url == "http://127.0.0.1:7878/query"


@pytest.mark.parametrize("name", ["psm\n", "psm:x", "a b", "psm/../x"])
def test_a_site_name_is_checked_whole_where_it_names_graphs(name: str) -> None:
    """The engine's graph names take a site name only if all of it is letters, digits, '_', '.', '-'
    (a trailing newline too is refused: `$` alone would let it through)."""
    from psm_ld.query.engine import site_prefix

    assert site_prefix("psm-staging").endswith("site:psm-staging:")
    with pytest.raises(ValueError):
        site_prefix(name)
