"""Step 3, what a resource looks like: HTML pages (Jinja2 templates, static assets) and RDF
documents of every resource (describe, documents), and the label search index (search). Reads
the release through psm_ld.query; renders for the server and for the static export alike.

The pages, one job per module: model (reading labels, kinds, the plan's tree, sources and alignments
from the store), counts (declared against present), properties (property tables), urls (links onto
the serving origin), jsonld (schema.org), kinds/ (one context builder per page kind), templates/ (all
markup), render (`Pages`, the facade the server and the export call).

What the server and the export use is importable from here: `Pages`, `Table` (a result to show),
`STATIC_DIR` and `STATIC_PATH` (the assets and where they are served), `SEARCH_PATH` and
`SUGGEST_PATH` (search and its suggestions as you type), `json_script`. Pages come in Italian and
English (psm_ld.pages.i18n; which URL serves which: psm_ld.pages.urls).
"""

from psm_ld.pages.jsonld import json_script
from psm_ld.pages.kinds.services import Table
from psm_ld.pages.render import STATIC_DIR, Pages
from psm_ld.pages.urls import SEARCH_PATH, STATIC_PATH, SUGGEST_PATH

__all__ = ["SEARCH_PATH", "STATIC_DIR", "STATIC_PATH", "SUGGEST_PATH", "Pages", "Table", "json_script"]
