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
