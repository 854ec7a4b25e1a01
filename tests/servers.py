"""Servers for the tests: releases built into temporary folders, the app in-process and real uvicorn.

Two ways to serve a release, with one interface (`url`, `base`, `rewrite`, `build_dir`, `get`, `post`,
`client()`, `release_dataset()`), so that a test reads the same against either:

- `InProcess`: `create_app(settings)` started by starlette's TestClient (its lifespan: the release loads
  in the app's background thread, SPARQL runs in the app's worker processes, as in a server), asked by
  an `AppClient` (one hop to the app's event loop a request). Requests carry the Host of `url`, so the
  app builds the same links as a server on that origin. Most route tests use it: no process to start,
  no socket.
- `Server`: `uvicorn --factory psm_ld.web.app:create_app` in its own process on a loopback port, for what
  needs a process or a socket: killing runaway queries, reloading real builds, nginx in front,
  Chromium, Comunica, SPARQLWrapper and rdflib's SPARQLStore.
- `Bridge`: an `InProcess` app on a loopback socket, for clients that need a URL in the store modes
  (tests/modes.py), where a uvicorn process per mode would cost its start-up.
"""

from __future__ import annotations

import fcntl
import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset
from starlette.testclient import TestClient

from bench.common import free_port  # noqa: F401 - one port picker for the tests' servers and the bench's
from psm_ld.config import Settings
from psm_ld.query import conneg
from psm_ld.query.engine import tls_context
from psm_ld.query.serialize import triples_to_bytes
from psm_ld.release import CATALOG_STEM, DOCUMENTS_DIR, seal
from psm_ld.vocab import DCAT, RDF
from psm_ld.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
W3C_SPARQL11 = SHARED / "conformance" / "w3c-sparql11"
W3C_PROTOCOL = W3C_SPARQL11 / "protocol"
BIN = Path(sys.executable).parent
OTHER_BASE = "http://psm.example/"
QUERY_TIMEOUT = 2.0  # seconds, for the servers that test the time limit
MAX_ROWS = 1000
# as Settings fields; a request waits for a worker (up to 30 s) rather than a 503 at once: the
# time-limit test kills a worker, whose replacement takes seconds on a busy machine (the refusals
# themselves are test_abuse's, on servers of its own)
LIMITS = {"query_timeout": QUERY_TIMEOUT, "max_result_rows": MAX_ROWS, "queue_wait": 30.0}
LIMITS_ENV = {"PSM_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "PSM_MAX_ROWS": str(MAX_ROWS)}  # for a process


@functools.cache
def _release_dataset(build_dir: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(build_dir / "current" / "psm.nq", format="nquads")
    return dataset


def client(url: str, **kwargs: object) -> httpx.Client:
    """An HTTP client of `url` for a test, on the process's one TLS context (engine.tls_context):
    httpx would otherwise read every authority's certificate for each client, 15-70 ms of CPU, and
    `Serving.get` makes one per request."""
    options: dict[str, object] = {"timeout": 60, "verify": tls_context(), **kwargs}
    return httpx.Client(base_url=url, **options)  # type: ignore[arg-type]


class Serving:
    """What both kinds of server share: the release they serve, and requests by path."""

    url: str  # serving origin, with trailing slash
    base: str  # canonical base of the release
    rewrite: bool
    build_dir: Path

    def client(self, **kwargs: object) -> AbstractContextManager[httpx.Client]:
        raise NotImplementedError

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        with self.client() as c:
            return c.get(path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        with self.client() as c:
            return c.post(path, **kwargs)  # type: ignore[arg-type]

    def release_dataset(self) -> Dataset:
        """The release's quads as rdflib reads them (parsed once per build folder)."""
        return _release_dataset(self.build_dir)


@dataclass(eq=False)
class Server(Serving):
    """A real uvicorn process (see `start`)."""

    url: str
    base: str
    rewrite: bool
    build_dir: Path
    process: subprocess.Popen[bytes]

    def client(self, **kwargs: object) -> httpx.Client:
        return client(self.url, **kwargs)


Header = tuple[bytes, bytes]


class AppTransport(httpx.BaseTransport):
    """Requests to an ASGI app running on a started TestClient's event loop (its portal), each in one
    hop to that loop and back, where TestClient's own transport makes eight (2 of its 2.5 ms a request
    here; the suite makes some 13,000). Otherwise as TestClient: the same scope (client address,
    extensions), a HEAD's body dropped, an exception of the app raised in the test; the response's
    body is read whole before it is returned."""

    def __init__(self, lifespan: TestClient) -> None:
        self.app, self.portal, self.state = lifespan.app, lifespan.portal, lifespan.app_state
        assert self.portal is not None, "the TestClient must be started (`with client:`)"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        headers = [(key.lower().encode(), value.encode()) for key, value in request.headers.multi_items()]
        scope = {
            "type": "http", "http_version": "1.1", "method": request.method, "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0], "root_path": "", "scheme": url.scheme,
            "query_string": url.query, "headers": headers, "client": ("testclient", 50000),
            "server": [url.raw_host.decode("ascii"), url.port or {"http": 80, "https": 443}[url.scheme]],
            "extensions": {"http.response.debug": {}, "http.response.trailers": {}},
            "state": self.state.copy(),
        }  # fmt: skip
        status, answer, body = self.portal.call(self._exchange, scope, request.read())  # type: ignore[union-attr]
        if request.method == "HEAD":
            body = b""
        # a stream, not content=: httpx would add a Content-Length the app did not send
        return httpx.Response(status, headers=answer, stream=httpx.ByteStream(body), request=request)

    async def _exchange(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[Header], bytes]:
        """The app's answer to one request, on the app's event loop: status, headers, whole body."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        complete = anyio.Event()
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            await complete.wait()  # the client is gone once the whole response is there
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False) and not start.get("trailers", False):
                    complete.set()
            elif message["type"] == "http.response.trailers" and not message.get("more_trailers", False):
                complete.set()

        try:
            await self.app(scope, receive, send)
        finally:
            complete.set()
        assert start, "the app answered without http.response.start"
        # as bytes: httpx decodes them as it does those off a socket
        return start["status"], list(start.get("headers", ())), b"".join(chunks)


class AppClient(httpx.Client):
    """An httpx client of the app a started TestClient (`lifespan`) runs, on an `AppTransport`; `app`
    and `portal` are the TestClient's. Sends what TestClient sends (its User-Agent)."""

    def __init__(self, lifespan: TestClient, base_url: str, follow_redirects: bool = False) -> None:
        super().__init__(
            transport=AppTransport(lifespan), base_url=base_url, follow_redirects=follow_redirects,
            headers={"user-agent": "testclient"},
        )  # fmt: skip
        self.app, self.portal = lifespan.app, lifespan.portal


@dataclass(eq=False)
class InProcess(Serving):
    """The app in this process, started by a TestClient kept open for the lifespan and asked through an
    `AppClient` (see `serve`). `client()` lends that client (no redirects followed, server errors
    raised in the test); leaving the `with` block does not close it."""

    url: str
    base: str
    rewrite: bool
    build_dir: Path
    test_client: AppClient = field(repr=False)

    def client(self, **kwargs: object) -> AbstractContextManager[httpx.Client]:
        assert not kwargs, "the in-process client is shared: pass options per request"
        return nullcontext(self.test_client)


# hop-by-hop or recomputed: not passed between the socket and the in-process client (which decodes
# content codings itself, so none is asked for); Host is left out so that the app answers as its origin
_NOT_PASSED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "accept-encoding",
               "content-encoding"}  # fmt: skip


@dataclass(eq=False)
class Bridge(Serving):
    """`app` on a loopback socket (`url`): a stdlib HTTP server in a thread of this process passes
    each request to the app's TestClient, one at a time, and its answer back (status, headers and
    body; the body whole, with its Content-Length). The app answers as its own origin (`base`'s links,
    not the bridge's). For SPARQLWrapper and rdflib's SPARQLStore in the store modes: what they test
    is the client against psm-ld's answers; uvicorn's own handling is tested on a real `Server`."""

    url: str
    base: str
    rewrite: bool
    build_dir: Path
    app: InProcess = field(repr=False)
    httpd: HTTPServer = field(repr=False)

    def client(self, **kwargs: object) -> httpx.Client:
        return client(self.url, **kwargs)

    @classmethod
    def open(cls, app: InProcess) -> Bridge:
        test_client = app.test_client

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _NOT_PASSED]
                answer = test_client.request(self.command, self.path, headers=headers, content=body)
                self.send_response(answer.status_code)
                for name, value in answer.headers.multi_items():
                    if name.lower() not in _NOT_PASSED:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.content)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_any  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet: pytest shows the test's own output

        httpd = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        return cls(url, app.base, app.rewrite, app.build_dir, app, httpd)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def build(build_dir: Path, base: str, root: Path = ROOT, prerender: bool = False) -> None:
    """What `psm-ld build` does with `root`'s inputs, `build_dir` and `base` as the canonical base
    (build, validate, write the release only if it conforms), in this process: a fixture's release
    need not pay a fresh interpreter. The command itself runs in its own process in test_build
    (a failed build keeps the served release), test_reload and test_builds_under_load.
    `prerender`: with the documents pre-rendered into the release, as `psm-ld build` writes them
    (PSM_PRERENDER); without, they are rendered on demand (the other path of pages/documents.py)."""
    from psm_ld.build.graph import build as build_graph
    from psm_ld.build.validate import validate
    from psm_ld.build.write import write_release

    settings = Settings(base_uri=base, root=root, build_dir=build_dir)
    built = build_graph(settings)
    report = validate(built)
    assert report.conforms, [f.message_en for f in report.violations]
    write_release(built, report, settings.build_dir, settings.data_dir, settings.keep_releases,
                  pages=settings if prerender else None)  # fmt: skip


