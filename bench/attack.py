"""Abuse and overload of a real `psm-ld serve` on loopback: what issue 10 measured, repeatable.

    .venv/bin/python bench/attack.py                      # every part, a release built in a temp folder
    .venv/bin/python bench/attack.py --parts ssrf,starve  # some parts (ssrf, crash, starve, overload)
    PYTHONPATH=/other/checkout/src .venv/bin/python bench/attack.py   # measure another version

Parts (each bounded in time, loopback only; every process it starts is stopped by id at the end):
- ssrf: a listener socket on 127.0.0.1 answers any connection with an HTTP 500 carrying a marker
  body; every spelling of SERVICE in `service_corpus` goes through /sparql. Figures: connections the
  listener received, answers that carry the marker, statuses.
- crash: the queries that crashed a worker (deep nesting, many triple patterns) once each, then two
  clients sending them in a loop while a third sends a cheap query. Figures: worker processes that
  died, statuses, the cheap query's p50.
- starve: two clients (127.0.0.2, 127.0.0.3) each with two heavy queries always running, a third
  (127.0.0.4) sending a cheap query in a loop. Figures: the cheap query's p50/p99 and statuses; the
  time the refused requests took to get their 503, and whether it said Retry-After.
- overload: `--connections` (500) for `--duration` (20 s) from wrk: pages (4/5 of the connections)
  and SPARQL (1/5, distinct texts), client time-out 15 s. Figures per side: statuses, time-outs,
  p50/p99, Retry-After on every 503.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import overload  # noqa: E402
from bench.common import BIN, LOOPBACK, ROOT, Server, free_port, log  # noqa: E402

BASE = "http://localhost:8000/"
SPARQL_QUERY = "application/sparql-query"
CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }"
# a cross product of the whole store: runs until the time limit stops it
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MARKER = "LEAKED-BODY-OF-ANOTHER-SERVER"


# --- SERVICE spellings ---------------------------------------------------------------------------------


def service_corpus(url: str) -> dict[str, str]:
    """Queries that ask the engine to call `url` (an http://127.0.0.1:P/ listener), by name. Each is
    valid for some SPARQL parser or other; none may make the server open a connection."""
    host = url.removeprefix("http://").rstrip("/")
    body = "{ ?s ?p ?o }"
    u_service = "\\u0053ERVICE"
    corpus = {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "lowercase": f"select * where {{ service <{url}> {body} }}",
        "mixed-case": f"SELECT * WHERE {{ SeRvIcE <{url}> {body} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {body} }}",
        "comment-cr": f"SELECT * WHERE {{ # c\rSERVICE <{url}> {body} }}",
        "comment-lf": f"SELECT * WHERE {{ # c\nSERVICE <{url}> {body} }}",
        "comment-crlf": f"SELECT * WHERE {{ # c\r\nSERVICE <{url}> {body} }}",
        "glued-prefixed-name": f"PREFIX ex: <{url}> SELECT * WHERE {{ SERVICEex:g {body} }}",
        "glued-iri": f"SELECT * WHERE {{ SERVICE<{url}>{body} }}",
        "glued-silent": f"SELECT * WHERE {{ SERVICE SILENT<{url}>{body} }}",
        "prefixed-name": f"PREFIX ex: <{url}> SELECT * WHERE {{ SERVICE ex:g {body} }}",
        "empty-prefix": f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE : {body} }}",
        "relative-iri": f"BASE <{url}> SELECT * WHERE {{ SERVICE <g> {body} }}",
        "escaped-iri": f"SELECT * WHERE {{ SERVICE <http\\u003A//{host}/> {body} }}",
        "escaped-keyword": f"SELECT * WHERE {{ {u_service} <{url}> {body} }}",
        "escaped-prefix-iri": f"PREFIX ex: <\\u0068ttp://{host}/> SELECT * WHERE {{ SERVICE ex:g {body} }}",
        "long-escape": f"SELECT * WHERE {{ SERVICE <\\U00000068ttp://{host}/> {body} }}",
        "tab-and-newlines": f"SELECT * WHERE {{\tSERVICE\r\n<{url}>\n{body} }}",
        "variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?svc) SERVICE ?svc {body} }}",
        "variable-values": f"SELECT * WHERE {{ VALUES ?svc {{ <{url}> }} SERVICE ?svc {body} }}",
        "variable-dollar": f"SELECT * WHERE {{ VALUES $svc {{ <{url}> }} SERVICE $svc {body} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {body} }} }} }}",
        "exists": f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ SERVICE <{url}> {body} }} }}",
        "not-exists": f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER NOT EXISTS {{ SERVICE <{url}> {body} }} }}",
        "minus": f"SELECT * WHERE {{ BIND(1 AS ?x) MINUS {{ SERVICE <{url}> {body} }} }}",
        "optional": f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {body} }} }}",
        "union": f"SELECT * WHERE {{ {{ BIND(1 AS ?x) }} UNION {{ SERVICE <{url}> {body} }} }}",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {body} }} }}",
        "nested-service": f"SELECT * WHERE {{ SERVICE <{url}> {{ SERVICE <{url}> {body} }} }}",
        "ask": f"ASK {{ SERVICE <{url}> {body} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {body} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {body} }}",
        "project-exists": f"SELECT (EXISTS {{ SERVICE <{url}> {body} }} AS ?e) WHERE {{}}",
        "bind-exists": f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE <{url}> {body} }} AS ?e) }}",
        "having-exists": f"SELECT (COUNT(*) AS ?n) WHERE {{}} HAVING (EXISTS {{ SERVICE <{url}> {body} }})",
        "order-by-exists": f"SELECT * WHERE {{ BIND(1 AS ?x) }} ORDER BY (EXISTS {{ SERVICE <{url}> {body} }})",
        "after-long-comment": "# " + "x" * 5000 + f"\nSELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "bom": f"\ufeffSELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "string-then-service": f'SELECT * WHERE {{ BIND("#" AS ?x) SERVICE <{url}> {body} }}',
        "triple-quoted-string": f'SELECT * WHERE {{ BIND("""a\'b"c""" AS ?x) SERVICE <{url}> {body} }}',
    }
    return corpus


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers each with an HTTP 500 whose
    body is MARKER (what a server leaking another server's answer would pass on)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.sock.getsockname()[1]}/"

    def _serve(self) -> None:
        answer = f"HTTP/1.1 500 Oops\r\nContent-Length: {len(MARKER)}\r\nConnection: close\r\n\r\n{MARKER}"
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            try:
                conn.settimeout(1)
                conn.recv(65536)
                conn.sendall(answer.encode())
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def part_ssrf(url: str) -> dict[str, object]:
    listener = Listener()
    statuses: dict[str, int] = {}
    leaked = []
    try:
        with httpx.Client(timeout=30) as client:
            for name, query in service_corpus(listener.url).items():
                r = client.post(url + "sparql", content=query.encode(), headers={"content-type": SPARQL_QUERY})
                statuses[name] = r.status_code
                if MARKER in r.text:
                    leaked.append(name)
        time.sleep(0.5)
    finally:
        listener.close()
    return {"queries": len(statuses), "connections": listener.connections, "leaked_bodies": leaked,
            "statuses": dict(Counter(statuses.values())), "by_query": statuses}  # fmt: skip


# --- crashes -------------------------------------------------------------------------------------------

CRASHERS = {
    "10000-nested-groups": "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
    "10000-nested-parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "?o" + ")" * 10_000 + ") }",
    "20000-triple-patterns": "SELECT * WHERE { " + "?s ?p ?o . " * 20_000 + "}",
}


