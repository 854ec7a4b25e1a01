"""Publishing under a real domain and behind a path prefix (README, "Pubblicare"): a release built with
PSM_BASE_URI=https://example.org/psm/ names that base in its catalog, sitemap and documents, served
where the base says (origin https://example.org, ASGI root_path /psm, as `psm-ld serve --root-path /psm`
behind a proxy that strips the prefix) and, canonical IRIs unchanged, on any other origin. And
`make run` takes HOST, PORT and PSM_BASE_URI."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from rdflib import RDF, Graph, URIRef
from servers import BIN, ROOT, InProcess, build, free_port, serve, wait_until_up
from starlette.testclient import TestClient

from psm_ld.config import Settings
from psm_ld.web.app import create_app

BASE = "https://example.org/psm/"
PREFIX = "/psm"
DCAT = "http://www.w3.org/ns/dcat#"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ACTION = "psm/2021-2023/azione/2.1.1"
# any IRI of the default base or of a loopback origin would mean the base was not followed somewhere
WRONG_BASE = re.compile(rb"https?://(localhost|127\.0\.0\.1)[:/]")


@pytest.fixture(scope="session")
def domain_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("example-org") / "build"
    build(build_dir, BASE)
    return build_dir


@pytest.fixture(scope="session")
def published(domain_build: Path) -> Iterator[TestClient]:
    """The app as the proxy sees it: requests for https://example.org/psm/…, root_path /psm."""
    settings = Settings(base_uri=BASE, build_dir=domain_build, reload_seconds=0)
    client = TestClient(create_app(settings), base_url="https://example.org", root_path=PREFIX,
                        follow_redirects=False)  # fmt: skip
    with client:
        deadline = time.monotonic() + 90
        while client.get(f"{PREFIX}/health").status_code != 200:
            assert time.monotonic() < deadline, "the release did not load in 90 s"
            time.sleep(0.05)
        yield client


@pytest.fixture(scope="session")
def elsewhere(domain_build: Path) -> Iterator[InProcess]:
    """The same release on a loopback origin, without prefix or IRI rewriting."""
    yield from serve(domain_build, BASE, f"http://127.0.0.1:{free_port()}/", reload_seconds=0)


def test_the_release_names_only_the_configured_base(domain_build: Path) -> None:
    release = (domain_build / "current").resolve()
    files = [release / "psm.nq", *(release / "download").iterdir(), *(release / "documents").rglob("*.*")]
    for path in files:
        assert not WRONG_BASE.search(path.read_bytes()), path
    assert f"<{BASE}{ACTION}>".encode() in (release / "psm.nq").read_bytes()


def catalog_urls(turtle: str) -> tuple[list[str], list[str]]:
    graph = Graph().parse(data=turtle, format="turtle")
    things = [str(s) for kind in ("Catalog", "Dataset", "DatasetSeries", "Distribution")
              for s in graph.subjects(RDF.type, URIRef(DCAT + kind))]  # fmt: skip
    urls = [str(o) for p in ("downloadURL", "accessURL", "landingPage")
            for o in graph.objects(None, URIRef(DCAT + p))]  # fmt: skip
    return things, urls


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf"])
def test_catalog_names_the_base_wherever_served(
    published: TestClient, elsewhere: InProcess, suffix: str
) -> None:
    served = published.get(f"{PREFIX}/catalogo{suffix}").content
    for body in (served, elsewhere.get(f"/catalogo{suffix}").content):
        assert not WRONG_BASE.search(body)
    things, urls = catalog_urls(published.get(f"{PREFIX}/catalogo.ttl").text)
    assert BASE + "catalogo" in things and len(things) > 10
    assert all(t.startswith(BASE) for t in things), things
    downloads = [u for u in urls if "/download/" in u]
    assert len(downloads) >= 50 and all(u.startswith(BASE + "download/") for u in downloads)
    # and they answer where they say, through the prefix
    for url in downloads[:5]:
        assert published.head(url.removeprefix("https://example.org")).status_code == 200, url


