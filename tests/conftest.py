"""Shared fixtures: real uvicorn servers on loopback ports, each over a release built into a temporary
build directory with the CLI (the same base the server is told about).

Servers (session-scoped, started on first use):
- `same_origin`: built with base = its own origin (http://127.0.0.1:<port>/), as in production.
- `other_origin`: built with base http://psm.example/, served on 127.0.0.1 without IRI rewriting
  (RDF keeps canonical IRIs); small row limit and a short time limit for the limit tests.
- `rewriting`: the same release served with PSM_REWRITE_IRIS=1 (RDF IRIs under the serving origin).
- `w3c`: a release holding only the W3C protocol test graphs (data1..3.nt), for the W3C suite.
`live_server` (used by the browser tests) is the same-origin server's URL.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
W3C_PROTOCOL = SHARED / "conformance" / "w3c-sparql11" / "protocol"
BIN = Path(sys.executable).parent
OTHER_BASE = "http://psm.example/"
QUERY_TIMEOUT = 2.0  # seconds, for the servers that test the time limit
MAX_ROWS = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str  # serving origin, with trailing slash
    base: str  # canonical base of the release
    rewrite: bool
    build_dir: Path
    process: subprocess.Popen[bytes]

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        with self.client() as c:
            return c.get(path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        with self.client() as c:
            return c.post(path, **kwargs)  # type: ignore[arg-type]

    def release_dataset(self) -> Dataset:
        return _release_dataset(self.build_dir)


@functools.cache
def _release_dataset(build_dir: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(build_dir / "current" / "psm.nq", format="nquads")
    return dataset


def build(build_dir: Path, base: str) -> None:
    env = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": base}
    done = subprocess.run([BIN / "psm-ld", "build"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def start(build_dir: Path, base: str, port: int, log: Path, **env: str) -> Server:
    environment = {
        **os.environ,
        "PSM_BUILD_DIR": str(build_dir),
        "PSM_BASE_URI": base,
        "PSM_SPARQL_WORKERS": "2",
        **env,
    }
    command = [BIN / "python", "-m", "uvicorn", "--factory", "psm_ld.web.app:create_app",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(
        command, env=environment, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(url + "health", timeout=2).status_code == 200:
                return Server(url, base, env.get("PSM_REWRITE_IRIS") == "1", build_dir, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not become healthy: {log.read_text()}")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def same_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("same-origin")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build(folder / "build", base)
    server = start(folder / "build", base, port, folder / "server.log")
    yield server
    stop(server)


@pytest.fixture(scope="session")
def other_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("other-origin") / "build"
    build(build_dir, OTHER_BASE)
    return build_dir


@pytest.fixture(scope="session")
def other_origin(other_build: Path) -> Iterator[Server]:
    limits = {"PSM_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "PSM_MAX_ROWS": str(MAX_ROWS)}
    server = start(other_build, OTHER_BASE, free_port(), other_build.parent / "server.log", **limits)
    yield server
    stop(server)


@pytest.fixture(scope="session")
def rewriting(other_build: Path) -> Iterator[Server]:
    log = other_build.parent / "server-rewriting.log"
    server = start(other_build, OTHER_BASE, free_port(), log, PSM_REWRITE_IRIS="1")
    yield server
    stop(server)


@pytest.fixture(scope="session")
def w3c(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A release of the W3C protocol test data: each dataN.nt in graph <…/dataN.rdf> (its label in
    the manifest). Written directly, since it is test data, not the plan."""
    folder = tmp_path_factory.mktemp("w3c")
    release = folder / "build" / "releases" / "w3c"
    release.mkdir(parents=True)
    lines = []
    for n in (1, 2, 3):
        graph = f"<http://kasei.us/2009/09/sparql/data/data{n}.rdf>"
        for line in (W3C_PROTOCOL / f"data{n}.nt").read_text().splitlines():
            if line.strip():
                lines.append(line.rstrip().removesuffix(".").rstrip() + f" {graph} .\n")
    (release / "psm.nq").write_text("".join(sorted(lines)))
    (folder / "build" / "current").symlink_to(Path("releases") / "w3c")
    server = start(folder / "build", "http://www.example/", free_port(), folder / "server.log")
    yield server
    stop(server)


@pytest.fixture(scope="session")
def live_server(same_origin: Server) -> str:
    return same_origin.url


# --- W3C SPARQL 1.1 query evaluation tests (tests/test_w3c_query.py) ---------------------------

W3C_SPARQL11 = SHARED / "conformance" / "w3c-sparql11"
QUERY_SUITES = (
    "aggregates", "bind", "construct", "csv-tsv-res", "exists", "functions", "grouping", "json-res",
    "negation", "project-expression", "property-path", "subquery",
)  # fmt: skip
# The base the W3C suites are published under: manifests' relative IRIs resolve against it, and the
# data files are named by it (as graph names, in FROM clauses and in expected results).
W3C_QUERY_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
_QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
_RDF_SYNTAX = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML}


def w3c_local_path(iri: str) -> Path:
    """The local copy of a file of the W3C suites, from its official IRI."""
    assert iri.startswith(W3C_QUERY_BASE), iri
    return W3C_SPARQL11 / iri[len(W3C_QUERY_BASE) :]


def w3c_query_data_iris() -> list[str]:
    """Every file named by a qt:data or qt:graphData in the query suites' manifests."""
    predicates = {_QT + "data", _QT + "graphData"}
    iris = set()
    for suite in QUERY_SUITES:
        manifest = W3C_SPARQL11 / suite / "manifest.ttl"
        base = f"{W3C_QUERY_BASE}{suite}/manifest.ttl"
        for triple in ox.parse(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=base):
            if triple.predicate.value in predicates:
                iris.add(triple.object.value)
    return sorted(iris)


@pytest.fixture(scope="session")
def w3c_query(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A release of the W3C query-evaluation test data: each data file in its own named graph, named
    by the file's official IRI. Blank nodes get a per-file prefix, so that files never share one."""
    folder = tmp_path_factory.mktemp("w3c-query")
    release = folder / "build" / "releases" / "w3c-query"
    release.mkdir(parents=True)
    quads = []
    for index, iri in enumerate(w3c_query_data_iris()):
        path = w3c_local_path(iri)
        graph = ox.NamedNode(iri)

        def relabel(term: object, index: int = index) -> object:
            return ox.BlankNode(f"f{index}x{term.value}") if isinstance(term, ox.BlankNode) else term

        for triple in ox.parse(path=str(path), format=_RDF_SYNTAX[path.suffix], base_iri=iri):
            quads.append(ox.Quad(relabel(triple.subject), triple.predicate, relabel(triple.object), graph))
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True)
    (release / "psm.nq").write_text("".join(sorted(lines)), encoding="utf-8")
    (folder / "build" / "current").symlink_to(Path("releases") / "w3c-query")
    server = start(folder / "build", "http://www.example/", free_port(), folder / "server.log")
    yield server
    stop(server)
