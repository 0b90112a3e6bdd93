"""The ONE map from domain errors (core/errors.py) to HTTP statuses, and how each face answers them.

    ValidationFailed, DefinitionInvalid  422     NotFound      404
    Forbidden                            403     Unauthenticated 401
    Conflict (EngineFailure included)    409     TooManyRequests 429 (+ Retry-After)
    any other DomainError 400

JSON (the REST API, the designer's endpoints, page scripts):
`{"error": {"code", "message", "fields"}}` with that status (DefinitionInvalid adds `problems`;
401 carries WWW-Authenticate), DESIGN.md §7.

Pages: an error a view lets through becomes the error page with that status, in the user's
language (register_page_errors). A form page shows a refusal that names fields (ValidationFailed,
or a Conflict such as "already exists") at those fields and answers 422 (form_refusal).
"""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template
from flask_babel import gettext

from core.errors import (
    Conflict,
    DefinitionInvalid,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from web.messages import translate_error, translate_fields

# The lookup walks each error's MRO, so a subclass (EngineFailure < Conflict) takes its base's status.
STATUS: dict[type[DomainError], int] = {
    ValidationFailed: 422,
    DefinitionInvalid: 422,
    NotFound: 404,
    Forbidden: 403,
    Unauthenticated: 401,
    Conflict: 409,  # includes core.errors.EngineFailure (code "engine_error")
    TooManyRequests: 429,
    DomainError: 400,
}
FORM_REFUSED = 422  # a form shown again with its fields marked


def status_of(e: DomainError) -> int:
    for cls in type(e).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


# ---------------------------------------------------------------- JSON


def error_json(status: int, code: str, message: str, fields: dict[str, str] | None = None,
               **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": message, "fields": dict(fields or {})}
    body.update(extra)
    return jsonify({"error": body}), status


def domain_json(e: DomainError, fields: dict[str, str] | None = None, **extra: Any) -> tuple[Response, int]:
    """A domain error as JSON with the status of the map; `fields` replaces e.fields (e.g. translated)."""
    if isinstance(e, DefinitionInvalid):
        extra = {"problems": [p.as_dict() for p in e.problems], **extra}
    if e.reason != e.code:  # the precise reason (e.g. instance_suspended), for clients to tell 409s apart
        extra = {"reason": e.reason, **extra}
    resp, status = error_json(status_of(e), e.code, e.message, e.fields if fields is None else fields, **extra)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="liuzhuan"'
    if isinstance(e, TooManyRequests):
        resp.headers["Retry-After"] = str(e.retry_after)
    return resp, status


def page_json(e: DomainError) -> tuple[Response, int]:
    """For a page's own script: the JSON error with its message and field messages in the user's
    language (translated by code; a message without a known code as it is)."""
    resp, status = domain_json(e, translate_fields(e.fields))
    translated = translate_error(e)
    if translated is not None:
        body = resp.get_json()
        body["error"]["message"] = translated
        headers = {k: v for k, v in resp.headers.items() if k == "Retry-After"}
        resp = jsonify(body)
        resp.headers.update(headers)
    return resp, status


# ---------------------------------------------------------------- pages

ERROR_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                409: "Conflict", 413: "Too large", 429: "Too many requests"}
PAGE_STATUSES = (400, 403, 404, 405, 409, 413)


def error_page(e: Any) -> Any:
    """The error page in the user's language, for an HTTP error (abort(403), a failed CSRF check,
    an unknown URL) or a domain error (its status from the map)."""
    code = status_of(e) if isinstance(e, DomainError) else (getattr(e, "code", 500) or 500)
    messages = {
        400: gettext("The request could not be understood. If you sent a form, reload the page and try again."),
        403: gettext("You do not have access to this page."),
        404: gettext("This page does not exist."),
        405: gettext("This action is not available here."),
        409: gettext("This was changed by someone else meanwhile. Reload the page."),
        413: gettext("The upload is too large."),
    }
    message = messages.get(code) or (translate_error(e) if isinstance(e, DomainError) else None) or ""
    title = gettext(ERROR_TITLES.get(code, "Error"))
    return render_template("error.html", code=code, title=title, message=message), code


def register_page_errors(blueprint: Any) -> None:
    """Errors inside a page blueprint (abort(403), a failed CSRF check, a NotFound from a use case...)
    as the error page."""
    for code in PAGE_STATUSES:
        blueprint.register_error_handler(code, error_page)
    blueprint.register_error_handler(DomainError, error_page)


def form_refusal(e: DomainError) -> dict[str, str]:
    """The fields a use case refused, in the user's language, for a form page to show again
    (FORM_REFUSED). Any other error is raised on, to be answered by the map (the error page)."""
    if not (isinstance(e, ValidationFailed | Conflict) and e.fields):
        raise e
    return translate_fields(e.fields)
