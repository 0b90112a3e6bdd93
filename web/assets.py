"""The bundled browser assets (frontend/dist, built by frontend/build.mjs) at /static/dist.

* `asset_url(name)`: the URL carries a hash of the file's content (`?v=`), so a URL names one
  content for ever and may be cached for a year (`immutable`); a rebuild changes the URL.
* `serve(name)`: the build writes each asset pre-compressed (`.br`, `.gz`); the smallest encoding
  the browser accepts is sent with `Content-Encoding` and `Vary: Accept-Encoding`. Nothing is
  compressed per request.
"""
from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import abort, request, send_from_directory, url_for
from werkzeug.security import safe_join

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "frontend" / "dist"
YEAR = 365 * 24 * 3600
# Preferred first: brotli is 10-15% smaller than gzip on these bundles.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@lru_cache(maxsize=64)
def _content_hash(path: str, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def file_version(path: str | Path) -> str:
    """A short hash of a file's content, read again only when its mtime changes ("0": no such file)."""
    try:
        return _content_hash(str(path), Path(path).stat().st_mtime_ns)
    except (FileNotFoundError, NotADirectoryError):
        return "0"


def version(name: str) -> str:
    """A short hash of the asset's content ("0" when it has not been built)."""
    return file_version(DIST / name)


def asset_url(name: str) -> str:
    return url_for("dist", filename=name, v=version(name))


def serve(filename: str) -> Any:
    path = safe_join(str(DIST), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    versioned = request.args.get("v") == version(filename)
    # a URL with the current content hash never changes; anything else is checked hourly (passed to
    # send_from_directory: without a max_age it marks the response no-cache, revalidated on every use)
    max_age = YEAR if versioned else 3600
    accepted = request.accept_encodings
    for encoding, suffix in ENCODINGS:
        if accepted[encoding] and Path(path + suffix).is_file():
            response = send_from_directory(DIST, filename + suffix, mimetype=_mimetype(filename), etag=True,
                                           max_age=max_age)
            response.headers["Content-Encoding"] = encoding
            break
    else:
        response = send_from_directory(DIST, filename, max_age=max_age)
    response.headers["Vary"] = "Accept-Encoding"
    response.cache_control.public = True
    if versioned:
        response.cache_control.immutable = True
    return response


def _mimetype(filename: str) -> str | None:
    return mimetypes.guess_type(filename)[0]
