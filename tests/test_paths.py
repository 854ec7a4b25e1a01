"""Odd requests never make a 500 (issue 10, point 5): every byte value in a path, very long paths,
odd Host headers, in-process and over a real socket; request heads are bounded in size, count and
time; caches keyed by request input stay bounded.

In-process requests are made as raw ASGI calls, so the exact bytes of the path reach the app as
uvicorn would pass them (httpx would normalise them first).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from servers import BIN, ROOT, InProcess, free_port, wait_until_up

from psm_ld.web import opendata
from psm_ld.web.server import HEAD_MAX_BYTES, HEAD_MAX_HEADERS

PREFIXES = ("", "psm/2021-2023/azione/", "download/", "queries/", "static/", "sparql/", "catalogo/")
# printable bytes a client may send raw in a request target ('?' and '#' end the path)
RAW = [b for b in range(0x21, 0x7F) if chr(b) not in "?#"]


async def _call(app: object, raw_path: bytes, host: bytes, method: str = "GET") -> int:
    """One request straight into the ASGI app, as uvicorn builds it; an exception counts as 500."""
    path = raw_path.decode("ascii")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": unquote(path) if "%" in path else path, "raw_path": raw_path,
        "query_string": b"", "root_path": "", "headers": [(b"host", host), (b"accept", b"*/*")],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 12345),
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    try:
        await app(scope, receive, send)  # type: ignore[operator]
    except Exception:
        return 500
    return status


def statuses(served: InProcess, paths: list[bytes], host: bytes = b"testserver") -> dict[bytes, int]:
    client = served.test_client
    app = client.app
    return {p: client.portal.call(_call, app, p, host) for p in paths}  # type: ignore[union-attr]


def test_every_byte_value_in_a_path_is_400_or_404(same_origin: InProcess) -> None:
    host = same_origin.url.split("//", 1)[1].rstrip("/").encode()
    paths = [f"/{prefix}a%{b:02X}b".encode() for prefix in PREFIXES for b in range(256)]
    paths += [f"/{prefix}a".encode() + bytes([b]) + b"b" for prefix in PREFIXES for b in RAW]
    got = statuses(same_origin, paths, host)
    wrong = {p: s for p, s in got.items() if s not in (400, 404)}
    assert wrong == {}, f"{len(wrong)} of {len(paths)} paths: {dict(list(wrong.items())[:10])}"


def test_very_long_paths_and_odd_hosts(same_origin: InProcess) -> None:
    long_paths = [b"/" + b"a" * n for n in (1_000, 10_000, 100_000, 1_000_000)]
    long_paths += [b"/psm/" + b"%C3%A8" * 20_000, b"/" + b"/" * 10_000, b"/" + b"%2F" * 10_000]
    assert set(statuses(same_origin, long_paths).values()) <= {400, 404}
    hosts = [b"", b"a b", b"[", b"]:1", b"x:99999", b"\xff\xfe", b"%00", b"a" * 10_000, b"h:1:2", b"@"]
    for host in hosts:
        for path in (b"/", b"/sitemap.xml", b"/psm/2021-2023/azione/2.1.1", b"/nope", b"/robots.txt"):
            status = same_origin.test_client.portal.call(_call, same_origin.test_client.app, path, host)  # type: ignore[union-attr]
            assert status < 500, (host, path, status)


def test_caches_keyed_by_host_stay_bounded(same_origin: InProcess) -> None:
    """The sitemap was cached per Host header with no bound (5,000 hosts: 105 -> 196 MB)."""
    for n in range(300):
        response = same_origin.get("/sitemap.xml", headers={"host": f"h{n}.example"})
        assert response.status_code == 200 and f"http://h{n}.example/".encode() in response.content
    assert opendata._SITEMAPS.bytes <= opendata._SITEMAPS.max_bytes
    assert len(opendata._SITEMAPS._items) < 300  # older hosts went, least recently used first


# --- over a real socket: psm-ld serve, with its limits on request heads ---------------------------


@pytest.fixture(scope="session")
def served(same_origin_build: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`psm-ld serve` (the command, which sets the limits) with 1 s time-outs; yields its port."""
    build_dir, base = same_origin_build
    port = free_port()
    env = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": base, "PSM_HEAD_TIMEOUT": "1",
           "PSM_KEEP_ALIVE": "1", "PSM_SPARQL_WORKERS": "1", "PSM_RELOAD_SECONDS": "0"}  # fmt: skip
    log = tmp_path_factory.mktemp("limits") / "server.log"
    command = [BIN / "psm-ld", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/health", log)
        yield port
        assert "Traceback" not in log.read_text()
    finally:
        process.terminate()
        process.wait(15)


def exchange(port: int, *chunks: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Send `chunks` on a new connection; the status line of the answer (b"" if closed without
    one) and the seconds until the server closed the connection."""
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
        answer = b""
        while data := sock.recv(65536):
            answer += data
    return answer.split(b"\r\n", 1)[0], time.monotonic() - began


def request(path: bytes, headers: bytes = b"") -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"Connection: close\r\n\r\n"


def test_every_raw_byte_over_a_socket_is_400_or_404(served: int) -> None:
    for b in range(256):
        if b in b"?# ":
            continue  # they end the path (or the request target) rather than sit in it
        status, _ = exchange(served, request(b"/a" + bytes([b]) + b"b"))
        assert status.split(b" ")[1] in (b"400", b"404"), (b, status)
    for b in (0x00, 0x20, 0x25, 0x7F, 0x80, 0xFF):
        status, _ = exchange(served, request(f"/a%{b:02X}b".encode()))
        assert status.split(b" ")[1] == b"404", (b, status)


def test_request_heads_are_bounded(served: int) -> None:
    assert exchange(served, request(b"/" + b"a" * 60_000))[0].endswith(b"404 Not Found")
    too_long = b"431 Request Header Fields Too Large"
    assert exchange(served, request(b"/" + b"a" * 1_000_000))[0].endswith(too_long)
    assert exchange(served, request(b"/", b"X: " + b"y" * (HEAD_MAX_BYTES + 1) + b"\r\n"))[0].endswith(
        too_long
    )
    many = b"".join(b"X-%d: y\r\n" % n for n in range(HEAD_MAX_HEADERS + 1))
    assert exchange(served, request(b"/", many))[0].endswith(too_long)
    assert httpx.get(f"http://127.0.0.1:{served}/health").status_code == 200


def test_idle_and_slow_connections_are_closed(served: int) -> None:
    """Three connections the server must close after its 1 s time-outs, at the same time (each waits
    for its own time-out; one after the other they took 3 s)."""

    def kept_alive_then_idle() -> tuple[bytes, float]:
        with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
            sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            began, answer = time.monotonic(), b""
            while data := sock.recv(65536):
                answer += data
            return answer, time.monotonic() - began

    with ThreadPoolExecutor(3) as pool:
        idle = pool.submit(exchange, served)  # connects, sends nothing
        unfinished = pool.submit(exchange, served, b"GET / HTTP/1.1\r\nHost: x\r\n")  # a head never finished
        kept = pool.submit(kept_alive_then_idle)  # keep-alive, then idle
    status, took = idle.result()
    assert status.endswith(b"408 Request Timeout") and took < 3, ("idle", status, took)
    status, took = unfinished.result()
    assert status.endswith(b"408 Request Timeout") and took < 3, ("unfinished head", status, took)
    answer, took = kept.result()
    assert answer.startswith(b"HTTP/1.1 200") and took < 3, ("keep-alive", answer[:100], took)


def sparql_post(body: bytes, keep_alive: bool = False) -> bytes:
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    head += b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n" % len(body)
    return head + (b"" if keep_alive else b"Connection: close\r\n") + b"\r\n"


def statuses_on_one_connection(port: int, chunks: list[bytes], answers: int) -> list[bytes]:
    """Send `chunks` (a pause between them, so that they arrive as separate reads) and read
    `answers` responses (each with a Content-Length); their status lines."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(0.02)
        found, buffer = [], b""
        while len(found) < answers:
            while b"\r\n\r\n" not in buffer and (data := sock.recv(65536)):
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            if not head:
                break  # closed
            found.append(head.split(b"\r\n", 1)[0])
            fields = [line.split(b":", 1) for line in head.split(b"\r\n")[1:]]
            length = next((int(value) for name, value in fields if name.lower() == b"content-length"), 0)
            while len(buffer) < length and (data := sock.recv(65536)):
                buffer += data
            buffer = buffer[length:]
    return found


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_request_bodies_never_count_as_head_bytes(served: int) -> None:
    """A POST body of 220 KB, under the 1 MiB limit of /sparql and far over the head's 64 KiB, sent
    as clients send it: with its head in one write, after it, in pieces, and on a keep-alive
    connection followed by another request. Its bytes were counted as those of the next head when
    a read ended the request: 61 of 188 such POSTs got 431 (here, one write: every time)."""
    query = b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n#" + b"x" * 220_000 + b"\n"
    body = query + b"# %d\n"
    for n in range(4):
        one = body % n
        ways = {
            "one write": [sparql_post(one) + one],
            "head, then body": [sparql_post(one), one],
            "in pieces": [sparql_post(one) + one[:10_000], *pieces(one[10_000:], 70_000)],
        }
        for way, chunks in ways.items():
            assert statuses_on_one_connection(served, chunks, 1) == [b"HTTP/1.1 200 OK"], (way, n)
        # keep-alive: the second request's head follows the end of the first's body in the same read
        first, second = body % (100 + n), body % (200 + n)
        chunks = [sparql_post(first, keep_alive=True) + first[:1000], first[1000:] + sparql_post(second)]
        chunks[-1] += second
        assert statuses_on_one_connection(served, chunks, 2) == [b"HTTP/1.1 200 OK"] * 2, n
    # heads are still bounded when they follow a body in the same read
    huge_head = b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"y" * (HEAD_MAX_BYTES + 1) + b"\r\n\r\n"
    chunks = [sparql_post(query, keep_alive=True) + query + huge_head]
    assert statuses_on_one_connection(served, chunks, 2) == [
        b"HTTP/1.1 200 OK", b"HTTP/1.1 431 Request Header Fields Too Large"
    ]  # fmt: skip
