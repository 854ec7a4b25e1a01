"""Static export (design.md, "Export"): the release's documents as files, plus an nginx server block
that serves them and hands everything else to `psm-ld serve`.

    <out>/site/<path>.html .ttl .jsonld .rdf .nt   every resource's documents (documents.py bytes)
    <out>/site/_en/<path>.html                     the same pages in English (<path>.html?lang=en)
    <out>/site/static/, <out>/site/download/       the pages' assets and the release's downloads
    <out>/nginx.conf                               a `server { }` block to include in nginx's http { }
    <out>/nginx-standalone.conf                    a whole configuration around it, to try it out:
                                                   nginx -p <out> -c <out>/nginx-standalone.conf

The documents are what dereferencing serves, rendered once for the canonical origin, so nginx can
answer them at static-file speed (bench/RESULTS.md). Content negotiation stays in one place: a
resource IRI without a suffix, /sparql, search, named queries and the rest are proxied to psm-ld,
which answers the 303 to the negotiated document (conneg.py). The headers nginx adds to a document
are the ones psm-ld sends (Vary, Link alternates and canonical, CORS, Cache-Control); ETag and
Last-Modified are nginx's own, from the file.

Languages (psm_ld.pages.urls): an HTML document's language is in its URL, `X.html` Italian and
`X.html?lang=en` English, and never depends on Accept-Language; so both are files, and nginx picks
the English one by the `lang` argument (a `map`), with the Content-Language and canonical link
psm-ld sends. `_en/` itself is internal: its files have no URL of their own.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from psm_ld.config import Settings
from psm_ld.pages import STATIC_DIR, STATIC_PATH
from psm_ld.pages.documents import DOCUMENT_TYPES, DOWNLOADS_PATH, Documents
from psm_ld.pages.i18n import DEFAULT, LANGUAGES
from psm_ld.pages.prerendered import language_folder
from psm_ld.queries import load_queries
from psm_ld.query import conneg
from psm_ld.query.store import StoreSource
from psm_ld.release import Release
from psm_ld.web.security import HEADERS as SECURITY_HEADERS

SITE = "site"
ENGLISH_DIR = language_folder("en")  # under the site: the English HTML documents (`….html?lang=en`)
NGINX_CONF = "nginx.conf"
NGINX_STANDALONE = "nginx-standalone.conf"
# the media types nginx must send, as psm-ld does (with charset where psm-ld adds one)
NGINX_TYPES = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/n-triples": "nt",
    "application/n-quads": "nq",
    "text/csv": "csv",
    "text/css": "css",
    "text/javascript": "js",
    "image/svg+xml": "svg",
}
CHARSET_TYPES = ("text/html", "text/turtle", "application/ld+json", "text/csv", "text/css", "text/javascript")


@dataclass(frozen=True)
class Exported:
    site: Path
    nginx_conf: Path
    resources: int
    files: int
    bytes: int


def export(settings: Settings, release: Release, out: Path, listen: str, upstream: str,
           only: Collection[str] | None = None) -> Exported:  # fmt: skip
    """Write the export of `release` into `out` (replaced whole; written beside it, then renamed).
    `only`: the documents of these resource IRIs alone (the bench's smoke run: one action's);
    None, every resource's."""
    out = out.resolve()
    staging = out.with_name(f".{out.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    site = staging / SITE
    store = StoreSource(release.nquads).open_faithful()
    documents = Documents(release, settings, store, load_queries(settings.queries_dir))
    base = settings.base_uri
    resources = [iri for iri in documents.resources() if only is None or iri in only]
    files = size = 0
    for name, body in documents.every(resources, base):  # pre-rendered by the build, where they are
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        files, size = files + 1, size + len(body)
    shutil.copytree(STATIC_DIR, site / STATIC_PATH.strip("/"))
    shutil.copytree(release.downloads, site / DOWNLOADS_PATH)
    block = nginx_server_block(site=out / SITE, listen=listen, upstream=upstream, base=base)
    (staging / NGINX_CONF).write_text(block, encoding="utf-8")
    (staging / NGINX_STANDALONE).write_text(STANDALONE.format(prefix=out), encoding="utf-8")
    (staging / "tmp").mkdir()
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return Exported(out / SITE, out / NGINX_CONF, len(resources), files, size)


STANDALONE = """# psm-ld static export: a whole nginx configuration around nginx.conf, to run it as it is:
#   nginx -p {prefix} -c {prefix}/nginx-standalone.conf -g 'daemon off;'
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/nginx.conf;
}}
"""


def nginx_server_block(site: Path, listen: str, upstream: str, base: str) -> str:
    suffixes = "|".join(conneg.SUFFIX_OF[m].lstrip(".") for m in DOCUMENT_TYPES if m != conneg.HTML)
    alternates = ", ".join(
        f'<$scheme://$http_host/$psm_stem{conneg.SUFFIX_OF[m]}>; rel="alternate"; type="{m}"'
        for m in DOCUMENT_TYPES
    )
    link = f'{alternates}, <{base}$psm_stem.$psm_ext>; rel="canonical", <{base}$psm_stem>; rel="describes"'
    types = "\n".join(f"        {media} {suffix};" for media, suffix in NGINX_TYPES.items())
    # the app's security headers (web/security.py) on what nginx serves itself; proxied answers
    # carry the app's own (@psm has no add_header, and a location's add_header replaces the server's)
    security = "".join(
        f'\n        add_header {name} "{value}" always;' for name, value in SECURITY_HEADERS.items()
    )
    html_link = (
        f'{alternates}, <{base}$psm_stem.html$psm_lang_query>; rel="canonical", '
        f'<{base}$psm_stem>; rel="describes"'
    )
    english = [lang for lang in LANGUAGES if lang != DEFAULT]
    lang_dirs = "".join(f'\n    "{lang}" /{language_folder(lang)};' for lang in english)
    lang_queries = "".join(f'\n    "{lang}" "?lang={lang}";' for lang in english)
    lang_codes = "".join(f'\n    "{lang}" {lang};' for lang in english)
    return f"""# psm-ld static export: generated by `psm-ld export`; include it in nginx's http {{ }} block.
# Documents are files under root; everything else goes to psm-ld at {upstream}.
# An HTML document's language is its URL's (?lang=en: the English file under /{ENGLISH_DIR}/).
map $arg_lang $psm_lang_dir {{
    default "";{lang_dirs}
}}
map $arg_lang $psm_lang_query {{
    default "";{lang_queries}
}}
map $arg_lang $psm_lang {{
    default {DEFAULT};{lang_codes}
}}
server {{
    listen {listen};
    root {site};
    types {{
{types}
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types {" ".join(CHARSET_TYPES)};
    etag on;
    # compressed for clients that ask (nginx then weakens the ETag, as a different coding requires)
    gzip on;
    gzip_vary on;
    gzip_min_length 1024;
    gzip_types {" ".join(m for m in NGINX_TYPES if m != "text/html")};

    # a resource's HTML page, in the language of its URL
    location ~ "^/(?<psm_stem>.+)\\.html$" {{
        try_files $psm_lang_dir$uri @psm;
        add_header Vary Accept always;
        add_header Content-Language $psm_lang always;
        add_header Link '{html_link}' always;
        add_header Access-Control-Allow-Origin * always;
        add_header Cache-Control "public, max-age=300" always;{security}
    }}
    location ^~ /{ENGLISH_DIR}/ {{
        internal;
    }}
    # a resource's RDF documents, as dereferencing serves them
    location ~ "^/(?<psm_stem>.+)\\.(?<psm_ext>{suffixes})$" {{
        try_files $uri @psm;
        add_header Vary Accept always;
        add_header Link '{link}' always;
        add_header Access-Control-Allow-Origin * always;
        add_header Cache-Control "public, max-age=300" always;{security}
    }}
    location ^~ /{STATIC_PATH} {{
        try_files $uri @psm;
        add_header Access-Control-Allow-Origin * always;{security}
    }}
    location ^~ /{DOWNLOADS_PATH} {{
        try_files $uri @psm;
        add_header Access-Control-Allow-Origin * always;
        add_header Cache-Control "public, max-age=300" always;{security}
    }}
    # resource IRIs (303 by content negotiation), /sparql, search, queries, catalog, VoID, sitemap
    location / {{
        try_files $uri @psm;{security}
    }}
    location @psm {{
        proxy_pass http://{upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
}}
"""