def _workers(server: Server) -> set[int]:
    return set(server.pids()) - {server.process.pid} if server.process else set()


def _post(client: httpx.Client, url: str, query: str) -> tuple[int, float, httpx.Response | None]:
    started = time.perf_counter()
    try:
        r = client.post(url + "sparql", content=query.encode(), headers={"content-type": SPARQL_QUERY})
        return r.status_code, time.perf_counter() - started, r
    except httpx.TimeoutException:
        return -1, time.perf_counter() - started, None
    except httpx.HTTPError:
        return -2, time.perf_counter() - started, None


def _client(address: str, timeout: float = 30) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def _summary(latencies: list[float]) -> dict[str, float | None]:
    if not latencies:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    ordered = sorted(latencies)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1)}  # fmt: skip


def _cheap_loop(url: str, address: str, stop: threading.Event, out: dict[str, object]) -> None:
    latencies, statuses = [], Counter()
    n = 0
    with _client(address) as client:
        while not stop.is_set():
            n += 1
            status, seconds, _ = _post(client, url, f"{CHEAP}\n# cheap {time.time_ns()} {n}")
            statuses[status] += 1
            if status == 200:
                latencies.append(seconds)
    out.update({"cheap": _summary(latencies), "cheap_statuses": dict(statuses)})


