"""The dereferencing anchor: Debian's nginx serving the same document bytes as static files.

Started with its own configuration and prefix in a temporary folder, listening on 127.0.0.1 only,
in the foreground (daemon off) so the harness owns the process and stops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from bench.common import LOOPBACK, Server, require

CONF = """
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/turtle ttl; application/ld+json jsonld; application/n-triples nt; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/turtle;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen {host}:{port};
        root {root};
        etag on;
    }}
}}
"""


def nginx_server(prefix: Path, documents: dict[str, bytes], port: int) -> Server:
    """An nginx Server (not yet started) serving `documents` (URL path -> bytes) under `prefix`."""
    for path, body in documents.items():
        target = prefix / "www" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return nginx_static(prefix, prefix / "www", port, next(iter(documents)))


def nginx_static(prefix: Path, root: Path, port: int, ready_path: str) -> Server:
    """An nginx Server (not yet started) serving the files under `root` as they are (its config and
    logs in `prefix`)."""
    binary = require("nginx")
    if binary is None:
        raise RuntimeError("nginx is not installed: `make bench` installs it (apt-get install nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    for folder in (prefix, root, *prefix.rglob("*"), *root.rglob("*")):  # nginx's workers run unprivileged
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(CONF.format(prefix=prefix, root=root, host=LOOPBACK, port=port, user=user), encoding="utf-8")
    return Server(
        name="nginx",
        command=[
            binary,
            "-p",
            str(prefix),
            "-c",
            str(conf),
            "-e",
            str(prefix / "error.log"),
            "-g",
            "daemon off;",
        ],  # fmt: skip
        port=port,
        ready_path=ready_path,
        log_path=prefix / "stdout.log",
    )


def export_server(cfg_work: Path, build_dir: Path, base: str, upstream_port: int, port: int,
                  only: Collection[str] | None = None) -> Server:  # fmt: skip
    """psm-ld's own deployment for documents: its export (static files and an nginx config that
    proxies the rest to psm-ld at upstream_port), run with the standalone configuration it writes.
    Written in this process by the function `psm-ld export` runs; `only`: the documents of these
    resource IRIs alone (--smoke), None: every resource's."""
    from psm_ld.config import load_settings
    from psm_ld.export import export
    from psm_ld.release import current_release

    binary = require("nginx")
    if binary is None:
        raise RuntimeError("nginx is not installed: `make bench` installs it (apt-get install nginx)")
    out = cfg_work / "export"
    settings = load_settings(build_dir=build_dir, base_uri=base)
    release = current_release(build_dir)
    if release is None:
        raise RuntimeError(f"no release in {build_dir}")
    export(settings, release, out, f"{LOOPBACK}:{port}", f"{LOOPBACK}:{upstream_port}", only)
    for folder in (out, *out.rglob("*")):  # workers run as an unprivileged user when root starts them
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    user = " user nobody nogroup;" if os.geteuid() == 0 else ""
    return Server(
        name="psm-ld export+nginx",
        command=[
            binary,
            "-p",
            str(out),
            "-c",
            str(out / "nginx-standalone.conf"),
            "-e",
            str(out / "error.log"),
            "-g",
            "daemon off;" + user,
        ],  # fmt: skip
        port=port,
        ready_path="/static/psm.css",
        log_path=out / "stdout.log",
    )
