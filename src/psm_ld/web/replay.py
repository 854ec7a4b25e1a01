"""Documents answered again without the framework: the outermost layer of the app keeps the complete
response (status, every header, body) of a plain GET of a document and sends it again, as it is, to
the next identical request.

A document (`X.html`, `X.ttl`, …) is the same for every request of its URL while a release is served
(web/dereference.py): it depends on the path, the serving origin (scheme, Host, root path), the
release and, for HTML, the year (an edition's status, pages/series.py); never on Accept or
Accept-Language. So a response that the app made, through every layer (routing, dereferencing, the
security and CORS headers), can be replayed byte for byte to a request that differs in nothing else
(the query string included: `X.html?lang=en` is a document of its own).
Only plain requests are replayed: a GET without Origin (CORS answers it with more headers), without
If-None-Match / If-Modified-Since (304) or Range; anything else, and every first request, goes
through the app as always. The kept responses
are in a bounded LRU cache (bytes, keys included: the Host header comes from the client) keyed by the
release too, so a new release never gets an old answer.

Why (bench/RESULTS.md): a cached document still took the server through Starlette's routing (every
route tried before the catch-all), three middlewares and the dereferencing code; this leaves uvicorn's
own work and one dictionary lookup.

The first answer to a plain GET of a document is made here too, without the router: `direct` gives
the response the resource route would give (or None, and the app answers as always), and it goes out
through `layers`, the same middleware the app's answers go through (app.LAYERS: CORS, the default
headers), so that it is the same response, byte for byte (tests/test_replay.py compares every
document's). A cold pass of every document (bench/RESULTS.md, issue 13) was mostly routing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from psm_ld.pages import series
from psm_ld.query import conneg
from psm_ld.query.cache import LRUCache

REPLAY_CACHE_BYTES = 32 * 1024 * 1024
_SUFFIXES = tuple(conneg.SUFFIXES)
# request headers that can change a document's response: CORS, conditional requests, ranges
_NOT_PLAIN = frozenset(
    {b"origin", b"if-none-match", b"if-modified-since", b"if-match", b"if-range", b"range"}
)

Kept = tuple[Message, bytes]
Layers = tuple[tuple[type, dict[str, Any]], ...]


def _size(kept: Kept) -> int:
    start, body = kept
    return len(body) + sum(len(n) + len(v) for n, v in start["headers"]) + 64


class DocumentReplay:
    """ASGI middleware (module docstring). `release` gives the id of the release being served, or None
    while none is (then nothing is kept or replayed)."""

    def __init__(
        self, app: ASGIApp, release: Callable[[], str | None],
        direct: Callable[[Scope], Response | None] | None = None, layers: Layers = (),
    ) -> None:  # fmt: skip
        self.app, self.release, self.direct = app, release, direct
        self.cache: LRUCache[Kept] = LRUCache(REPLAY_CACHE_BYTES, _size)
        self.documents: ASGIApp = _answer
        for layer, options in layers:  # innermost first, as the app adds them
            self.documents = layer(self.documents, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        if not path.endswith(_SUFFIXES):
            return await self.app(scope, receive, send)
        host = b""
        for name, value in scope["headers"]:
            if name in _NOT_PLAIN:
                return await self.app(scope, receive, send)
            if name == b"host":
                host = value
        release = self.release()
        if release is None:
            return await self.app(scope, receive, send)
        # an HTML page may show an edition's status, which changes with the year (pages/series.py)
        year = series.today().year if path.endswith(".html") else 0
        key = (release, scope["scheme"], host, scope.get("root_path", ""), path, scope["query_string"], year)
        kept = self.cache.get(key)
        if kept is not None:
            await send(kept[0])
            await send({"type": "http.response.body", "body": kept[1]})
            return
        start: Message | None = None
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message if message["status"] == 200 and _is_document(message["headers"]) else None
            elif message["type"] == "http.response.body" and start is not None:
                parts.append(message.get("body", b""))
                if sum(map(len, parts)) > self.cache.max_item_bytes:
                    start, parts[:] = None, []  # too large to keep: not buffered any further
                elif not message.get("more_body", False):
                    self.cache.put(key, ({"type": "http.response.start", "status": 200,
                                          "headers": list(start["headers"])}, b"".join(parts)))  # fmt: skip
            await send(message)

        response = self.direct(scope) if self.direct is not None else None
        if response is None:
            return await self.app(scope, receive, keep)
        scope[_RESPONSE] = response
        await self.documents(scope, receive, keep)


_RESPONSE = "psm_ld.document"  # the scope's key for a direct answer, read by `_answer`


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    await scope[_RESPONSE](scope, receive, send)


def _is_document(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a response is a dereferenced document (web/dereference.document: it links the resource
    it describes, and varies on nothing but Accept, which a document's suffix overrides, and Origin,
    which a replayed request does not send)."""
    vary = link = False
    for name, value in headers:
        if name.lower() == b"vary":
            if not {v.strip() for v in value.lower().split(b",")} <= {b"accept", b"origin"}:
                return False
            vary = True
        elif name.lower() == b"link":
            link = b'rel="describes"' in value
    return vary and link