def built_once(workers_folder: Path, name: str, make: Callable[[Path], str]) -> tuple[Path, str]:
    """(build folder, base) of a session release that every pytest-xdist worker of the run shares:
    the first to ask builds it (`make(build folder)` builds and returns the base) while the others
    wait on a lock, then read it. `workers_folder`: the run's folder, above each worker's own. The
    `engines` family shares the same-origin and other-origin releases with their families, which
    two workers otherwise built twice each (releases are only read; a disk store made beside one is
    written to a scratch folder and renamed, store.disk_store)."""
    folder = workers_folder / name
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes, also if `make` fails
        done = folder / "base"
        if not done.exists():
            done.write_text(make(folder / "build"))
        return folder / "build", done.read_text()


def workers_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder: above each pytest-xdist worker's own, or this process's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def other_origin_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build folder of the run's release with base OTHER_BASE (`other_build`, test_abuse)."""

    def make(build_dir: Path) -> str:
        build(build_dir, OTHER_BASE)
        return OTHER_BASE

    return built_once(workers_folder(tmp_path_factory), "other-origin", make)[0]


def serve(build_dir: Path, base: str, url: str, **settings: object) -> Iterator[InProcess]:
    """The app over `build_dir`, in this process, answering as the origin `url`; `settings` are fields
    of psm_ld.config.Settings (e.g. query_timeout, rewrite_iris, store_mode). A generator for a fixture:
    yields once the release is loaded (/health 200), stops the app (and its query workers) after."""
    config = Settings(base_uri=base, build_dir=build_dir, **settings)  # type: ignore[arg-type]
    with TestClient(create_app(config)) as lifespan:
        client = AppClient(lifespan, base_url=url.rstrip("/"))
        deadline = time.monotonic() + 90
        while (health := client.get("/health")).status_code != 200:
            assert health.json()["status"] == "loading", health.text
            assert time.monotonic() < deadline, "the release did not load in 90 s"
            time.sleep(0.05)
        yield InProcess(url, base, bool(settings.get("rewrite_iris")), build_dir, client)


