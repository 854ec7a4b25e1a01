"""Settings, read once from the environment (PSM_*) with defaults for a checkout.

Every setting read from its own variable is one row of `Settings`: the field, its type and
`env(variable, form, default)`; `load_settings` reads them all in that order with one function, and
a value its form refuses is a SettingsError that names the variable, the value and the form.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URI = "http://localhost:8000/"
STORE_MODES = ("auto", "memory", "disk", "sparql")


@dataclass(frozen=True)
class Form:
    """What a setting's text may be: `parse` gives the value or raises ValueError; `expected` says
    the form, in Italian and in English. A `blank` setting left empty is as if unset, and is read
    (and named in an error) stripped; any other is read stripped and named as written. `strip`:
    False for texts taken as written (a password)."""

    parse: Callable[[str], object]
    expected: tuple[str, str]
    blank: bool = False
    strip: bool = True


def _number(kind: type[int] | type[float], zero: bool) -> Callable[[str], object]:
    """Numbers of `kind` above zero and finite; also 0 itself when `zero` (0: never, none)."""

    def parse(text: str) -> object:
        value = kind(text)
        if zero and value == 0:
            return kind(0)
        if not value > 0 or value == float("inf"):
            raise ValueError(text)
        return value

    return parse


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _switch(text: str) -> bool:
    if text.lower() not in _TRUE | _FALSE:
        raise ValueError(text)
    return text.lower() in _TRUE


def _url(text: str) -> str:
    if urlsplit(text).scheme not in {"http", "https"} or not urlsplit(text).netloc:
        raise ValueError(text)
    return text


# the forms of settings, with what each expects in Italian and in English
SECONDS = Form(
    _number(float, zero=False),
    ("un numero di secondi maggiore di zero, es. 10 o 2.5", "a number of seconds above zero, e.g. 10 or 2.5"),
)
SECONDS_OR_ZERO = Form(
    _number(float, zero=True),
    ("un numero di secondi, 0 per mai, es. 2", "a number of seconds, 0 for never, e.g. 2"),
)
COUNT = Form(
    _number(int, zero=False), ("un intero maggiore di zero, es. 10000", "an integer above zero, e.g. 10000")
)
COUNT_OR_ZERO = Form(
    _number(int, zero=True), ("un intero, 0 per nessuno, es. 1", "an integer, 0 for none, e.g. 1")
)
SWITCH = Form(_switch, ("1, true, yes, on oppure 0, false, no, off", "1, true, yes, on or 0, false, no, off"))
# not checked on reading: load_settings checks it after the overrides (an override may name a mode too)
STORE = Form(str, (f"uno tra {', '.join(STORE_MODES)}", f"one of {', '.join(STORE_MODES)}"))
URL = Form(
    _url,
    (
        "l'URL http(s) dell'endpoint SPARQL, es. http://127.0.0.1:7878/query (con PSM_STORE=sparql)",
        "the http(s) URL of the SPARQL endpoint, e.g. http://127.0.0.1:7878/query (with PSM_STORE=sparql)",
    ),
    blank=True,
)
TEXT = Form(str, ("un testo", "a text"), blank=True, strip=False)


SAFE_NAME = re.compile(r"[A-Za-z0-9_.\-]+")  # whole (fullmatch): a site name, a release id; part of IRIs


def _site(text: str) -> str:
    if not SAFE_NAME.fullmatch(text):
        raise ValueError(text)
    return text


SITE = Form(
    _site,
    (
        "un nome di lettere, cifre, '_', '.', '-', es. psm-staging",
        "a name of letters, digits, '_', '.', '-', e.g. psm-staging",
    ),
    blank=True,
)
BASE_URI = (
    "un URI http(s) assoluto, es. https://dati.example.it/",
    "an absolute http(s) URI, e.g. https://dati.example.it/",
)


def env(variable: str, form: Form, default: object, *, shown: bool = True) -> Any:
    """A field of Settings read from `variable` in `form`; `default` while the variable is unset;
    `shown=False` keeps the value out of the repr (a password)."""
    return field(default=default, repr=shown, metadata={"env": (variable, form)})


@dataclass(frozen=True)
class Settings:
    base_uri: str = DEFAULT_BASE_URI
    root: Path = PROJECT_ROOT
    build_dir: Path = field(default=PROJECT_ROOT / "build")
    # serving (issue 3): limits of /sparql and named queries, worker processes, IRI rewriting; each
    # setting read from its variable is one row: field, type, variable, form, default (then why)
    query_timeout: float = env("PSM_QUERY_TIMEOUT", SECONDS, 10.0)  # longer: killed with its worker
    max_result_rows: int = env("PSM_MAX_ROWS", COUNT, 10_000)  # solutions, or triples (CONSTRUCT/DESCRIBE)
    max_result_bytes: int = env("PSM_MAX_RESULT_BYTES", COUNT, 16 * 1024 * 1024)
    sparql_workers: int = env("PSM_SPARQL_WORKERS", COUNT, 2)  # processes: a runaway query blocks one
    store_mode: str = env("PSM_STORE", STORE, "auto")  # STORE_MODES: in memory when small ("auto"), on disk
    reload_seconds: float = env("PSM_RELOAD_SECONDS", SECONDS_OR_ZERO, 2.0)  # looking for a new release
    keep_releases: int = env("PSM_KEEP_RELEASES", COUNT, 5)  # in build/releases (the current one always)
    head_timeout: float = env("PSM_HEAD_TIMEOUT", SECONDS, 10.0)  # to send a request head (web/server.py)
    keep_alive: float = env("PSM_KEEP_ALIVE", SECONDS, 5.0)  # an idle keep-alive connection stays open
    # abuse and load (issue 10): what a query may be, and how workers are shared (pool.WorkerPool)
    query_max_depth: int = env("PSM_QUERY_MAX_DEPTH", COUNT, 500)  # brackets; the engine crashed past ~3,000
    query_max_symbols: int = env("PSM_QUERY_MAX_SYMBOLS", COUNT, 20_000)  # operator, separator characters
    # extra workers kept for short queries of clients with none running, and their time limit (then 503)
    short_workers: int = env("PSM_SHORT_WORKERS", COUNT_OR_ZERO, 1)
    short_query_seconds: float = env("PSM_SHORT_QUERY_SECONDS", SECONDS, 1.0)
    queue_wait: float = env("PSM_QUEUE_WAIT", SECONDS, 0.25)  # waiting for a worker, then 503 (Retry-After)
    client_queries: int = env("PSM_CLIENT_QUERIES", COUNT, 16)  # running or waiting, per client address
    # the remote store (store_mode "sparql", query/remote.py): the operator's engine, never a client's
    store_query_url: str | None = env("PSM_STORE_QUERY_URL", URL, None)  # SPARQL 1.1 query endpoint
    store_gsp_url: str | None = env("PSM_STORE_GSP_URL", URL, None)  # Graph Store Protocol (psm-ld publish)
    store_update_url: str | None = env("PSM_STORE_UPDATE_URL", URL, None)  # SPARQL 1.1 Update: drops graphs
    store_user: str | None = env("PSM_STORE_USER", TEXT, None)
    store_password: str | None = env("PSM_STORE_PASSWORD", TEXT, None, shown=False)
    store_site: str | None = env("PSM_STORE_SITE", SITE, None)  # its own names in an engine shared by sites
    rewrite_iris: bool = env("PSM_REWRITE_IRIS", SWITCH, False)  # IRIs under the serving origin, not base_uri
    # the build: resources whose documents it writes into the release (build/documents.py), 0 for none
    prerender: int = env("PSM_PRERENDER", COUNT_OR_ZERO, 5_000)

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
    values.update(_from_environment())
    values.update(overrides)
    if values.get("store_mode", "auto") not in STORE_MODES:
        raise SettingsError("PSM_STORE", str(values["store_mode"]), *STORE.expected)
    if values.get("store_mode") == "sparql" and not values.get("store_query_url"):
        raise SettingsError("PSM_STORE_QUERY_URL", "", *URL.expected)
    return Settings(**values)  # type: ignore[arg-type]


def _from_environment() -> dict[str, object]:
    """The fields of Settings whose variable is set, each read in its form, in the fields' order (the
    first wrong one is the one reported)."""
    values: dict[str, object] = {}
    for setting in fields(Settings):
        if "env" not in setting.metadata or setting.metadata["env"][0] not in os.environ:
            continue
        variable, form = setting.metadata["env"]
        written = os.environ[variable]
        text = written.strip() if form.strip else written
        if form.blank and not text:
            continue
        try:
            values[setting.name] = form.parse(text)
        except ValueError:
            raise SettingsError(variable, text if form.blank else written, *form.expected) from None
    return values
