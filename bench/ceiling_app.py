"""The Python ceiling for dereferencing: a bare ASGI app (no framework, no middleware, no lookups)
answering the same document bytes from memory, under uvicorn run as `psm-ld serve` runs it (one
process, default settings, access log on). What one uvicorn process can do at best on this machine:
psm-ld cannot beat it without leaving the Python request path (e.g. static files behind nginx).

    python bench/ceiling_app.py --root DIR --port 8002     # serves DIR/<path> for GET <path>
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

TYPES = {".html": b"text/html; charset=utf-8", ".ttl": b"text/turtle; charset=utf-8"}


def make_app(root: Path):  # type: ignore[no-untyped-def]
    documents = {
        "/" + p.relative_to(root).as_posix(): (
            p.read_bytes(),
            TYPES.get(p.suffix, b"application/octet-stream"),
        )
        for p in root.rglob("*")
        if p.is_file()
    }

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        found = documents.get(scope["path"])
        body, media = found if found else (b"not found\n", b"text/plain")
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(make_app(args.root), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
