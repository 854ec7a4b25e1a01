"""Store modes for the tests: the same apps served from every store psm-ld has, so that a test
module runs against each (conftest: `pytestmark = pytest.mark.every_store`, the `store_mode`
parameter of the app fixtures `same_origin`, `other_origin`, `rewriting`, `w3c`):

- memory: pyoxigraph in memory in each process (PSM_STORE=memory; what the other modules use);
- disk: pyoxigraph's on-disk RocksDB store, opened read-only by every process (PSM_STORE=disk);
- oxigraph: Oxigraph server (PSM_STORE=sparql), the release published with `psm-ld publish`'s code;
- virtuoso: Virtuoso 7 (PSM_STORE=sparql), the same way.

Cost: each engine is started once per session (`Engines`) and shared by every module (conftest puts
their tests in one pytest-xdist group); each release is published once per engine; each app is
created once per mode, on first use, and kept for the session (`Apps`). One engine holds several
releases at once as psm-ld sites (PSM_STORE_SITE): the same-origin release in the default site,
the others in a site named after them, each with its own current release.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from engines import Engine, start_engine
from servers import InProcess, free_port, serve

from psm_ld.build.publish import publish
from psm_ld.config import Settings
from psm_ld.query.engine import endpoint_of
from psm_ld.release import current_release

STORE_MODES = ("memory", "disk", "oxigraph", "virtuoso")
ENGINE_MODES = ("oxigraph", "virtuoso")  # PSM_STORE=sparql on these engines (tests/engines.py)


class Engines:
    """The session's SPARQL engines, each started once and stopped at the end: on first use, or
    beforehand in the background (`prestart`: Virtuoso takes some 20 s to create its database, nearly
    all of it waiting, not computing; the tests before the first that needs it run meanwhile)."""

    def __init__(self, folder: Path, wanted: Iterable[str] = ()) -> None:
        self.folder = folder
        self.wanted = sorted(wanted)  # the engines the session's tests use
        self._starting: dict[str, Future[Engine]] = {}
        self._lock = threading.Lock()

    def prestart(self) -> None:
        """Start every wanted engine, in the background."""
        for name in self.wanted:
            self._start(name)

    def get(self, name: str) -> Engine:
        """`name`, started if need be (with the other wanted ones beside it), once it answers."""
        self.prestart()
        return self._start(name).result()

    def _start(self, name: str) -> Future[Engine]:
        with self._lock:
            if name not in self._starting:
                future: Future[Engine] = Future()
                self._starting[name] = future

                def run() -> None:
                    try:
                        future.set_result(start_engine(name, self.folder / name))
                    except BaseException as exc:  # noqa: BLE001 - raised again by get()
                        future.set_exception(exc)

                threading.Thread(target=run, name=f"start-{name}", daemon=True).start()
            return self._starting[name]

    def stop(self) -> None:
        for future in self._starting.values():
            try:
                engine = future.result()
            except BaseException:  # noqa: BLE001, S112 - it never started: nothing to stop
                continue
            engine.stop()
        self._starting.clear()


@dataclass(frozen=True)
class AppSpec:
    """One app of the session (conftest `*_spec`), whatever the store: a release and how it is served."""

    name: str
    build_dir: Path
    base: str  # the release's canonical base
    url: str | None  # the origin it answers as; None: a loopback origin of its own
    site: str | None = None  # its PSM_STORE_SITE in an engine (None: the default site)
    settings: dict[str, object] = field(default_factory=dict)  # psm_ld.config.Settings fields


class Apps:
    """The session's in-process apps, one per (spec, store mode), created on first use and stopped
    at the end of the session."""

    def __init__(self, engines: Engines) -> None:
        self.engines = engines
        self._apps: dict[tuple[str, str], InProcess] = {}
        self._published: set[tuple[str, Path, str | None]] = set()
        self._stack = ExitStack()

    def serve(self, spec: AppSpec, mode: str) -> InProcess:
        """`spec`'s app in `mode`; in an engine mode its release is first published into the engine,
        under its site."""
        key = (spec.name, mode)
        if key not in self._apps:
            settings = dict(spec.settings)
            if mode in ENGINE_MODES:
                engine = self.engines.get(mode)
                self._publish(engine, spec.build_dir, spec.base, spec.site)
                settings |= {"store_mode": "sparql", "store_site": spec.site, **engine.settings}
            else:
                settings["store_mode"] = mode
            build_dir = self._disk_copy(spec.build_dir) if mode == "disk" else spec.build_dir
            url = spec.url or f"http://127.0.0.1:{free_port()}/"
            app = self._stack.enter_context(
                contextlib.contextmanager(serve)(build_dir, spec.base, url, **settings)
            )
            store = app.get("/health").json()["store"]  # never another store than the mode says
            assert store == ("sparql" if mode in ENGINE_MODES else mode), (spec.name, mode, store)
            self._apps[key] = app
        return self._apps[key]

    def _disk_copy(self, build_dir: Path) -> Path:
        """A copy of `build_dir` for the disk mode, which writes its on-disk store beside the release
        (query/store.disk_store): the session's build stays as the memory mode leaves it (without
        one: test_serving_store checks that a small release writes none)."""
        copy = build_dir.with_name(build_dir.name + "-disk")
        if not copy.exists():
            shutil.copytree(build_dir, copy, symlinks=True)
        return copy

    def _publish(self, engine: Engine, build_dir: Path, base: str, site: str | None) -> None:
        """`build_dir`'s current release into `engine` (what `psm-ld publish` does, in this process:
        test_remote_store runs the command itself), once per session."""
        if (engine.name, build_dir, site) in self._published:
            return
        settings = Settings(base_uri=base, build_dir=build_dir, store_mode="sparql", store_site=site,
                            **engine.settings)  # type: ignore[arg-type]  # fmt: skip
        release = current_release(build_dir)
        assert release is not None, build_dir
        publish(endpoint_of(settings), release)
        self._published.add((engine.name, build_dir, site))

    def close(self) -> None:
        self._stack.close()
        self._apps.clear()