def part_crash(server: Server, duration: float) -> dict[str, object]:
    url = server.url + "/"
    single: dict[str, object] = {}
    died = 0
    with _client("127.0.0.1", timeout=60) as client:
        for name, query in CRASHERS.items():
            before = _workers(server)
            status, seconds, r = _post(client, url, query)
            time.sleep(1.0)
            gone = len(before - _workers(server))
            died += gone
            single[name] = {"status": status, "seconds": round(seconds, 2), "workers_died": gone,
                            "message": r.text[:200] if r is not None else None}  # fmt: skip
    stop, cheap_out = threading.Event(), {}
    seen: set[int] = set()
    attack_statuses: Counter[int] = Counter()

    def attacker(address: str) -> None:
        with _client(address, timeout=60) as client:
            n = 0
            while not stop.is_set():
                query = list(CRASHERS.values())[n % len(CRASHERS)] + f"\n# {address} {n}"
                n += 1
                attack_statuses[_post(client, url, query)[0]] += 1

    def watch() -> None:
        while not stop.is_set():
            seen.update(_workers(server))
            time.sleep(0.05)

    initial = _workers(server)
    threads = [threading.Thread(target=attacker, args=(a,)) for a in ("127.0.0.2", "127.0.0.3")]
    threads += [threading.Thread(target=watch), threading.Thread(target=_cheap_loop, args=(url, "127.0.0.4", stop, cheap_out))]
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(90)
    final = _workers(server)
    return {"single": single, "single_workers_died": died, "loop_seconds": duration,
            "loop_workers_died": len(seen | initial | final) - len(final), "attack_statuses": dict(attack_statuses), **cheap_out}  # fmt: skip


# --- starvation ----------------------------------------------------------------------------------------


