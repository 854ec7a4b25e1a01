"""Shared fixtures: releases built once per session into temporary build folders with the CLI, served
in-process (tests/servers.py `InProcess`: one app per release and settings, shared by the session)
or, where a process or a socket matters, by a real uvicorn (`Server`, started on first use).

Releases (the same-origin and other-origin ones built once per run, by the first pytest-xdist worker
that needs them, and read by the others: servers.built_once):
- the same-origin build: base = http://127.0.0.1:<port>/, a loopback origin chosen for it, as in
  production (the canonical IRIs are the serving origin's).
- the other-origin build (`other_build`): base http://psm.example/, served on a loopback origin
  without IRI rewriting (RDF keeps canonical IRIs), or with it.

Apps (in-process):
- `same_origin`: the same-origin build, answering as its origin.
- `other_origin`: the other-origin build, small row limit and short time limit for the limit tests.
- `rewriting`: the other-origin build with PSM_REWRITE_IRIS (RDF IRIs under the serving origin).
- `w3c`, `w3c_query`: releases holding the W3C protocol and query-evaluation test data.

Store modes (tests/modes.py): the first four apps are served from the store `store_mode` names: memory
unless a module says `pytestmark = pytest.mark.every_store`; then each of its tests that uses them
runs in every mode: memory, disk, Oxigraph server and Virtuoso (PSM_STORE=sparql; the engines are
started once per session, each release published once per engine). `--store-modes memory,disk`
narrows that. Each app is created once per mode (`apps`), on first use.

Real servers (uvicorn processes): `same_origin_server` (on the same-origin build's own port; also
`live_server`, its URL, for the browser tests), `other_origin_server` (the limits), `rewriting_server`.

Tests that start processes (real servers, the CLI, Chromium, Comunica, nginx, the bench harness) are
marked `slow`: `make check` leaves them out, `make test` runs everything.

The conformance suites and the seed are read from ../shared: without it the run stops at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from modes import ENGINE_MODES, STORE_MODES, Apps, AppSpec, Engines
from servers import (
    LIMITS,
    LIMITS_ENV,
    OTHER_BASE,
    SHARED,
    InProcess,
    Server,
    build,
    built_once,
    free_port,
    other_origin_release,
    running,
    serve,
    w3c_protocol_release,
    w3c_query_release,
    workers_folder,
)

from psm_ld.cli import few_full_collections

REAL_SERVERS = {"same_origin_server", "live_server", "other_origin_server", "rewriting_server"}
# a module's fixtures that start processes: `psm-ld serve` (test_paths `served`, test_serving_store
# `serve_logs`), three CLI builds (test_releases `two_builds`), a tmpfs mount (test_build_input),
# test_abuse's servers (`guarded`, `unguarded`: its tests also count on running in order, in one worker).
# A test module's costly fixtures are session-scoped: an xdist worker runs its tests interleaved
# with other modules', and a module-scoped fixture would be set up again at each return.
STARTS_PROCESSES = REAL_SERVERS | {"served", "serve_logs", "two_builds", "small_disk", "guarded",
                                   "unguarded", "engine", "remote_app"}  # engines: engines.py, modes.py
# The session's releases, apps and servers by family: the tests of a family run in one pytest-xdist
# worker, so that each is built and started once, while families run side by side. A test goes to the
# first family that has one of its fixtures. The same-origin server listens on the port of the
# release's own base, so one worker runs it and every test that reaches it: the browser tests (the live
# server through `site`, Chromium through `page`). The same-origin app in this process is a family of
# its own (its release is built once for all, servers.built_once): with the browser's, the 850 tests
# made one unit of 80-100 s of a worker's time, the longest for pytest-xdist to place; now two of 40-50.
# Every test served by a SPARQL engine is of the `engines` family, whatever its app: the engines start
# once.
FAMILIES = {
    "same-origin-server": {"same_origin_server", "live_server", "site", "page", "browser"},
    "same-origin": {"same_origin_build", "same_origin"},
    "other-origin": {"other_build", "other_origin", "other_origin_server", "rewriting", "rewriting_server"},
    "w3c": {"w3c", "w3c_query"},
}
ENGINE_FIXTURES = {"engine", "remote_app"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-modes", default=",".join(STORE_MODES),
        help=f"store modes of the `every_store` modules, comma-separated (default: {','.join(STORE_MODES)})",
    )  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    if not SHARED.is_dir():
        raise pytest.UsageError(
            f"../shared is missing: the conformance suites and the seed are read from {SHARED}"
        )
    unknown = set(store_modes(config)) - set(STORE_MODES)
    if unknown:
        raise pytest.UsageError(f"--store-modes: unknown {', '.join(sorted(unknown))} (of {STORE_MODES})")
    few_full_collections()  # a worker keeps the session's graphs, stores and apps to its end


def store_modes(config: pytest.Config) -> list[str]:
    return [m.strip() for m in config.getoption("--store-modes").split(",") if m.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """In an `every_store` module, each test that is served by the app fixtures runs in every mode."""
    if "store_mode" in metafunc.fixturenames and metafunc.definition.get_closest_marker("every_store"):
        metafunc.parametrize("store_mode", store_modes(metafunc.config))


# tryfirst: pytest-xdist reads the groups in its own hook of the same name, after this one
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses a real server, a SPARQL engine or another process-starting fixture is `slow`
    (left out by `make check`), whoever wrote it; under pytest-xdist, the tests of a family (FAMILIES,
    or `engines`) share a worker, and so do the tests of a module that starts processes of its own."""
    distributed = config.pluginmanager.hasplugin("xdist")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_engine = bool(ENGINE_FIXTURES & fixtures) or bool(
            callspec and callspec.params.get("store_mode") in ENGINE_MODES
        )
        if STARTS_PROCESSES & fixtures or on_engine:
            item.add_marker(pytest.mark.slow)
        if not distributed:
            continue
        family = "engines" if on_engine else next(
            (name for name, members in FAMILIES.items() if members & fixtures), None
        )  # fmt: skip
        if family is None and STARTS_PROCESSES & fixtures:  # a module's processes, started once
            family = item.nodeid.split("::")[0]
        if family is not None:
            item.add_marker(pytest.mark.xdist_group(family))


