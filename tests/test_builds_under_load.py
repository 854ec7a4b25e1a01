"""Builds while clients read (issue 10, point 9): a real server, three clients in a loop (pages,
documents with their ETags, SPARQL, health) while two builds publish a changed release and then the
original one again. Bounded: three clients, until the builds are served. No error of any kind, no
answer mixing two releases (an ETag always comes with the same bytes), and the original data
published again is the original release: same id, same ETags."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pytest
from kg import project_copy
from servers import build as build_release
from servers import free_port, start, stop
from test_reload import ACTION, TITLE, build, edit, release_of, wait_for_new_release

pytestmark = pytest.mark.slow  # real builds with the CLI beside a real server under load

REQUESTS = [
    ("GET", ACTION + ".ttl", {}),
    ("GET", ACTION + ".html", {}),
    ("GET", ACTION, {"Accept": "text/turtle"}),
    ("GET", "sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", {"Accept": "application/sparql-results+json"}),
    ("GET", "health", {}),
    ("GET", "sitemap.xml", {}),
]


def test_builds_during_a_bounded_load(tmp_path: Path) -> None:
    root = project_copy(tmp_path / "project")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    # the first release, before the server: in-process, as the CLI builds it below: without
    # pre-rendered documents (PSM_PRERENDER=0), half of a build's time and not what is tested here
    # (test_prerendered, test_reload and test_releases build with them)
    build_release(tmp_path / "build", base, root)
    server = start(tmp_path / "build", base, port, tmp_path / "server.log", PSM_RELOAD_SECONDS="0.2")
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    bodies: dict[str, set[bytes]] = defaultdict(set)  # ETag → the bodies seen with it
    stop_clients = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not stop_clients.is_set():
                for method, path, headers in REQUESTS:
                    try:
                        response = http.request(method, path, headers=headers)
                    except httpx.HTTPError as exc:
                        errors.append(f"{path}: {type(exc).__name__}")
                        continue
                    statuses[str(response.status_code)] += 1
                    if response.status_code not in (200, 303):
                        errors.append(f"{path}: {response.status_code} {response.text[:200]}")
                    if "etag" in response.headers and response.status_code == 200:
                        bodies[response.headers["etag"]].add(response.content)
                stop_clients.wait(0.1)  # a bounded load: the builds need the same two cores

    try:
        first = release_of(server)
        before = server.get(ACTION + ".ttl").headers["etag"]
        clients = [threading.Thread(target=client) for _ in range(3)]
        for thread in clients:
            thread.start()
        edit(root, TITLE, TITLE + " (rev.)")
        assert build(root, server.build_dir, base, PSM_PRERENDER="0").returncode == 0
        second = wait_for_new_release(server, first)
        edit(root, TITLE + " (rev.)", TITLE)  # the original data again
        assert build(root, server.build_dir, base, PSM_PRERENDER="0").returncode == 0
        third = wait_for_new_release(server, second)
        time.sleep(0.5)  # the clients read the restored release for a moment
        stop_clients.set()
        for thread in clients:
            thread.join(30)
        assert third == first  # identical inputs: the identical release
        assert server.get(ACTION + ".ttl").headers["etag"] == before
        assert errors == [], errors[:20]
        assert sum(statuses.values()) > 50, statuses
        mixed = {tag: len(seen) for tag, seen in bodies.items() if len(seen) > 1}
        assert mixed == {}, "an ETag served with different bytes"
        assert len(bodies) >= 4  # both releases' documents were seen
        print(f"builds under load: {sum(statuses.values())} answers {dict(statuses)}, 0 errors")
    finally:
        stop_clients.set()
        stop(server)
