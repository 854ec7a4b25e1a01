"""Security headers on every response: the app's (SecurityHeaders) and the static export's nginx
configuration (export.py) send the same ones.

Every asset of the pages is local (pages/static), and the pages have no inline script, style or
event handler (the JSON-LD blocks are data, `type="application/ld+json"`, which browsers do not
execute), so the Content-Security-Policy needs no 'unsafe-inline'. `frame-ancestors 'none'`: no page
may be framed (clickjacking). nosniff: a browser never reads an RDF document or a CSV as HTML or
script.

FastAPI's /docs page loads Swagger UI from a CDN and starts it with an inline script: it gets its
own policy, which allows that CDN and that one script by its hash, not 'unsafe-inline'. (ReDoc is
not served: it styles itself with inline styles.)
"""

from __future__ import annotations

import base64
import hashlib
import re

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
DOCS_CDN = "https://cdn.jsdelivr.net"  # where FastAPI's documentation pages load Swagger UI and ReDoc


def docs_policy(html: str) -> str:
    """The policy of FastAPI's documentation page: its inline scripts allowed by their hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    )
    return (
        f"default-src 'none'; script-src 'self' {DOCS_CDN} {hashes}; style-src 'self' {DOCS_CDN}; "
        f"img-src 'self' data: https://fastapi.tiangolo.com; worker-src blob:; connect-src 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Adds HEADERS to every HTTP response that does not set them itself (plain ASGI, like
    app.AllowAnyOrigin: no per-request task)."""

    _RAW = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [(n, v) for n, v in self._RAW if n not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
