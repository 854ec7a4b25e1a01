"""Settings, read once from the environment (PSM_*) with defaults for a checkout."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URI = "http://localhost:8000/"
STORE_MODES = ("auto", "memory", "disk", "sparql")


@dataclass(frozen=True)
class Settings:
    base_uri: str = DEFAULT_BASE_URI
    root: Path = PROJECT_ROOT
    build_dir: Path = field(default=PROJECT_ROOT / "build")
    # serving (issue 3): limits of /sparql and named queries, worker processes, IRI rewriting
    query_timeout: float = 10.0  # seconds; a query running longer is killed with its worker
    max_result_rows: int = 10_000  # solutions (SELECT) or triples (CONSTRUCT/DESCRIBE)
    max_result_bytes: int = 16 * 1024 * 1024
    sparql_workers: int = 2  # worker processes; one runaway query blocks only one of them
    rewrite_iris: bool = False  # RDF served with IRIs under the serving origin instead of base_uri
    store_mode: str = "auto"  # store.STORE_MODES: in memory when small ("auto"), or on disk
    reload_seconds: float = 2.0  # how often the server looks for a new release (0: never)
    head_timeout: float = 10.0  # seconds a client has to send a request head (web/server.py)
    keep_alive: float = 5.0  # seconds an idle keep-alive connection stays open
    keep_releases: int = 5  # releases a build keeps in build/releases (the current one always)
    # abuse and load (issue 10): what a query may be, and how workers are shared (pool.WorkerPool)
    query_max_depth: int = 500  # nested brackets; the engine crashed past ~3,000 (guard.py)
    query_max_symbols: int = 20_000  # operator and separator characters in a query
    short_workers: int = 1  # extra workers kept for short queries of clients with none running
    short_query_seconds: float = 1.0  # time limit on those workers (then 503, Retry-After)
    queue_wait: float = 0.25  # seconds a request may wait for a worker before a 503 (Retry-After)
    client_queries: int = 16  # queries one client address may have running or waiting
    # the remote store (store_mode "sparql", query/remote.py): the operator's engine, never a client's
    store_query_url: str | None = None  # SPARQL 1.1 query endpoint
    store_gsp_url: str | None = None  # Graph Store Protocol endpoint (psm-ld publish)
    store_update_url: str | None = None  # SPARQL 1.1 Update endpoint, where graphs are dropped with it
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "psm.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "shapes" / "psm.ttl"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def current_release(self) -> Path:
        """Symlink to the release being served; replaced atomically by a successful build."""
        return self.build_dir / "current"


class SettingsError(ValueError):
    """A setting whose value cannot be used; the text names the variable, the value and the form
    expected, Italian first then English, on one line (the CLI and the server print only it):

    >>> print(SettingsError("PSM_QUERY_TIMEOUT", "10s", "un numero di secondi", "a number of seconds"))
    PSM_QUERY_TIMEOUT=10s: atteso un numero di secondi / expected a number of seconds
    """

    def __init__(self, variable: str, value: str, expected_it: str, expected_en: str) -> None:
        self.variable, self.value = variable, value
        self.expected_it, self.expected_en = expected_it, expected_en
        super().__init__(f"{variable}={shlex.quote(value)}: atteso {expected_it} / expected {expected_en}")


# what each kind of setting expects, in Italian and in English
SECONDS = (
    "un numero di secondi maggiore di zero, es. 10 o 2.5",
    "a number of seconds above zero, e.g. 10 or 2.5",
)
SECONDS_OR_ZERO = ("un numero di secondi, 0 per mai, es. 2", "a number of seconds, 0 for never, e.g. 2")
COUNT = ("un intero maggiore di zero, es. 10000", "an integer above zero, e.g. 10000")
COUNT_OR_ZERO = ("un intero, 0 per nessuno, es. 1", "an integer, 0 for none, e.g. 1")
SWITCH = ("1, true, yes, on oppure 0, false, no, off", "1, true, yes, on or 0, false, no, off")
BASE_URI = (
    "un URI http(s) assoluto, es. https://dati.example.it/",
    "an absolute http(s) URI, e.g. https://dati.example.it/",
)
STORE = (f"uno tra {', '.join(STORE_MODES)}", f"one of {', '.join(STORE_MODES)}")
URL = (
    "l'URL http(s) dell'endpoint SPARQL, es. http://127.0.0.1:7878/query (con PSM_STORE=sparql)",
    "the http(s) URL of the SPARQL endpoint, e.g. http://127.0.0.1:7878/query (with PSM_STORE=sparql)",
)
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (PSM_*), then `overrides`; a SettingsError names what is wrong."""
    base = os.environ.get("PSM_BASE_URI", DEFAULT_BASE_URI)
    parsed = urlsplit(base)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise SettingsError("PSM_BASE_URI", base, *BASE_URI)
    if not base.endswith("/"):
        base += "/"
    root = Path(os.environ.get("PSM_ROOT", PROJECT_ROOT))
    build_dir = Path(os.environ.get("PSM_BUILD_DIR", root / "build"))
    values: dict[str, object] = {"base_uri": base, "root": root, "build_dir": build_dir}
    values.update(_serving_env())
    values.update(overrides)
    if values.get("store_mode", "auto") not in STORE_MODES:
        raise SettingsError("PSM_STORE", str(values["store_mode"]), *STORE)
    if values.get("store_mode") == "sparql" and not values.get("store_query_url"):
        raise SettingsError("PSM_STORE_QUERY_URL", "", *URL)
    return Settings(**values)  # type: ignore[arg-type]


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError(text)
    return value


