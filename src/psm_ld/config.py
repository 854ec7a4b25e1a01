"""Settings, read once from the environment (PSM_*) with defaults for a checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URI = "http://localhost:8000/"


@dataclass(frozen=True)
class Settings:
    base_uri: str = DEFAULT_BASE_URI
    root: Path = PROJECT_ROOT
    build_dir: Path = field(default=PROJECT_ROOT / "build")

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
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
