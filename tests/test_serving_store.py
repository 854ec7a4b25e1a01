"""How the server holds a release: the store (in memory or on disk) and the caches of results and
documents, against the app in-process (tests/conftest.py); `psm-ld serve` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import (
    OTHER_BASE,
    InProcess,
    Serving,
    client,
    free_port,
    serve,
    w3c_protocol_release,
    wait_until_up,
)

AXES = (
    "SELECT ?n WHERE { ?a a <http://psm.example/ontologia#Asse> ; "
    "<http://www.w3.org/2004/02/skos/core#notation> ?n } ORDER BY ?n"
)
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="session")
def on_disk(other_build: Path) -> Iterator[InProcess]:
    yield from serve(other_build, OTHER_BASE, f"http://127.0.0.1:{free_port()}/", store_mode="disk")


def cache_stats(server: Serving, which: str) -> dict[str, int]:
    return server.get("health").json()["cache"][which]


def test_a_small_release_is_served_from_memory(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"  # a release of its own: the session's may have a disk store by now
    w3c_protocol_release(build_dir)
    for served in serve(build_dir, "http://www.example/", f"http://127.0.0.1:{free_port()}/"):
        assert served.get("health").json()["store"] == "memory"
        assert not (build_dir / "current" / "oxigraph").exists()


def test_the_on_disk_store_answers_the_same(on_disk: Serving, other_origin: Serving) -> None:
    assert on_disk.get("health").json()["store"] == "disk"
    assert (on_disk.build_dir / "current" / "oxigraph" / "CURRENT").is_file()
    turtle = "psm/2021-2023/azione/2.1.1.ttl"
    assert on_disk.get(turtle).content == other_origin.get(turtle).content
    page = "psm/2021-2023/asse/2.html"  # links point at the serving origin, which differs
    assert on_disk.get(page).text.replace(on_disk.url, "/") == other_origin.get(page).text.replace(
        other_origin.url, "/"
    )
    answer = on_disk.get("sparql", params={"query": AXES}, headers=JSON)
    assert answer.status_code == 200
    assert answer.content == other_origin.get("sparql", params={"query": AXES}, headers=JSON).content
    named = on_disk.get("queries/conteggi-per-asse", params={"format": "csv"})
    assert (
        named.status_code == 200
        and named.text == other_origin.get("queries/conteggi-per-asse", params={"format": "csv"}).text
    )


def test_a_repeated_query_is_answered_from_the_result_cache(other_origin: Serving) -> None:
    query = AXES + " LIMIT 5"  # a text no other test sends
    before = cache_stats(other_origin, "results")
    first = other_origin.get("sparql", params={"query": query}, headers=JSON)
    second = other_origin.get("sparql", params={"query": query}, headers=JSON)
    after = cache_stats(other_origin, "results")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    # rendered once: the second answer comes from a cache (the documents' LRU, or the replay of the
    # whole response in front of it, web/replay.py), never from a second rendering
    assert after["misses"] - before["misses"] == 1 and after["hits"] - before["hits"] in (0, 1)
    as_csv = other_origin.get("sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")  # another format, another entry
    assert cache_stats(other_origin, "results")["misses"] - after["misses"] == 1


def test_failures_are_not_cached(other_origin: Serving) -> None:
    before = cache_stats(other_origin, "results")["entries"]
    for _ in range(2):
        assert other_origin.get("sparql", params={"query": "SELECT WHERE"}, headers=JSON).status_code == 400
    assert cache_stats(other_origin, "results")["entries"] == before


def test_documents_are_rendered_once_per_origin(other_origin: Serving, rewriting: Serving) -> None:
    path = "psm/2021-2023/strategia/5.2.html"
    before = cache_stats(other_origin, "documents")
    first, second = other_origin.get(path), other_origin.get(path)
    after = cache_stats(other_origin, "documents")
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    # rendered once: the second answer comes from a cache (the documents' LRU, or the replay of the
    # whole response in front of it, web/replay.py), never from a second rendering
    assert after["misses"] - before["misses"] == 1 and after["hits"] - before["hits"] in (0, 1)
    # the rewriting server serves the same release on another origin: its own links, its own entry
    assert other_origin.url not in rewriting.get(path).text


ACCESS_LOG_FLAGS = ("--access-log", "--no-access-log")


@pytest.fixture(scope="session")
def serve_logs(other_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`psm-ld serve` with each access-log flag, both processes at once: each answers /health and one
    document, then stops; its log, by flag."""
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "PSM_BUILD_DIR": str(other_build), "PSM_BASE_URI": OTHER_BASE}
    started = {}
    for flag in ACCESS_LOG_FLAGS:
        port, log = free_port(), folder / f"serve{flag}.log"
        command = [Path(sys.executable).parent / "psm-ld", "serve", "--port", str(port), flag]
        process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        started[flag] = (process, port, log)
    try:
        for process, port, log in started.values():
            wait_until_up(process, f"http://127.0.0.1:{port}/health", log)
            with client(f"http://127.0.0.1:{port}") as http:
                assert http.get("/psm/2021-2023.ttl").status_code == 200
    finally:
        for process, _, _ in started.values():
            process.terminate()
        for process, _, _ in started.values():
            process.wait(15)
    return {flag: log.read_text() for flag, (_, _, log) in started.items()}


@pytest.mark.slow
@pytest.mark.parametrize("flag", ACCESS_LOG_FLAGS)
def test_psm_ld_serve_and_its_access_log(serve_logs: dict[str, str], flag: str) -> None:
    text = serve_logs[flag]
    assert "serving release" in text and "in-memory store" in text
    assert ('"GET /psm/2021-2023.ttl HTTP/1.1" 200' in text) == (flag == "--access-log")


def test_literals_the_store_changes_are_kept_beside_the_release(other_build: Path, tmp_path: Path) -> None:
    import pyoxigraph as ox

    from psm_ld.query.store import NUMERIC_LITERALS, FaithfulStore, _changed_literals, load_store

    release = (other_build / "current").resolve()
    kept = list(ox.parse(path=str(release / NUMERIC_LITERALS), format=ox.RdfFormat.N_QUADS))
    datatypes = {q.object.datatype.value.rsplit("#", 1)[1] for q in kept}  # type: ignore[union-attr]
    assert datatypes == {"nonNegativeInteger"} and len(kept) > 50  # counts and byte sizes
    # the same literals are found without the file (a release written by hand), by reading psm.nq
    bare = tmp_path / "psm.nq"
    bare.write_bytes((release / "psm.nq").read_bytes())
    with_file = FaithfulStore(load_store(release / "psm.nq"), release / "psm.nq")
    without = FaithfulStore(load_store(bare), bare)
    exact = _changed_literals(release / "psm.nq")  # the table, from the file
    assert exact == _changed_literals(bare) and len(exact) == len(kept)
    # with the file, each literal is looked up by its subject in it when read; without, in the table
    # read at open: the same quads either way
    assert with_file._by_subject is not None and without._by_subject is None
    everything = (None, None, None)
    assert list(with_file.quads_for_pattern(*everything)) == list(without.quads_for_pattern(*everything))
