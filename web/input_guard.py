"""The one request validator (issue 11): text no layer below can store or compare is refused at
the door, before authentication, with a 4xx naming the field.

- NUL characters and lone surrogates (U+D800..U+DFFF, which JSON `\\ud800` escapes produce) in any
  query argument, form field, uploaded file name, path part or JSON body (keys and values, at any
  depth): 422 naming the field (`q`, `username`, `items[2].name`, ...). PostgreSQL refuses both in
  text and UTF-8 cannot encode a surrogate, so they used to end in a 500.
- Ids in the path (`<id:...>` of the API, `<int:...>` of the pages) beyond the largest id a
  32-bit integer column holds (MAX_ID, 2^31 - 1; every id column is `Integer`): 404 naming the
  path parameter; a plain id list field (`task`, bulk approve) must be ASCII digits up to MAX_ID:
  422 naming it (`task=²` used to reach int() and fail).

Everything else about a field's value is its use case's business (ValidationFailed there).
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from core.errors import NotFound, ValidationFailed
from core.ids import MAX_ID, as_id  # every id column is a (32-bit on PostgreSQL) Integer

ID_LIST_FIELDS = ("task",)  # query/form fields that carry only ids (bulk approve: task=1&task=2)
_BAD = re.compile("[\x00\ud800-\udfff]")


def _why(text: str) -> str | None:
    m = _BAD.search(text)
    if m is None:
        return None
    return "contains a NUL character" if m.group() == "\x00" else "contains an invalid character (a lone surrogate)"


def _label(name: str) -> str:
    """A field name fit to be shown (itself cleaned of what it is refused for)."""
    return _BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", name)[:100] or "(empty name)"


def _walk_json(value: Any, path: str, out: dict[str, str]) -> None:
    stack = [(value, path)]
    while stack and len(out) < 20:
        item, where = stack.pop()
        if isinstance(item, str):
            why = _why(item)
            if why:
                out[where or "body"] = why
        elif isinstance(item, dict):
            for k, v in item.items():
                key = f"{where}.{k}" if where else str(k)
                why = _why(str(k))
                if why:
                    out[_label(key)] = "the field name " + why
                stack.append((v, _label(key)))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))


def _json_fields() -> dict[str, str]:
    if not request.is_json:
        return {}
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return {}  # not JSON: the route's json_body answers 400
    out: dict[str, str] = {}
    _walk_json(body, "", out)
    return out


def _has_form() -> bool:
    """A form body to look into. A URL-encoded one is read through the cache first, so a route
    that reads the raw body (the API answers 415 for it) still finds it."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.mimetype == "application/x-www-form-urlencoded":
        request.get_data(cache=True)
        return True
    return request.mimetype == "multipart/form-data"


def _text_fields() -> dict[str, str]:
    out: dict[str, str] = {}
    sources = [request.args]
    if _has_form():
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            why = _why(name) or _why(value)
            if why:
                out[_label(name)] = why
    if request.mimetype == "multipart/form-data":
        for name, upload in request.files.items(multi=True):
            if _why(name) or _why(upload.filename or ""):
                out[_label(name)] = "the file name contains an invalid character"
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and _why(value):
            out[name] = _why(value) or ""
    return out


def _id_fields() -> dict[str, str]:
    out: dict[str, str] = {}
    sources = [request.args] + ([request.form] if _has_form() else [])
    for source in sources:
        for name in ID_LIST_FIELDS:
            for value in source.getlist(name):
                if as_id(value) is None:
                    out[name] = f"ids are whole numbers from 1 to {MAX_ID}"
    return out


def check_request() -> None:
    """before_request: ValidationFailed / NotFound naming the field (answered by the faces' error map).
    Only requests a face will serve: Flask runs before_request before it raises a routing error, so
    an unknown path or a wrong method is left to its 404 / 405, and the static files (endpoints of
    no blueprint, hence no face's error map) store nothing; refusing those here was a 500."""
    if request.routing_exception is not None or request.blueprint is None:
        return
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
            raise NotFound(f"no such {name}: {value} is beyond the largest id ({MAX_ID})",
                           {name: f"ids go up to {MAX_ID}"})
    fields = _text_fields() | _json_fields()
    if fields:
        raise ValidationFailed("the request contains text that cannot be stored: " + ", ".join(sorted(fields)),
                               fields, reason="bad_characters")
    fields = _id_fields()
    if fields:
        raise ValidationFailed("invalid id: " + ", ".join(sorted(fields)), fields)


def install(app: Flask) -> None:
    app.before_request(check_request)