def _seconds_or_zero(text: str) -> float:
    return 0.0 if float(text) == 0 else _seconds(text)


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _count_or_zero(text: str) -> int:
    return 0 if int(text) == 0 else _count(text)


_SERVING_ENV: dict[str, tuple[str, Callable[[str], object], tuple[str, str]]] = {
    "query_timeout": ("PSM_QUERY_TIMEOUT", _seconds, SECONDS),
    "max_result_rows": ("PSM_MAX_ROWS", _count, COUNT),
    "max_result_bytes": ("PSM_MAX_RESULT_BYTES", _count, COUNT),
    "sparql_workers": ("PSM_SPARQL_WORKERS", _count, COUNT),
    "store_mode": ("PSM_STORE", str, STORE),
    "reload_seconds": ("PSM_RELOAD_SECONDS", _seconds_or_zero, SECONDS_OR_ZERO),
    "keep_releases": ("PSM_KEEP_RELEASES", _count, COUNT),  # at least 1: the current release
    "head_timeout": ("PSM_HEAD_TIMEOUT", _seconds, SECONDS),
    "keep_alive": ("PSM_KEEP_ALIVE", _seconds, SECONDS),
    "query_max_depth": ("PSM_QUERY_MAX_DEPTH", _count, COUNT),
    "query_max_symbols": ("PSM_QUERY_MAX_SYMBOLS", _count, COUNT),
    "short_workers": ("PSM_SHORT_WORKERS", _count_or_zero, COUNT_OR_ZERO),
    "short_query_seconds": ("PSM_SHORT_QUERY_SECONDS", _seconds, SECONDS),
    "queue_wait": ("PSM_QUEUE_WAIT", _seconds, SECONDS),
    "client_queries": ("PSM_CLIENT_QUERIES", _count, COUNT),
}


_STORE_URLS = {
    "store_query_url": "PSM_STORE_QUERY_URL",
    "store_gsp_url": "PSM_STORE_GSP_URL",
    "store_update_url": "PSM_STORE_UPDATE_URL",
}


def _serving_env() -> dict[str, object]:
    values: dict[str, object] = {}
    for key, (name, parse, expected) in _SERVING_ENV.items():
        if name in os.environ:
            try:
                values[key] = parse(os.environ[name].strip())
            except ValueError:
                raise SettingsError(name, os.environ[name], *expected) from None
    for key, name in _STORE_URLS.items():
        value = os.environ.get(name, "").strip()
        if value:
            if urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).netloc:
                raise SettingsError(name, value, *URL)
            values[key] = value
    for key, name in (("store_user", "PSM_STORE_USER"), ("store_password", "PSM_STORE_PASSWORD")):
        if os.environ.get(name):
            values[key] = os.environ[name]
    if "PSM_REWRITE_IRIS" in os.environ:
        switch = os.environ["PSM_REWRITE_IRIS"].strip().lower()
        if switch not in _TRUE | _FALSE:
            raise SettingsError("PSM_REWRITE_IRIS", os.environ["PSM_REWRITE_IRIS"], *SWITCH)
        values["rewrite_iris"] = switch in _TRUE
    return values