def start(build_dir: Path, base: str, port: int, log: Path, **env: str) -> Server:
    """A real server (uvicorn, the app factory, 2 query workers) on 127.0.0.1:`port`; `env` adds PSM_*
    variables. Returns once /health answers 200."""
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
    try:
        wait_until_up(process, url + "health", log, 90)
    except BaseException:
        process.kill()
        raise
    return Server(url, base, env.get("PSM_REWRITE_IRIS") == "1", build_dir, process)


def wait_until_up(
    process: subprocess.Popen[Any], url: str, log: Path, seconds: float = 60, *,
    healthy: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200,
    http: httpx.Client | None = None,
) -> None:  # fmt: skip
    """Returns once GET `url` gives an answer that is `healthy` (200 by default) from the server
    `process` just started; fails with its log if the process exits or `seconds` pass first. Polls
    every 0.05 s with one client (`http`, or one on the process's TLS context): a client per poll
    (httpx.get) read every authority's certificate again each time, 35 ms of CPU."""
    deadline = time.monotonic() + seconds
    with nullcontext(http) if http is not None else client(url, timeout=2) as polling:
        while True:
            assert process.poll() is None, f"the server exited: {log.read_text()}"
            try:
                if healthy(polling.get(url)):
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not up after {seconds} s: {log.read_text()}"
            time.sleep(0.05)


