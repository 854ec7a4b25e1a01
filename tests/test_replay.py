"""Documents replayed by the app's outermost layer (web/replay.py): the second plain GET of a document
gets exactly the first one's status, headers and body; requests that could be answered otherwise
(CORS, conditional, with a query string) and everything that is not a document go through the app."""

from __future__ import annotations

import pytest
from servers import InProcess

ACTION = "psm/2021-2023/azione/2.1.1"


@pytest.mark.parametrize("suffix", [".html", ".ttl", ".jsonld", ".rdf", ".nt", ".html?lang=en"])
def test_a_replayed_document_is_the_same_response(same_origin: InProcess, suffix: str) -> None:
    client, replay = same_origin.test_client, _replay(same_origin)
    first = client.get(f"/{ACTION}{suffix}")
    hits = replay.cache.hits
    again = client.get(f"/{ACTION}{suffix}", headers={"accept": "text/html", "accept-language": "en"})
    assert replay.cache.hits == hits + 1  # answered by the replay
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert sorted(first.headers.multi_items()) == sorted(again.headers.multi_items())


def test_what_is_never_replayed(same_origin: InProcess) -> None:
    client, replay = same_origin.test_client, _replay(same_origin)
    etag = client.get(f"/{ACTION}.ttl").headers["etag"]
    hits = replay.cache.hits
    assert client.get(f"/{ACTION}.ttl", headers={"if-none-match": etag}).status_code == 304
    cors = client.get(f"/{ACTION}.ttl", headers={"origin": "https://example.org"})
    assert "ETag" in cors.headers["access-control-expose-headers"]  # CORSMiddleware answered it
    english = client.get(f"/{ACTION}.html?lang=en", headers={"if-none-match": "x"})
    assert english.headers["content-language"] == "en"
    assert replay.cache.hits == hits
    for path in ("/download/psm.ttl", f"/{ACTION}"):  # a download and a 303: not documents
        client.get(path, follow_redirects=False)
        client.get(path, follow_redirects=False)
    assert replay.cache.hits == hits


def _replay(app: InProcess):  # type: ignore[no-untyped-def]
    from psm_ld.web.replay import DocumentReplay

    layer = app.test_client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, DocumentReplay):
        layer = layer.app
    return layer


@pytest.mark.parametrize("app_fixture", ["same_origin", "other_origin"])
def test_every_documents_first_answer_is_the_apps(
    app_fixture: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document's first plain GET is answered without the router (replay.py `direct`); for every
    document of the release on the canonical origin (pre-rendered) and every tenth resource's
    elsewhere (rendered), that answer is the one the whole app gives (asked with a non-matching
    If-None-Match, which the direct path leaves to the app): status, every header, body."""
    from psm_ld.pages.documents import DOCUMENT_TYPES
    from psm_ld.query import conneg
    from psm_ld.query.cache import LRUCache
    from psm_ld.web.replay import REPLAY_CACHE_BYTES, _size

    app: InProcess = request.getfixturevalue(app_fixture)
    client, replay = app.test_client, _replay(app)
    served = client.app.state.served  # type: ignore[attr-defined]
    direct_answers: list[object] = []
    answer = replay.direct

    def counted(scope: dict) -> object:
        direct_answers.append(answer(scope))
        return direct_answers[-1]

    monkeypatch.setattr(replay, "direct", counted)
    monkeypatch.setattr(replay, "cache", LRUCache(REPLAY_CACHE_BYTES, _size))  # nothing replayed yet
    base, checked = served.settings.base_uri, 0
    resources = served.documents.resources()
    if app_fixture == "other_origin":  # rendered on demand, by the same code for both paths: a sample
        resources = resources[::10]
    for iri in resources:
        for media in DOCUMENT_TYPES:
            for query in ("", "?lang=en") if media == conneg.HTML else ("",):
                url = "/" + iri.removeprefix(base) + conneg.SUFFIX_OF[media] + query
                whole = client.get(url, headers={"if-none-match": '"not-this"'})
                before = len(direct_answers)
                first = client.get(url)
                assert len(direct_answers) == before + 1 and direct_answers[-1] is not None, url
                assert first.status_code == whole.status_code == 200, url
                assert sorted(first.headers.multi_items()) == sorted(whole.headers.multi_items()), url
                assert first.content == whole.content, url
                checked += 1
    assert checked > (1000 if app_fixture == "same_origin" else 100)


def test_paths_other_routes_take_are_not_answered_directly(
    same_origin: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were a download, a static file or a named query's path also a resource's document, its own
    route answers it, as the router would have (here every IRI is made known to the release)."""
    replay, client = _replay(same_origin), same_origin.test_client
    served = client.app.state.served  # type: ignore[attr-defined]
    monkeypatch.setattr(served.documents.describer, "known", lambda iri: True)
    plain = {"type": "http", "method": "GET", "root_path": "", "query_string": b"", "headers": [],
             "scheme": "http", "server": ("testserver", 80), "app": client.app}  # fmt: skip
    for path in ("/download/psm.ttl", "/static/psm.css.ttl", "/queries/allineamenti.ttl"):
        assert replay.direct({**plain, "path": path}) is None, path
    assert replay.direct({**plain, "path": "/psm/2021-2023/azione/2.1.1.ttl"}) is not None