def test_sitemap_robots_and_void_name_the_base(published: TestClient) -> None:
    sitemap = ElementTree.fromstring(published.get(f"{PREFIX}/sitemap.xml").content)
    locs = [loc.text or "" for loc in sitemap.iter(SITEMAP + "loc")]
    assert locs[0] == BASE and len(locs) > 100
    assert all(loc.startswith(BASE) for loc in locs)
    for loc in locs[:: max(1, len(locs) // 20)]:  # a sample answers 200 through the prefix
        assert published.get(loc.removeprefix("https://example.org")).status_code == 200, loc
    assert f"Sitemap: {BASE}sitemap.xml" in published.get(f"{PREFIX}/robots.txt").text
    assert published.get(f"{PREFIX}/.well-known/void").headers["location"].startswith(BASE + "catalogo.")


def test_documents_and_redirects_name_the_base(published: TestClient) -> None:
    redirect = published.get(f"{PREFIX}/{ACTION}", headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303 and redirect.headers["location"] == f"{BASE}{ACTION}.ttl"
    for suffix in (".ttl", ".nt", ".jsonld", ".rdf", ".html"):
        document = published.get(f"{PREFIX}/{ACTION}{suffix}")
        assert document.status_code == 200 and not WRONG_BASE.search(document.content), suffix
        assert f'<{BASE}{ACTION}>; rel="describes"' in document.headers["link"]
    graph = Graph().parse(data=published.get(f"{PREFIX}/{ACTION}.ttl").text, format="turtle")
    assert (URIRef(BASE + ACTION), None, None) in graph
    page = published.get(f"{PREFIX}/{ACTION}.html").text
    links = re.findall(r'(?:href|src)="([^"#][^"]*)"', page)
    assert all(not link.startswith("/") for link in links), links  # no link escapes the prefix
    assert f'href="{BASE}static/psm.css"' in page
    docs = published.get(f"{PREFIX}/docs").text  # relative asset links: they resolve under the prefix
    assert 'src="static/swagger-ui/swagger-ui-bundle.js"' in docs
    assert published.get(f"{PREFIX}/openapi.json").json()["servers"] == [{"url": PREFIX}]


def test_sparql_endpoint_names_the_base(published: TestClient) -> None:
    description = published.get(f"{PREFIX}/sparql", headers={"Accept": "text/turtle"}).text
    assert f"<{BASE}sparql>" in description
    answer = published.get(f"{PREFIX}/sparql", params={"query": f"ASK {{ <{BASE}{ACTION}> ?p ?o }}"})
    assert answer.json()["boolean"] is True


@pytest.mark.parametrize(
    ("arguments", "env", "serve_line", "base"),
    [
        ([], {}, "--host 127.0.0.1 --port 8000", "http://localhost:8000/"),
        (["PORT=8080"], {}, "--host 127.0.0.1 --port 8080", "http://localhost:8080/"),
        (["HOST=0.0.0.0", "PORT=80", f"ROOT_PATH={PREFIX}"], {"PSM_BASE_URI": BASE},
         f"--host 0.0.0.0 --port 80 --root-path {PREFIX}", BASE),
    ],
)  # fmt: skip
def test_make_run_settings(arguments: list[str], env: dict[str, str], serve_line: str, base: str) -> None:
    """`make -n run …`: the commands make would run (nothing is built or served)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PSM_", "MAKE"))}
    done = subprocess.run(["make", "-n", "run", *arguments], cwd=ROOT, capture_output=True, text=True,
                          env={**environment, **env})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"psm-ld serve {serve_line}" in done.stdout, done.stdout
    assert f"base {base}" in done.stdout, done.stdout


def test_psm_ld_serve_behind_a_proxy_that_strips_the_prefix(domain_build: Path, tmp_path: Path) -> None:
    """`psm-ld serve --root-path /psm` as a proxy reaches it (prefix stripped, Host and
    X-Forwarded-Proto passed on): the links it writes are the published ones."""
    port = free_port()
    env = {**os.environ, "PSM_BUILD_DIR": str(domain_build), "PSM_BASE_URI": BASE, "PSM_RELOAD_SECONDS": "0"}
    command = [BIN / "psm-ld", "serve", "--port", str(port), "--root-path", PREFIX, "--no-access-log"]
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        proxied = {"Host": "example.org", "X-Forwarded-Proto": "https"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=proxied, timeout=30) as client:
            wait_until_up(process, f"http://127.0.0.1:{port}/health", tmp_path / "serve.log", 90, http=client)
            sitemap = ElementTree.fromstring(client.get("/sitemap.xml").content)
            assert all((loc.text or "").startswith(BASE) for loc in sitemap.iter(SITEMAP + "loc"))
            redirect = client.get(f"/{ACTION}", headers={"Accept": "text/turtle"})
            assert redirect.headers["location"] == f"{BASE}{ACTION}.ttl"
    finally:
        process.terminate()
        process.wait(15)
