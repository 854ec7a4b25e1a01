"""The SPARQL mix (README, part 3): psm-ld's /sparql against rdflib-endpoint on the same release. The
named queries (queries/*.rq with their defaults) and a DESCRIBE, each checked once on both servers (a
query they do not answer alike is left out), then rotated under wrk: distinct texts (no cache
answers) and the fixed rotation (each server's own cache)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from bench import load
from bench.common import (
    ACTION,
    BASE,
    ROOT,
    SPARQL_JSON,
    Config,
    Server,
    engine_ms,
    log,
    loopback_client,
    median,
    round_summary,
)


def mix_queries() -> dict[str, str]:
    from psm_ld.queries import load_queries

    queries = {name: q.render() for name, q in load_queries(ROOT / "queries").items()}
    queries["describe-azione"] = f"DESCRIBE <{BASE}{ACTION}>"
    return queries


def mix_requests(queries: dict[str, str], anchor: bool) -> list[load.Request]:
    requests = []
    for name, text in queries.items():
        accept = "text/turtle" if name.startswith("describe") else SPARQL_JSON
        body = f"BASE <{BASE}>\n{text}" if anchor else text
        headers = {"Content-Type": "application/sparql-query", "Accept": accept}
        requests.append(load.Request("POST", "/sparql", headers, body))
    return requests


def check_answers(server: Server, queries: dict[str, str], anchor: bool) -> dict:
    """Each query once: status, size and number of results (the two servers should agree)."""
    answers = {}
    with loopback_client(base_url=server.url, timeout=60) as client:
        for (name, _), req in zip(queries.items(), mix_requests(queries, anchor), strict=True):
            started = time.perf_counter()
            response = client.post(req.path, headers=req.headers, content=req.body.encode())
            elapsed = time.perf_counter() - started
            answers[name] = {"status": response.status_code, "bytes": len(response.content),
                             "results": _count(response), "ms": round(elapsed * 1000, 1)}  # fmt: skip
            if response.status_code != 200:
                answers[name]["error"] = response.text[:300]
    return answers


def _count(response: httpx.Response) -> int | None:
    if response.status_code != 200:
        return None
    media = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        if "sparql-results+json" in media or media == "application/json":
            data = response.json()
            return len(data["results"]["bindings"]) if "results" in data else 1
        from rdflib import Graph

        formats = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/sparql-results+xml": "xml",
                   "application/n-triples": "nt", "application/ld+json": "json-ld"}  # fmt: skip
        return len(Graph().parse(data=response.content, format=formats.get(media, "turtle")))
    except Exception:  # noqa: BLE001 - reported as unknown
        return None


def engine_times(nquads: Path, queries: dict[str, str], n: int) -> dict[str, float]:
    """Warm median of each query straight on pyoxigraph, on the store the server opens for this
    release (psm_ld.store.store_source), in this process: the engine's share of a request, without
    HTTP, the server and the workers."""
    from psm_ld.query.store import store_source

    store = store_source(nquads, os.environ.get("PSM_STORE", "auto")).open()
    times = {}
    for name, text in queries.items():
        engine_ms(store, text)
        times[name] = round(median([engine_ms(store, text) for _ in range(n)]), 2)
    del store
    return times


# --smoke: four queries rdflib-endpoint answers quickly (the others take it up to a second or more
# each). Every query is still checked on psm-ld, against Oxigraph server (anchors.py).
SMOKE_MIX = ("conteggi-per-asse", "strategie-di-un-asse", "azioni-per-programma-ue", "describe-azione")


def bench_mix(cfg: Config, psm: Server, anchor: Server, work: Path, nquads: Path) -> dict:
    queries = mix_queries()
    if cfg.smoke:
        queries = {name: queries[name] for name in SMOKE_MIX}
    log(f"SPARQL mix: {len(queries)} queries ({', '.join(queries)})")
    answers = {
        "psm-ld": check_answers(psm, queries, False),
        "rdflib-endpoint": check_answers(anchor, queries, True),
    }
    engine = engine_times(nquads, queries, 1 if cfg.smoke else 30)
    for name in queries:
        a, b = answers["psm-ld"][name], answers["rdflib-endpoint"][name]
        a["engine_ms"] = engine.get(name)
        log(f"  {name:26s} psm-ld {a['status']} {a['results']!s:>4} results {a['ms']:6.1f} ms "
            f"(pyoxigraph alone, warm: {a['engine_ms']} ms) | "
            f"rdflib-endpoint {b['status']} {b['results']!s:>4} results {b['ms']:6.1f} ms")  # fmt: skip
    # the mix compares like with like: queries both answer with 200 and the same number of results
    excluded = {
        name: answers["rdflib-endpoint"][name].get("error", "different number of results")
        for name in queries
        if not (
            answers["psm-ld"][name]["status"] == answers["rdflib-endpoint"][name]["status"] == 200
            and answers["psm-ld"][name]["results"] == answers["rdflib-endpoint"][name]["results"]
        )
    }
    for name, why in excluded.items():
        log(f"  left out of the mix: {name} (rdflib-endpoint: {why[:160]!r})")
    queries = {name: text for name, text in queries.items() if name not in excluded}
    servers = ((psm, False), (anchor, True))
    for server, is_anchor in servers if not cfg.smoke else ():  # warm-up, not recorded
        load.run(server.port, mix_requests(queries, is_anchor), cfg.concurrency, 1, work / "warm.lua")
    result = {"concurrency": cfg.concurrency, "duration_s": cfg.duration, "queries": list(queries),
              "excluded": excluded, "answers": answers}  # fmt: skip
    # "uncached": every request text distinct (a trailing comment), so psm-ld's result cache never
    # answers: the engine and the serving path are measured. "cached": the fixed rotation, as a client
    # repeating the named queries sees it. The target is judged on the uncached mix.
    for mode, unique in (("uncached", True), ("cached", False)):
        runs: dict[str, list[dict]] = {"psm-ld": [], "rdflib-endpoint": []}
        for round_ in range(cfg.repeats):
            for server, is_anchor in servers:
                figures = load.run(server.port, mix_requests(queries, is_anchor), cfg.concurrency, cfg.duration,
                                   work / "mix.lua", unique=unique, limit=cfg.mix_responses)  # fmt: skip
                runs[server.name].append(figures)
                log(
                    f"  mix {mode:8s} round {round_ + 1} {server.name:16s} {figures['rps']:8.1f} req/s  p50 "
                    f"{figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}"
                )
        result["runs" if unique else "runs_cached"] = runs
        result["summary" if unique else "summary_cached"] = round_summary(runs, "psm-ld", "rdflib-endpoint")
    return result
