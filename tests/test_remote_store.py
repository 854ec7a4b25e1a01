"""PSM_STORE=sparql (query/remote.py, build/publish.py) against real engines (tests/engines.py):
Oxigraph server and Virtuoso 7, each started once per session and shared with the modules that run in
every store mode (tests/modes.py). The same-origin release is published into each and served
in-process; its documents, pages and SPARQL answers are compared with the in-memory store's, the
guarantees psm-ld keeps in front of the engine are checked, and `psm-ld publish` that fails halfway
is run again (in a site of its own: PSM_STORE_SITE, beside the releases the other tests are served).

Known deviations of an engine are written where a test meets them (strict xfail with the reason).
"""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from engines import ENGINES, Engine
from modes import Apps, AppSpec, Engines
from servers import OTHER_BASE, ROOT, InProcess
from test_build import cli_here

from psm_ld.query import engine as sparql_engine
from psm_ld.query import remote

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def publish(
    build_dir: Path, base: str, engine: Engine, *args: str, site: str
) -> subprocess.CompletedProcess[str]:
    """`psm-ld publish` run in this process (test_build.cli_here): what is asserted is the command's
    exit code, its messages and the engine's graphs, not the process (`--fail-after` stops it midway
    as a failure would); a fresh interpreter and its imports cost 0.45 s of CPU a run, 8 runs."""
    environment = {"PSM_BASE_URI": base, "PSM_STORE_SITE": site, **engine.env}
    return cli_here(ROOT, build_dir, "publish", "--grace", "0", *args, **environment)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, engines: Engines) -> Engine:
    return engines.get(request.param)


@pytest.fixture
def remote_app(engine: Engine, apps: Apps, same_origin_spec: AppSpec) -> InProcess:
    """The same-origin app served from `engine` (the default site): conftest's `same_origin` in that mode."""
    return apps.serve(same_origin_spec, engine.name)


def resources(app: InProcess) -> list[str]:
    return app.test_client.app.state.served.documents.resources()  # type: ignore[attr-defined]


def test_health_says_sparql(remote_app: InProcess) -> None:
    health = remote_app.get("/health").json()
    assert health["status"] == "ok" and health["store"] == "sparql" and health["triples"] > 3000


def test_documents_and_pages_as_from_memory(
    remote_app: InProcess, same_origin: InProcess, engine: Engine
) -> None:
    found = resources(remote_app)
    assert found == resources(same_origin)
    sample = found if engine.name == "oxigraph" else found[::4]  # Virtuoso: slower per lookup
    for iri in sample:
        path = "/" + iri.removeprefix(remote_app.base)
        for suffix in (".ttl", ".html", ".jsonld"):
            ours, theirs = same_origin.get(path + suffix), remote_app.get(path + suffix)
            assert (theirs.status_code, theirs.content) == (ours.status_code, ours.content), path + suffix
    paths = ("/", "/cerca?q=mobilità", "/catalogo.ttl", "/sitemap.xml", "/queries/assi?format=json",
             "/sparql/completions.json")  # fmt: skip
    for path in paths:
        ours, theirs = same_origin.get(path), remote_app.get(path)
        assert (theirs.status_code, theirs.text) == (ours.status_code, ours.text), path


QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "graph-by-name": "SELECT ?s WHERE { GRAPH <dataset/pnrr> { ?s a ?t } } ORDER BY ?s",
    "from": "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s",  # run with FROM below
    "union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ask": "ASK { ?s ?p ?o }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <dataset/pnrr> { ?s ?p ?o FILTER(isIRI(?o)) } }",
    "numbers": "SELECT ?s ?n WHERE { ?s <ontologia#valoreDichiarato> ?n } ORDER BY ?s",
    "blank-nodes": "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2002/07/owl#oneOf> ?o } ORDER BY ?s",
    "meta-hidden": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x-psm-ld:meta> { ?s ?p ?o } }",
    "is-blank": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?o)) }",
}
DEVIATIONS = {
    ("virtuoso", "meta-hidden"): "Virtuoso: COUNT(*) alone over GRAPH <g> with g outside the dataset "
    "answers 1, not 0 (no triple of g is returned: SELECT * answers none)",
    ("oxigraph", "is-blank"): "remote store: blank nodes are skolem IRIs in the engine, so isBlank() "
    "and isIRI() in a query see IRIs (answers map them back to blank nodes)",
    ("virtuoso", "numbers"): "Virtuoso answers xsd:nonNegativeInteger literals as written; pyoxigraph "
    "(memory, disk, Oxigraph server) as xsd:integer, its canonical form (documents and pages give the "
    "literal as written in every mode)",
    ("virtuoso", "is-blank"): "remote store: blank nodes are skolem IRIs in the engine (see oxigraph)",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_sparql_answers_as_from_memory(
    remote_app: InProcess, same_origin: InProcess, engine: Engine, name: str, request: pytest.FixtureRequest
) -> None:
    reason = DEVIATIONS.get((engine.name, name))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    query = QUERIES[name]
    if name == "from":
        query = query.replace("WHERE", "FROM <dataset/pnrr> WHERE")
    for accept in ("text/csv", "application/sparql-results+json", "application/n-triples"):
        ours = same_origin.get("/sparql", params={"query": query}, headers={"Accept": accept})
        theirs = remote_app.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert theirs.status_code == ours.status_code, accept
        media = ours.headers["content-type"].split(";")[0]
        if media in ("text/turtle", "application/n-triples"):  # a graph: the engine's order is its own
            assert _triples(theirs.content, media) == _triples(ours.content, media), accept
        else:
            assert theirs.text == ours.text, accept


def test_an_escaped_keyword_names_a_graph_as_the_keyword_does(
    remote_app: InProcess, same_origin: InProcess
) -> None:
    """SPARQL applies \\u escapes to the text before parsing (§19.2): `GR\\u0041PH <g>` is `GRAPH <g>`,
    and the remote store renames its graph as it does the keyword's (pyoxigraph in memory refuses
    such a keyword, so the answer is compared with memory's to the plain spelling)."""
    plain = "SELECT ?s WHERE { GRAPH <dataset/pnrr> { ?s a ?t } } ORDER BY ?s"
    escaped = plain.replace("GRAPH", "GR\\u0041PH")
    ours = same_origin.get("/sparql", params={"query": plain}, headers={"Accept": "text/csv"})
    theirs = remote_app.get("/sparql", params={"query": escaped}, headers={"Accept": "text/csv"})
    assert theirs.status_code == ours.status_code == 200
    assert theirs.text == ours.text and len(ours.text.splitlines()) > 1


def _triples(body: bytes, media: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=ox.RdfFormat.from_media_type(media))}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "params",
    [
        {"default-graph-uri": "urn:x-psm-ld:meta"},
        {"named-graph-uri": "urn:x-psm-ld:meta"},
        {"default-graph-uri": "http://nowhere.example/"},
    ],
)
def test_no_query_reaches_outside_the_release(remote_app: InProcess, params: dict[str, str]) -> None:
    query = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } LIMIT 5"
    answer = remote_app.get("/sparql", params={"query": query, **params}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and len(answer.text.strip().splitlines()) == 1, answer.text  # no row


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    ],
)
def test_engine_never_sees_service_or_update(remote_app: InProcess, query: str) -> None:
    assert remote_app.get("/sparql", params={"query": query}).status_code in (400, 403)


