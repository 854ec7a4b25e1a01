"""The API description for people: Swagger UI at /docs over /openapi.json, with no network.

Swagger UI's files come from a Python package (swagger-ui-py, which ships Swagger UI 5, the first to
read OpenAPI 3.1 as FastAPI writes it) and psm-ld serves them under /static/swagger-ui/, so /docs
works offline and asks no third party for anything: FastAPI's own page loads them from a CDN and its
favicon from FastAPI's site. The page starts Swagger UI from a script file (static/docs.js), not an
inline script, so that a Content-Security-Policy without 'unsafe-inline' scripts allows it. Links are
relative, so the page works behind a path prefix too.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from psm_ld.pages import STATIC_PATH

SWAGGER_UI_PATH = STATIC_PATH + "swagger-ui/"  # under the origin: /static/swagger-ui/


def swagger_ui_dir() -> Path:
    """The folder of Swagger UI's files in the installed swagger-ui-py (found without importing it:
    its package imports handlers for half a dozen frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: `pip install -e .` (make setup) installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


PAGE = f"""<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>psm-ld — API</title>
<link rel="icon" href="{STATIC_PATH}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{SWAGGER_UI_PATH}swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="openapi.json"></div>
<script src="{SWAGGER_UI_PATH}swagger-ui-bundle.js"></script>
<script src="{STATIC_PATH}docs.js"></script>
</body>
</html>
"""


def register(app: FastAPI) -> None:
    """/docs and the Swagger UI files; call before /static is mounted (its mount would take the path)."""
    app.mount("/" + SWAGGER_UI_PATH.rstrip("/"), StaticFiles(directory=swagger_ui_dir()), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