def running(build_dir: Path, base: str, port: int, log: Path, **env: str) -> Iterator[Server]:
    """`start` for a fixture: yields the server once healthy, stops it after (also on errors)."""
    server = start(build_dir, base, port, log, **env)
    try:
        yield server
    finally:
        stop(server)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()


# --- releases of the W3C test data (written directly: test data, not the plan) --------------------


def seal_test_release(release: Path, base: str) -> None:
    """Make a release folder written by hand servable: a one-triple catalog (a server requires the
    catalog's documents) and the manifest it checks (psm_ld.release.verify)."""
    catalog = [
        ox.Triple(
            ox.NamedNode(base + CATALOG_STEM), ox.NamedNode(RDF + "type"), ox.NamedNode(DCAT + "Catalog")
        )
    ]
    (release / DOCUMENTS_DIR).mkdir(exist_ok=True)
    for media in conneg.RDF_TYPES:
        path = release / DOCUMENTS_DIR / f"{CATALOG_STEM}{conneg.SUFFIX_OF[media]}"
        path.write_bytes(triples_to_bytes(catalog, media, base))
    seal(release)


def w3c_protocol_release(build_dir: Path) -> None:
    """The W3C protocol test data: each dataN.nt in graph <…/dataN.rdf> (its label in the manifest)."""
    release = build_dir / "releases" / "w3c"
    release.mkdir(parents=True)
    lines = []
    for n in (1, 2, 3):
        graph = f"<http://kasei.us/2009/09/sparql/data/data{n}.rdf>"
        for line in (W3C_PROTOCOL / f"data{n}.nt").read_text().splitlines():
            if line.strip():
                lines.append(line.rstrip().removesuffix(".").rstrip() + f" {graph} .\n")
    (release / "psm.nq").write_text("".join(sorted(lines)))
    seal_test_release(release, "http://www.example/")
    (build_dir / "current").symlink_to(Path("releases") / "w3c")


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


def w3c_query_release(build_dir: Path) -> None:
    """The W3C query-evaluation test data: each data file in its own named graph, named by the file's
    official IRI. Blank nodes get a per-file prefix, so that files never share one."""
    release = build_dir / "releases" / "w3c-query"
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
    seal_test_release(release, "http://www.example/")
    (build_dir / "current").symlink_to(Path("releases") / "w3c-query")
