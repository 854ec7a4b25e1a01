"""Settings, read once from the environment (PSM_*) with defaults for a checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URI = "http://localhost:8000/"
STORE_MODES = ("auto", "memory", "disk")


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


def load_settings(**overrides: object) -> Settings:
    base = os.environ.get("PSM_BASE_URI", DEFAULT_BASE_URI)
    if not base.endswith("/"):
        base += "/"
    root = Path(os.environ.get("PSM_ROOT", PROJECT_ROOT))
    build_dir = Path(os.environ.get("PSM_BUILD_DIR", root / "build"))
    values: dict[str, object] = {"base_uri": base, "root": root, "build_dir": build_dir}
    values.update(_serving_env())
    values.update(overrides)
    if values.get("store_mode", "auto") not in STORE_MODES:
        raise ValueError(f"PSM_STORE={values['store_mode']}: expected one of {', '.join(STORE_MODES)}")
    return Settings(**values)  # type: ignore[arg-type]


_SERVING_ENV: dict[str, tuple[str, type]] = {
    "query_timeout": ("PSM_QUERY_TIMEOUT", float),
    "max_result_rows": ("PSM_MAX_ROWS", int),
    "max_result_bytes": ("PSM_MAX_RESULT_BYTES", int),
    "sparql_workers": ("PSM_SPARQL_WORKERS", int),
    "store_mode": ("PSM_STORE", str),
    "reload_seconds": ("PSM_RELOAD_SECONDS", float),
}


def _serving_env() -> dict[str, object]:
    values: dict[str, object] = {
        key: kind(os.environ[name]) for key, (name, kind) in _SERVING_ENV.items() if name in os.environ
    }
    if "PSM_REWRITE_IRIS" in os.environ:
        values["rewrite_iris"] = os.environ["PSM_REWRITE_IRIS"].strip().lower() in {"1", "true", "yes", "on"}
    return values