@pytest.fixture(scope="session")
def same_origin_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(build folder, base): a release whose base is a loopback origin kept free for its server, with
    its documents pre-rendered as `psm-ld build` writes them (served from the release's files on this
    origin; the other builds' documents are rendered on demand)."""

    def make(build_dir: Path) -> str:
        base = f"http://127.0.0.1:{free_port(keep=True)}/"  # held by the process that built it
        build(build_dir, base, prerender=True)
        return base

    return built_once(workers_folder(tmp_path_factory), "same-origin", make)


ENGINES = pytest.StashKey[Engines]()  # the session's, once the fixture has made them
ENGINES_NOW = pytest.StashKey[bool]()  # the worker runs `engines` tests (pytest_runtest_setup)


@pytest.fixture(scope="session")
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    """The SPARQL engines of the session (Oxigraph server, Virtuoso) that its tests use, started in
    the background: in one process, now, while the tests before them run; under pytest-xdist, when the
    worker sets up its first `engines` test (pytest_runtest_setup: it learns only then that it runs
    that family), or when a test first asks for one."""
    wanted = set()
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        wanted |= {params.get("store_mode"), params.get("engine")} & set(ENGINE_MODES)
    session_engines = Engines(tmp_path_factory.mktemp("engines"), wanted)
    request.config.stash[ENGINES] = session_engines
    if not hasattr(request.config, "workerinput") or request.config.stash.get(ENGINES_NOW, False):
        session_engines.prestart()
    yield session_engines
    session_engines.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under pytest-xdist, the engines start when the worker's first `engines` test is set up, before
    its fixtures: they start meanwhile as the worker waits for the same-origin release that another
    worker is building (the engines were started only when a test asked for one, after that wait)."""
    group = item.get_closest_marker("xdist_group")
    if group is not None and group.args[0] == "engines" and not item.config.stash.get(ENGINES_NOW, False):
        item.config.stash[ENGINES_NOW] = True
        if (started := item.config.stash.get(ENGINES, None)) is not None:
            started.prestart()


@pytest.fixture(scope="session")
def apps(engines: Engines) -> Iterator[Apps]:
    """The in-process apps of the session, one per spec and store mode, each created on first use."""
    made = Apps(engines)
    yield made
    made.close()


@pytest.fixture
def store_mode() -> str:
    """The store the app fixtures serve from (tests/modes.py STORE_MODES): memory, unless the module is
    marked `every_store` (then pytest_generate_tests gives each mode in turn)."""
    return "memory"


@pytest.fixture(scope="session")
def same_origin_spec(same_origin_build: tuple[Path, str]) -> AppSpec:
    build_dir, base = same_origin_build
    return AppSpec("same_origin", build_dir, base, base)


@pytest.fixture
def same_origin(apps: Apps, same_origin_spec: AppSpec, store_mode: str) -> InProcess:
    return apps.serve(same_origin_spec, store_mode)


@pytest.fixture(scope="session")
def same_origin_server(same_origin_build: tuple[Path, str]) -> Iterator[Server]:
    build_dir, base = same_origin_build
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    yield from running(build_dir, base, port, build_dir.parent / "server.log")


@pytest.fixture(scope="session")
def live_server(same_origin_server: Server) -> str:
    return same_origin_server.url


@pytest.fixture(scope="session")
def other_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return other_origin_release(tmp_path_factory)


@pytest.fixture(scope="session")
def other_origin_spec(other_build: Path) -> AppSpec:
    return AppSpec("other_origin", other_build, OTHER_BASE, None, "other-origin", LIMITS)


@pytest.fixture
def other_origin(apps: Apps, other_origin_spec: AppSpec, store_mode: str) -> InProcess:
    return apps.serve(other_origin_spec, store_mode)


@pytest.fixture(scope="session")
def other_origin_server(other_build: Path) -> Iterator[Server]:
    yield from running(other_build, OTHER_BASE, free_port(), other_build.parent / "server.log", **LIMITS_ENV)


@pytest.fixture(scope="session")
def rewriting_spec(other_build: Path) -> AppSpec:
    return AppSpec("rewriting", other_build, OTHER_BASE, None, "other-origin", {"rewrite_iris": True})


@pytest.fixture
def rewriting(apps: Apps, rewriting_spec: AppSpec, store_mode: str) -> InProcess:
    return apps.serve(rewriting_spec, store_mode)


@pytest.fixture(scope="session")
def rewriting_server(other_build: Path) -> Iterator[Server]:
    log = other_build.parent / "server-rewriting.log"
    yield from running(other_build, OTHER_BASE, free_port(), log, PSM_REWRITE_IRIS="1")


@pytest.fixture(scope="session")
def w3c_spec(tmp_path_factory: pytest.TempPathFactory) -> AppSpec:
    build_dir = tmp_path_factory.mktemp("w3c") / "build"
    w3c_protocol_release(build_dir)
    return AppSpec("w3c", build_dir, "http://www.example/", None, "w3c")


@pytest.fixture
def w3c(apps: Apps, w3c_spec: AppSpec, store_mode: str) -> InProcess:
    return apps.serve(w3c_spec, store_mode)


@pytest.fixture(scope="session")
def w3c_query(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    build_dir = tmp_path_factory.mktemp("w3c-query") / "build"
    w3c_query_release(build_dir)
    yield from serve(build_dir, "http://www.example/", f"http://127.0.0.1:{free_port()}/")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for every browser test of the session (test_browser.py's client), with
    one tab that each test gets reset to what a new tab is (`page`: no script added to new documents,
    no emulated size, about:blank, no events or errors kept), so no state passes between tests but
    the browser's start-up and a tab's are paid once, not once per module or test."""
    from test_browser import Browser

    b = Browser()
    yield b
    b.close()