def part_starve(server: Server, duration: float) -> dict[str, object]:
    url = server.url + "/"
    stop, cheap_out = threading.Event(), {}
    heavy_statuses: Counter[int | str] = Counter()
    refusals: list[tuple[float, bool]] = []  # (seconds to the 503, Retry-After present)

    def heavy(address: str, lane: int) -> None:
        with _client(address, timeout=60) as client:
            n = 0
            while not stop.is_set():
                n += 1
                status, seconds, r = _post(client, url, f"{HEAVY}\n# heavy {address} {lane} {n} {time.time_ns()}")
                heavy_statuses[status] += 1
                if status == 503 and r is not None and "time limit" in r.text:
                    heavy_statuses["503 time limit"] += 1  # ran, and was stopped: not a refusal
                elif status == 503 and r is not None:
                    refusals.append((seconds, "retry-after" in r.headers))
                    time.sleep(min(5.0, float(r.headers.get("retry-after", "1") or 1)))

    threads = [threading.Thread(target=heavy, args=(a, lane)) for a in ("127.0.0.2", "127.0.0.3") for lane in (1, 2)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the heavy queries are running
    cheap = threading.Thread(target=_cheap_loop, args=(url, "127.0.0.4", stop, cheap_out))
    cheap.start()
    time.sleep(duration)
    stop.set()
    for t in [*threads, cheap]:
        t.join(90)
    return {"seconds": duration, **cheap_out, "heavy_statuses": dict(heavy_statuses),
            "refused_503": len(refusals),
            "refusal_seconds": _summary([s for s, _ in refusals]),
            "refusals_with_retry_after": sum(1 for _, ra in refusals if ra)}  # fmt: skip


# --- overload ------------------------------------------------------------------------------------------

def part_overload(server: Server, connections: int, duration: int, work: Path) -> dict[str, object]:
    html = {"accept": "text/html"}
    pages = [
        ("GET", "/", html, None),
        ("GET", "/psm/2021-2023/azione/2.1.1.html", html, None),
        ("GET", "/psm/2021-2023/azione/2.1.1.ttl", {}, None),
        ("GET", "/psm/2021-2023/asse/2", html, None),
        ("GET", "/sparql", html, None),
        ("GET", "/queries", {"accept": "application/json"}, None),
    ]
    sparql = [("POST", "/sparql", {"content-type": SPARQL_QUERY, "accept": "application/sparql-results+json"}, CHEAP)]
    sparql_connections = max(1, connections // 5)
    page_run = overload.wrk(server.port, overload.script(pages, work / "pages.lua"), connections - sparql_connections,
                            duration)
    query_run = overload.wrk(server.port, overload.script(sparql, work / "sparql.lua"), sparql_connections, duration)
    return {"connections": connections, "seconds": duration,
            "pages": overload.result(page_run, duration), "sparql": overload.result(query_run, duration)}  # fmt: skip


# --- driver ----------------------------------------------------------------------------------------------


def psm_server(build_dir: Path, work: Path, env: dict[str, str]) -> Server:
    port = free_port()
    return Server(
        name="psm-ld",
        command=[str(BIN / "psm-ld"), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        port=port,
        ready_path="/health",
        env={"PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE, "PSM_ROOT": str(ROOT), **env},
        log_path=work / "psm-ld.log",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="ssrf,crash,starve,overload")
    parser.add_argument("--duration", type=int, default=20, help="seconds of the overload run")
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--loop-seconds", type=float, default=20, help="seconds of the crash and starve loops")
    parser.add_argument("--build-dir", type=Path, help="serve this build folder (default: build one)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict[str, object] = {"code": os.environ.get("PYTHONPATH", "(installed)"), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="psm-attack-") as temp:
        work = Path(temp)
        build_dir = args.build_dir
        if build_dir is None:
            build_dir = work / "build"
            env = {**os.environ, "PSM_BUILD_DIR": str(build_dir), "PSM_BASE_URI": BASE, "PSM_ROOT": str(ROOT)}
            subprocess.run([str(BIN / "psm-ld"), "build"], env=env, check=True, capture_output=True)
        for part in ("ssrf", "crash", "starve", "overload"):
            if part not in parts:
                continue
            server = psm_server(build_dir, work, {})  # a fresh server per part: no part inherits another's state
            try:
                server.start()
                time.sleep(1.0)  # the query workers are up
                log(f"attack: {part}")
                if part == "ssrf":
                    results[part] = part_ssrf(server.url + "/")
                elif part == "crash":
                    results[part] = part_crash(server, args.loop_seconds)
                elif part == "starve":
                    results[part] = part_starve(server, args.loop_seconds)
                else:
                    results[part] = part_overload(server, args.connections, args.duration, work)
                results[part]["server_rss_mb"] = round(server.rss() / 1e6)  # type: ignore[index]
            finally:
                server.stop()
            log(json.dumps(results[part], default=str)[:1500])
    results["load_after"] = os.getloadavg()
    text = json.dumps(results, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
