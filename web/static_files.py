"""The faces' own static files (/static/<face>/..., the blueprints' `static` folders): versioned
URLs and a long cache, as web/assets.py does for the bundles.

`url_for('worklist.static', filename='app.css')` gains `?v=<hash of the file's content>`, so a page
names one content of the file; an answer to a URL with the current hash may be cached for a year
(`immutable`), and a page load no longer asks again for each stylesheet and script (Flask's default
for static files is `no-cache`: one conditional request per file per page). A URL without the hash,
or with an old one, keeps Flask's answer (revalidated on use). A changed file gets a new URL.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

from web.assets import YEAR, file_version


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def _version(app: Flask, endpoint: str, filename: str) -> str | None:
    folder = _folder(app, endpoint)
    path = safe_join(folder, filename) if folder else None
    return file_version(path) if path else None


def install(app: Flask) -> None:
    @app.url_defaults
    def _versioned(endpoint: str, values: dict[str, Any]) -> None:
        if _is_static(endpoint) and "v" not in values and isinstance(values.get("filename"), str):
            v = _version(app, endpoint, values["filename"])
            if v and v != "0":
                values["v"] = v

    @app.after_request
    def _long_cache(response: Response) -> Response:
        if response.status_code != 200 or not _is_static(request.endpoint):
            return response
        filename = (request.view_args or {}).get("filename")
        v = request.args.get("v")
        if v and isinstance(filename, str) and v == _version(app, str(request.endpoint), filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
