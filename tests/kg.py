"""Helpers shared by the knowledge-graph tests: build the real data, or a mutated copy of it."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from psm_ld.build.built import Built
from psm_ld.build.graph import build
from psm_ld.build.write import canonical_nquads
from psm_ld.config import PROJECT_ROOT, Settings
from psm_ld.queries import load_queries
from psm_ld.query.store import rows, run_named, store_from_bytes

BASE = "http://psm.example/"
SHARED = PROJECT_ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_cf9baba59c181284.txt"


def settings(root: Path = PROJECT_ROOT, build_dir: Path | None = None) -> Settings:
    return Settings(base_uri=BASE, root=root, build_dir=build_dir or root / "build")


@lru_cache(maxsize=1)
def real_nquads() -> bytes:
    return canonical_nquads(build(settings()).dataset)


def fresh_build() -> Built:
    return build(settings())


def query(name: str, **params: str) -> list[dict[str, str]]:
    store = store_from_bytes(real_nquads())
    named = load_queries(PROJECT_ROOT / "queries")[name]
    return rows(run_named(store, named, BASE, params))


def sparql(text: str) -> list[dict[str, str]]:
    store = store_from_bytes(real_nquads())
    prefixes = (
        "PREFIX psm: <ontologia#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX dct: <http://purl.org/dc/terms/> "
    )
    result = store.query(prefixes + text, base_iri=BASE, use_default_graph_as_union=True)
    return rows(result)


def project_copy(tmp: Path) -> Path:
    """A copy of the inputs (data, ontology, shapes, queries) that a test may break."""
    for folder in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, tmp / folder)
    return tmp
