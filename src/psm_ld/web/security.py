"""Security headers on every response: the app (HEADERS, added by DefaultHeaders) and the static
export's nginx configuration (export.py) send the same ones.

Every asset of the pages is local (pages/static), and the pages have no inline script, style or
event handler (the JSON-LD blocks are data, `type="application/ld+json"`, which browsers do not
execute), so the Content-Security-Policy needs no 'unsafe-inline'. `frame-ancestors 'none'`: no page
may be framed (clickjacking). nosniff: a browser never reads an RDF document or a CSV as HTML or
script. The SPARQL editor (assets/sparql-editor.js, CodeMirror 6) would write its styles into a <style>
element; it puts them in a constructed stylesheet adopted by the document instead (CSSOM, which
style-src does not govern), so the policy needs no hash or nonce for it either.

/docs is under the same policy: Swagger UI's files are served by psm-ld and started from a script
file (web/apidocs.py), not FastAPI's page, which loads them from a CDN with an inline script. (ReDoc
is not served: it would need a CDN, and styles itself with inline styles.)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
class DefaultHeaders:
    """Adds `headers` to every HTTP response that does not set them itself. Plain ASGI: no
    per-request task and body streaming, as an `@app.middleware("http")` function would cost. The app
    adds HEADERS with it, and `Access-Control-Allow-Origin: *` (app.LAYERS)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [(n, v) for n, v in self.raw if n not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
