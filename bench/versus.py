"""psm-ld's /sparql against the SPARQL servers a user would pick instead, on the same data and query
texts: Oxigraph server, Virtuoso and rdflib-endpoint (bench/README.md, "Against the native servers").

Every server gets the same query texts, each in the request its protocol support wants: psm-ld the
text as it is (relative IRIs resolve against its base), the others with `BASE <…>` prepended;
Oxigraph server and rdflib-endpoint as `application/sparql-query`, Virtuoso 7 as a form (it does not
read a direct POST body). Before any load, every query runs once on every server and the answers are
compared with psm-ld's: the same status, and for SELECT the same rows (values compared as text, blank
nodes as one value, numbers as numbers), for a graph the same number of triples. A query a server
does not answer alike is left out of that server's mix, and psm-ld is measured on the same subset.

Each load run sends distinct texts (a trailing comment per request) so that no cache answers; rounds
interleave the servers (psm-ld, anchor 1, anchor 2, … then again), and the figures are medians.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

import httpx

from bench import load
from bench.common import Server, log, loopback_client, median

SPARQL_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass
class Endpoint:
    """A running server and how its protocol wants a query sent."""

    server: Server
    style: str  # "psm" (text as is), "query" (BASE + application/sparql-query), "form" (BASE + form)
    base: str

    @property
    def name(self) -> str:
        return self.server.name

    def text(self, query: str) -> str:
        return query if self.style == "psm" else f"BASE <{self.base}>\n{query}"

    def request(self, query: str, accept: str) -> load.Request:
        if self.style == "form":
            return load.Request("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded",
                                "Accept": accept}, "query=" + quote_plus(self.text(query)), form=True)  # fmt: skip
        return load.Request("POST", "/sparql", {"Content-Type": "application/sparql-query", "Accept": accept},
                            self.text(query))  # fmt: skip

    def ask(self, client: httpx.Client, query: str, accept: str) -> httpx.Response:
        req = self.request(query, accept)
        return client.post(self.server.url + req.path, headers=req.headers, content=req.body.encode())


def accept_of(query: str) -> str:
    head = " ".join(line for line in query.splitlines() if not line.lstrip().startswith(("#", "PREFIX", "BASE")))
    return TURTLE if head.lstrip().upper().startswith(("DESCRIBE", "CONSTRUCT")) else SPARQL_JSON


def answer(response: httpx.Response) -> dict:
    """What is compared between servers: status, and the rows (SELECT), the boolean (ASK) or the
    number of triples (graphs)."""
    out: dict = {"status": response.status_code, "bytes": len(response.content)}
    if response.status_code != 200:
        out["error"] = response.text[:300]
        return out
    media = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        if "json" in media:
            data = response.json()
            if "boolean" in data:
                out["rows"], out["results"] = [[str(data["boolean"]).lower()]], 1
            else:
                names = data["head"]["vars"]
                rows = [[_value(b.get(n)) for n in names] for b in data["results"]["bindings"]]
                out["rows"], out["results"] = sorted(rows), len(rows)
        else:
            from rdflib import Graph

            out["results"] = len(Graph().parse(data=response.content, format="turtle"))
    except Exception as exc:  # noqa: BLE001 - reported as a difference
        out["error"] = f"unreadable answer: {exc}"
    return out


NUMERIC = {
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte",
}  # fmt: skip


def _value(term: dict | None) -> str:
    if term is None:
        return ""
    if term.get("type") == "bnode":
        return "_"
    value = term.get("value", "")
    if term.get("datatype", "").rsplit("#", 1)[-1] in NUMERIC:
        try:
            return repr(float(value))
        except ValueError:
            pass
    return value


def alike(ours: dict, theirs: dict) -> bool:
    if ours["status"] != 200 or theirs["status"] != 200 or "error" in theirs:
        return False
    return ours.get("rows", ours.get("results")) == theirs.get("rows", theirs.get("results"))


def check(endpoints: list[Endpoint], queries: dict[str, str]) -> dict[str, dict[str, dict]]:
    """Each query once on each server: {server: {query: answer}}."""
    answers: dict[str, dict[str, dict]] = {}
    for endpoint in endpoints:
        answers[endpoint.name] = {}
        with loopback_client(timeout=120) as client:
            for name, text in queries.items():
                began = time.perf_counter()
                try:
                    got = answer(endpoint.ask(client, text, accept_of(text)))
                except httpx.HTTPError as exc:
                    got = {"status": 0, "error": f"{type(exc).__name__}: {exc}"}
                got["ms"] = round((time.perf_counter() - began) * 1000, 1)
                answers[endpoint.name][name] = got
    return answers


@dataclass
class Comparison:
    """One workload (named query texts) on psm-ld and its anchors, interleaved rounds."""

    title: str
    queries: dict[str, str]
    answers: dict[str, dict[str, dict]] = field(default_factory=dict)
    runs: dict[str, list[dict]] = field(default_factory=dict)  # "server" or "psm-ld@anchor" -> rounds
    subsets: dict[str, list[str]] = field(default_factory=dict)  # anchor -> queries answered alike

    def summary(self, ours: str) -> dict:
        out: dict = {"title": self.title, "queries": list(self.queries), "subsets": self.subsets, "servers": {}}
        for name, rounds in self.runs.items():
            # throughput of answers (a 503 is quick, and no answer): errors are counted apart
            ok = [r.get("ok_rps", r["rps"]) for r in rounds]
            out["servers"][name] = {key: median([r[key] for r in rounds]) for key in ("p50_ms", "p99_ms")}
            out["servers"][name].update(rps=median(ok), rounds_rps=ok, errors=sum(r["errors"] for r in rounds))
        out["ratios"] = {}
        for anchor in self.subsets:
            mine = out["servers"].get(f"{ours}@{anchor}") or out["servers"].get(ours)
            theirs = out["servers"].get(anchor)
            if mine and theirs and theirs["rps"]:
                out["ratios"][anchor] = round(mine["rps"] / theirs["rps"], 3)
        out["excluded"] = {
            anchor: {q: self.answers[anchor][q].get("error", "different answer")[:200]
                     for q in self.queries if q not in subset}
            for anchor, subset in self.subsets.items()
        }  # fmt: skip
        return out


def compare_load(title: str, ours: Endpoint, anchors: list[Endpoint], queries: dict[str, str], connections: int,
                 duration: int, repeats: int, work: Path, warm: bool = True, limit: int | None = None) -> dict:  # fmt: skip
    """Throughput under wrk at `connections`, distinct texts, rounds interleaved; each anchor on the
    queries it answers like psm-ld, psm-ld on each distinct subset."""
    cmp = Comparison(title, queries)
    cmp.answers = check([ours, *anchors], queries)
    for anchor in anchors:
        cmp.subsets[anchor.name] = [q for q in queries if alike(cmp.answers[ours.name][q], cmp.answers[anchor.name][q])]
        left = sorted(set(queries) - set(cmp.subsets[anchor.name]))
        if left:
            log(f"  {title}: {anchor.name} left out {left} (not answered as psm-ld does)")
    full = list(queries)
    plan: list[tuple[str, Endpoint, list[str]]] = [(ours.name, ours, full)]
    for subset in {tuple(s) for s in cmp.subsets.values() if s and list(s) != full}:
        for anchor_name, s in cmp.subsets.items():
            if tuple(s) == subset:
                plan.append((f"{ours.name}@{anchor_name}", ours, list(subset)))
    plan += [(a.name, a, cmp.subsets[a.name]) for a in anchors if cmp.subsets[a.name]]

    def requests(endpoint: Endpoint, names: list[str]) -> list[load.Request]:
        return [endpoint.request(queries[n], accept_of(queries[n])) for n in names]

    for _, endpoint, names in plan if warm else ():  # warm-up, not recorded
        load.run(endpoint.server.port, requests(endpoint, names), connections, 1, work / "warm.lua", unique=True)
    for round_ in range(repeats):
        for label, endpoint, names in plan:
            figures = load.run(endpoint.server.port, requests(endpoint, names), connections, duration,
                               work / "versus.lua", unique=True, limit=limit)  # fmt: skip
            cmp.runs.setdefault(label, []).append(figures)
            log(f"  {title} round {round_ + 1} {label:28s} {figures.get('ok_rps', figures['rps']):9.1f} req/s  p50 {figures['p50_ms']:7.2f} ms"
                f"  p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}  ({len(names)} queries)")  # fmt: skip
    summary = cmp.summary(ours.name)
    summary["answers"] = cmp.answers
    return summary


def compare_latency(title: str, endpoints: list[Endpoint], make_query: Callable[[int], str], n: int,
                    repeats: int) -> dict:  # fmt: skip
    """Sequential requests (one connection): p50 per server, rounds interleaved, each text distinct."""
    times: dict[str, list[float]] = {e.name: [] for e in endpoints}
    answers: dict[str, dict] = {}
    counter = 0
    with loopback_client(timeout=300) as client:
        for endpoint in endpoints:  # once each, answers compared, warm-up
            answers[endpoint.name] = answer(endpoint.ask(client, make_query(0), SPARQL_JSON))
        for _ in range(repeats):
            for endpoint in endpoints:
                for _ in range(n):
                    counter += 1
                    text = f"{make_query(counter)}\n# {time.time_ns()}-{counter}"
                    began = time.perf_counter()
                    response = endpoint.ask(client, text, SPARQL_JSON)
                    times[endpoint.name].append((time.perf_counter() - began) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{endpoint.name}: {response.status_code} {response.text[:300]}")
    ours = endpoints[0].name
    out: dict = {"title": title, "answers": answers, "servers": {}, "ratios": {}}
    for name, values in times.items():
        out["servers"][name] = {"p50_ms": round(statistics.median(values), 2), "n": len(values),
                                "alike": alike(answers[ours], answers[name])}  # fmt: skip
    for name in times:
        if name != ours:  # latency: a ratio above 1 means psm-ld is faster
            out["ratios"][name] = round(out["servers"][name]["p50_ms"] / out["servers"][ours]["p50_ms"], 3)
    log(f"  {title}: " + ", ".join(f"{k} p50 {v['p50_ms']} ms{'' if v['alike'] else ' (answer differs)'}"
                                   for k, v in out["servers"].items()))  # fmt: skip
    return out


def dump(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)[:2000]
