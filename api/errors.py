"""Every API error as JSON.

Body, always: {"error": {"code": "...", "message": "...", "fields": {"name": "why"}}}
(DefinitionInvalid adds "problems": [{element_id, message, rule}] inside "error").

Domain errors (core/errors.py) map to statuses in web/errors.py, the one map the faces share;
nothing below the faces knows about HTTP.
Request-shape errors found while parsing (malformed body, wrong content type, bad paging)
are `ApiError`s. Unknown routes and wrong methods under /api answer JSON too; any other
exception is logged and answered with a 500 that reveals nothing of the internals.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from core.errors import DomainError, ValidationFailed
from web import json_body as json_body_
from web.errors import domain_json, error_json

API_ROOT = "/api"


class ApiError(Exception):
    """A request the API cannot parse: raised by api/ helpers, answered as JSON."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, dict(fields or {})


# ---------------------------------------------------------------- request parsing helpers


def json_body(allowed: Iterable[str] | None = None) -> dict[str, Any]:
    """The JSON object sent as the body ({} when the body is empty).

    400 when the body is not a JSON object (malformed, NaN/Infinity, nested too deeply, another
    type), 415 when it is not sent as JSON, 422 naming each key not in `allowed` (when given)."""
    raw = request.get_data(cache=True)
    if raw.strip() and not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as JSON (Content-Type: application/json)",
                       {"body": "Content-Type must be application/json"})
    try:
        body = json_body_.loads_object(raw)
    except json_body_.BadJson as e:
        raise ApiError(400, "bad_request", e.message, {"body": e.why}) from e
    if allowed is not None:
        allowed = tuple(allowed)
        unknown = sorted(str(k) for k in body if k not in allowed)
        if unknown:
            raise ValidationFailed(f"unknown field(s): {', '.join(unknown)}",
                                   {k: "unknown field; allowed: " + (", ".join(allowed) or "none") for k in unknown})
    return body


def optional_text(body: dict[str, Any], name: str) -> str | None:
    """body[name] when it is a string or absent/null; 422 naming the field otherwise."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"{name} must be text", {name: "must be a string"})
    return value


# ---------------------------------------------------------------- handlers


def _domain(e: DomainError) -> tuple[Response, int]:
    return domain_json(e)


def _api(e: ApiError) -> tuple[Response, int]:
    return error_json(e.status, e.code, e.message, e.fields)


def _http(e: HTTPException) -> tuple[Response, int]:
    status = e.code or 500
    if status >= 500:
        return _hidden(e)
    code = (e.name or "error").lower().replace(" ", "_").replace("'", "")
    resp, status = error_json(status, code, e.description or e.name or "error")
    for name, value in e.get_headers():
        if name.lower() == "allow":
            resp.headers["Allow"] = value
    return resp, status


def _hidden(e: BaseException) -> tuple[Response, int]:
    current_app.logger.error("unhandled error in %s %s", request.method, request.path, exc_info=e)
    return error_json(500, "internal_error", "an unexpected error occurred; it has been logged")


def _unexpected(e: Exception) -> tuple[Response, int]:
    if isinstance(e, HTTPException):
        return _http(e)
    return _hidden(e)


def _routing(e: HTTPException) -> Any:
    """404 / 405 raised by URL matching happen before any blueprint is chosen: app-wide handler,
    JSON under /api; elsewhere the web pages' error page (app.extensions["lz_page_errors"], set by
    web/__init__.py), else Flask's default page."""
    if not (request.path == API_ROOT or request.path.startswith(API_ROOT + "/")):
        page = current_app.extensions.get("lz_page_errors")
        return page(e) if page is not None else e
    if e.code == 404:
        return error_json(404, "not_found", f"no such API route: {request.path}")
    return _http(e)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(DomainError, _domain)
    bp.register_error_handler(ApiError, _api)
    bp.register_error_handler(HTTPException, _http)
    bp.register_error_handler(Exception, _unexpected)
    bp.app_errorhandler(404)(_routing)
    bp.app_errorhandler(405)(_routing)
