"""The Python ceiling for /sparql: a bare ASGI app (no framework, no checks, no limits, no worker
processes) that runs each POSTed query on pyoxigraph in its own process and answers with the engine's
own serializer, under uvicorn with httptools and the event loop `psm-ld serve` uses (web/server.py's
uvicorn_options: asyncio's since issue 10). What one Python
process in front of the same engine can do at best on this machine: psm-ld, which must also bound
every query in time (so runs it in a worker process it can kill), cannot beat it.

    python bench/ceiling_sparql.py --nquads psm.nq --port 8003 [--disk DIR] --base http://localhost:8000/
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyoxigraph as ox
import uvicorn

JSON = b"application/sparql-results+json"
TURTLE = b"text/turtle"


def make_app(store: ox.Store, base: str):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":  # readiness
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            result = store.query(body.decode(), base_iri=base, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryTriples):
                data, media = ox.serialize(result, format=ox.RdfFormat.TURTLE), TURTLE
            else:
                data, media = result.serialize(format=ox.QueryResultsFormat.JSON), JSON
            status = 200
        except SyntaxError as exc:
            data, media, status = str(exc).encode(), b"text/plain", 400
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", media), (b"content-length", str(len(data)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": data})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nquads", type=Path, required=True)
    parser.add_argument("--disk", type=Path, default=None, help="an on-disk store to open read-only instead")
    parser.add_argument("--base", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.disk:
        store = ox.Store.read_only(str(args.disk))
    else:
        store = ox.Store()
        store.bulk_extend(ox.parse(path=str(args.nquads), format=ox.RdfFormat.N_QUADS))
    from psm_ld.web.server import uvicorn_options

    loop = uvicorn_options()["loop"]
    uvicorn.run(make_app(store, args.base), host="127.0.0.1", port=args.port, http="httptools", loop=loop)


if __name__ == "__main__":
    main()
