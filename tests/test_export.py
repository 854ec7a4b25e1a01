"""The static export behind a real nginx (Debian's, installed by `make test-tools`): documents from
files, everything else proxied to a real psm-ld server; the bytes and headers a client gets are the
server's own (compared with the app's answers, in-process, on the same origin)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from servers import ROOT, Server, Serving, free_port, wait_until_up

from psm_ld.pages import STATIC_DIR
from psm_ld.web.security import HEADERS as SECURITY_HEADERS

pytestmark = pytest.mark.slow  # nginx in front of a real server

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ACTION = "psm/2021-2023/azione/2.1.1"
SUFFIXES = (".html", ".ttl", ".jsonld", ".rdf", ".nt")


@dataclass
class Exported:
    folder: Path
    url: str  # nginx's origin


@pytest.fixture(scope="session")
def exported(same_origin_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    same_origin = same_origin_server  # nginx proxies to it
    assert os.access(NGINX, os.X_OK), "nginx is missing: `make test` installs it (make test-tools)"
    folder = tmp_path_factory.mktemp("export")
    port = free_port()
    env = {**os.environ, "PSM_BUILD_DIR": str(same_origin.build_dir), "PSM_BASE_URI": same_origin.base}
    upstream = urlsplit(same_origin.url).netloc
    done = subprocess.run(
        [Path(sys.executable).parent / "psm-ld", "export", "--out", str(folder / "out"),
         "--listen", f"127.0.0.1:{port}", "--upstream", upstream],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = folder / "out"
    user = " user root root;" if os.geteuid() == 0 else ""  # workers read the test's private folder
    log = folder / "nginx.log"
    process = subprocess.Popen(
        [NGINX, "-p", str(out), "-c", str(out / "nginx-standalone.conf"), "-e", str(log),
         "-g", "daemon off;" + user],
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(process, url + "health", log, 20, healthy=lambda _: True)  # nginx answers at all
        yield Exported(out, url)
    finally:
        process.terminate()
        process.wait(10)


def test_every_resource_has_its_documents_byte_for_byte(exported: Exported, same_origin: Serving) -> None:
    site = exported.folder / "site"
    pages = [p.removesuffix(".html") for p in _sitemap_paths(same_origin) if p.endswith(".html")]
    assert len(pages) > 200 and ACTION in pages
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.suffix in SUFFIXES}
    written = {w for w in written if not w.startswith(("download/", "static/"))}
    assert {stem + suffix for stem in pages for suffix in SUFFIXES} <= written
    # every page in English too, under _en/ (served for ….html?lang=en)
    assert {f"_en/{stem}.html" for stem in pages} <= written
    with same_origin.client() as client:
        for path in sorted(written):
            english = path.startswith("_en/")
            served = client.get(path.removeprefix("_en/"), params={"lang": "en"} if english else None)
            assert served.status_code == 200, path
            assert (site / path).read_bytes() == served.content, path


def test_documents_come_from_files_with_the_servers_headers(exported: Exported, same_origin: Serving) -> None:
    with httpx.Client(base_url=exported.url, timeout=30) as client:
        for suffix in SUFFIXES:
            ours, theirs = client.get(ACTION + suffix), same_origin.get(ACTION + suffix)
            assert ours.status_code == 200 and ours.content == theirs.content
            assert ours.headers["content-type"] == theirs.headers["content-type"]
            assert "uvicorn" not in ours.headers.get("server", "")  # from the file, not proxied
            assert "Accept" in ours.headers["vary"] and ours.headers["access-control-allow-origin"] == "*"
            assert ours.headers["cache-control"] == theirs.headers["cache-control"]
            for name, value in SECURITY_HEADERS.items():  # the same security headers as the app, once
                assert ours.headers.get_list(name) == theirs.headers.get_list(name) == [value]
            link = ours.headers["link"]
            for other in SUFFIXES:
                assert f'<{exported.url}{ACTION}{other}>; rel="alternate"' in link
            assert f'<{same_origin.base}{ACTION}{suffix}>; rel="canonical"' in link
            assert f'<{same_origin.base}{ACTION}>; rel="describes"' in link
            revalidated = client.get(ACTION + suffix, headers={"If-None-Match": ours.headers["etag"]})
            assert revalidated.status_code == 304
            if len(ours.content) >= 1024:  # compressed when asked (httpx asks, and decompresses)
                assert ours.headers["content-encoding"] == "gzip"
            plain = client.get(ACTION + suffix, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in plain.headers and plain.content == theirs.content


def test_every_answer_has_the_security_headers_once(exported: Exported) -> None:
    """Files nginx serves itself (documents, assets, downloads) and answers psm-ld makes (proxied)."""
    paths = [ACTION + ".html", "static/psm.css", "download/psm.ttl", "", "sparql", "nope", ACTION]
    with httpx.Client(base_url=exported.url, timeout=30) as client:
        for path in paths:
            response = client.get(path)
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get_list(name) == [value], (path, name)


def test_html_documents_in_each_language_from_files(exported: Exported, same_origin: Serving) -> None:
    """`X.html` is Italian, `X.html?lang=en` English, from files, with psm-ld's headers; the English
    folder has no URL of its own; Accept-Language changes nothing (the URL names the language)."""
    with httpx.Client(base_url=exported.url, timeout=30) as client:
        for params, lang in (
            (None, "it"),
            ({"lang": "it"}, "it"),
            ({"lang": "en"}, "en"),
            ({"lang": "xx"}, "it"),
        ):
            ours = client.get(ACTION + ".html", params=params, headers={"Accept-Language": "en"})
            theirs = same_origin.get(ACTION + ".html", params=params, headers={"Accept-Language": "en"})
            assert ours.status_code == 200 and ours.content == theirs.content, params
            assert "uvicorn" not in ours.headers.get("server", "")
            assert f'<html lang="{lang}">' in ours.text
            assert ours.headers["content-language"] == theirs.headers["content-language"] == lang
            assert "accept-language" not in ours.headers["vary"].lower()
            canonical = [p for p in ours.headers["link"].split(", ") if 'rel="canonical"' in p]
            assert canonical == [p for p in theirs.headers["link"].split(", ") if 'rel="canonical"' in p]
        assert client.get(f"_en/{ACTION}.html").status_code == 404
        see_other = client.get(ACTION, params={"lang": "en"}, headers={"Accept": "text/html"})
        assert see_other.headers["location"] == f"{exported.url}{ACTION}.html?lang=en"


def test_negotiation_and_the_rest_are_proxied(exported: Exported) -> None:
    with httpx.Client(base_url=exported.url, timeout=30) as client:
        see_other = client.get(ACTION, headers={"Accept": "application/ld+json"})
        assert see_other.status_code == 303
        assert see_other.headers["location"] == f"{exported.url}{ACTION}.jsonld"  # on nginx's origin
        assert client.get(ACTION, headers={"Accept": "text/html"}).headers["location"].endswith(".html")
        answer = client.get("sparql", params={"query": "ASK { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        dump = client.get("download/psm.ttl")
        assert dump.status_code == 200 and dump.headers["content-type"].startswith("text/turtle")
        assert client.get("psm/2021-2023/azione/9.9.9.ttl").status_code == 404
        assert client.get("").status_code == 200 and "<html" in client.get("").text


def _sitemap_paths(server: Serving) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(server.get("sitemap.xml").content)
    locations = [e.text or "" for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    return [loc.removeprefix(server.url) for loc in locations]


def test_the_sparql_editor_is_exported_and_served_from_a_file(exported: Exported) -> None:
    """The editor's bundle (`make assets`) is a file of the export, served by nginx as a script with
    the security headers; the completion data it asks for is proxied to psm-ld."""
    bundle = "static/vendor/sparql-editor.js"
    built = (STATIC_DIR / "vendor/sparql-editor.js").read_bytes()
    assert (exported.folder / "site" / bundle).read_bytes() == built
    with httpx.Client(base_url=exported.url, timeout=30) as client:
        script = client.get(bundle, headers={"Accept-Encoding": "identity"})
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert "uvicorn" not in script.headers.get("server", "")  # from the file
        assert script.content == built
        for name, value in SECURITY_HEADERS.items():
            assert script.headers.get_list(name) == [value], name
        page = client.get("sparql", headers={"Accept": "text/html"}).text
        assert f'<script src="{exported.url}{bundle}" defer></script>' in page
        completions = client.get("sparql/completions.json")
        assert completions.status_code == 200 and "psm" in completions.json()["prefixes"]