def test_lookups_around_a_subject_are_one_request(engine: Engine, remote_app: InProcess) -> None:
    """A page asks several things of each node it shows (its types, its labels, one property, in
    one graph): one request to the engine answers them all (RemoteStore._subject), as pyoxigraph would."""
    endpoint = endpoint_of(engine, None)
    release_id = sparql_engine.current_id(endpoint)
    graphs, quads = sparql_engine.release_info(endpoint, release_id)  # type: ignore[arg-type,misc]
    store = remote.RemoteStore(endpoint, release_id, graphs, quads)  # type: ignore[arg-type]
    sent: list[str] = []
    run = store._run
    store._run = lambda text, *rest: (sent.append(text), run(text, *rest))[1]  # type: ignore[method-assign]
    local = ox.Store()
    nquads = remote_app.build_dir / "current" / "psm.nq"
    local.bulk_extend(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    action = ox.NamedNode(remote_app.base + "psm/2021-2023/azione/2.1.1")
    graph = next(local.quads_for_pattern(action, None, None)).graph_name
    skos = "http://www.w3.org/2004/02/skos/core#"
    patterns = [
        (action, ox.NamedNode(RDF_TYPE), None, None),
        (action, ox.NamedNode(skos + "prefLabel"), None, None),
        (action, None, None, graph),
        (action, ox.NamedNode(skos + "prefLabel"), None, ox.NamedNode("http://nowhere.example/")),
    ]
    for pattern in patterns:
        assert set(store.quads_for_pattern(*pattern)) == set(local.quads_for_pattern(*pattern)), pattern
    assert len(sent) == 1, sent


def test_rename_graphs_in_query_text() -> None:
    def stored(iri: str) -> str:
        return f"S({iri})"

    text = (
        "PREFIX d: <http://x/dataset/>\nBASE <http://x/>\n"
        "SELECT * FROM <dataset/a> FROM NAMED d:b WHERE { GRAPH <dataset/c> { ?s ?p '<GRAPH <x>>' } "
        "GRAPH ?g { ?s <dataset/a> ?o } } # GRAPH <dataset/z>"
    )
    renamed, (default, named) = remote.rename_graphs(text, None, stored)
    assert default == ["S(http://x/dataset/a)"] and named == ["S(http://x/dataset/b)"]
    assert "GRAPH <S(http://x/dataset/c)>" in renamed and "?s <dataset/a> ?o" in renamed
    assert "'<GRAPH <x>>'" in renamed and "# GRAPH <dataset/z>" in renamed


def test_a_site_has_its_own_names() -> None:
    default = sparql_engine.Endpoint("http://e/q")
    site = sparql_engine.Endpoint("http://e/q", site="psm-staging")
    assert default.meta_graph == sparql_engine.META_GRAPH
    assert default.stored_prefix("r1") == "urn:x-psm-ld:r:r1:"
    assert site.meta_graph == "urn:x-psm-ld:site:psm-staging:meta"
    assert site.stored_prefix("r1") == "urn:x-psm-ld:site:psm-staging:r:r1:"
    with pytest.raises(ValueError):
        sparql_engine.Endpoint("http://e/q", site="a>b").meta_graph  # noqa: B018 - never in an IRI


# --- publish ----------------------------------------------------------------------------------------


def endpoint_of(engine: Engine, site: str | None) -> sparql_engine.Endpoint:
    settings = engine.settings
    return sparql_engine.Endpoint(
        settings["store_query_url"], settings["store_gsp_url"], settings["store_update_url"],
        settings.get("store_user"), settings.get("store_password"), site=site,
    )  # fmt: skip


def test_publish_interrupted_resumes_switches_and_drops_the_old(
    engine: Engine, remote_app: InProcess, same_origin_build: tuple[Path, str], other_build: Path
) -> None:
    """In a site of its own (PSM_STORE_SITE=publish-test), in the engine the other tests are served
    from: the releases of the other sites, the default one among them, stay as they were."""
    build_dir, base = same_origin_build
    beside = sparql_engine.current_id(endpoint_of(engine, None))
    assert beside == build_dir.joinpath("current").resolve().name  # remote_app's, in the default site
    first = publish(build_dir, base, engine, "--chunk", "300", site="publish-test")
    assert first.returncode == 0, first.stderr
    endpoint = endpoint_of(engine, "publish-test")
    old = sparql_engine.current_id(endpoint)
    assert old == build_dir.joinpath("current").resolve().name
    # a second release (another base: other IRIs, another id), stopped after 3 chunks
    other = other_build
    stopped = publish(other, OTHER_BASE, engine, "--chunk", "300", "--fail-after", "3", site="publish-test")
    assert stopped.returncode == 1 and "NON completata" in stopped.stderr
    new = other.joinpath("current").resolve().name
    assert sparql_engine.current_id(endpoint) == old  # nothing served changed
    partial = _stored_triples(endpoint, new)
    assert 0 < partial < sparql_engine.release_info(endpoint, old)[1] + 10_000  # type: ignore[index]
    again = publish(other, OTHER_BASE, engine, "--chunk", "300", site="publish-test")
    assert again.returncode == 0, again.stderr
    assert sparql_engine.current_id(endpoint) == new
    assert _stored_triples(endpoint, new) == sparql_engine.release_info(endpoint, new)[1]  # type: ignore[index]
    assert _stored_triples(endpoint, old) == 0  # the old release's graphs are dropped
    assert sparql_engine.release_info(endpoint, old) is None  # and its record
    once_more = publish(other, OTHER_BASE, engine, "--chunk", "300", site="publish-test")
    assert once_more.returncode == 0 and "già servita" in once_more.stdout  # idempotent
    # the default site: its current release and its graphs as before, served as before
    assert sparql_engine.current_id(endpoint_of(engine, None)) == beside
    assert _stored_triples(endpoint_of(engine, None), beside) == remote_app.get("/health").json()["triples"]


def _stored_triples(endpoint: sparql_engine.Endpoint, release_id: str) -> int:
    prefix = endpoint.stored_prefix(release_id)
    rows = sparql_engine.select(endpoint, "SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                         f"FILTER(STRSTARTS(STR(?g), {prefix!r})) }}")  # fmt: skip
    return int(rows[0]["n"].value)


def test_engine_clients_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client of the engine does not build a TLS context of its own (httpx reads every authority's
    certificate for each, 15-70 ms of CPU; the reload loop makes a client every few seconds): they
    share the process's one (engine.tls_context)."""
    sparql_engine.tls_context()  # made once, by whichever client of the process came first
    made: list[object] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    endpoint = sparql_engine.Endpoint("http://127.0.0.1:9/query")
    clients = [endpoint.client() for _ in range(3)]
    for client in clients:
        client.close()
    assert made == []
