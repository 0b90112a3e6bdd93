"""Who is calling: bearer tokens for API clients, the session cookie for the web UI.

A token is `{"uid": id, "tv": version}` signed with the app's secret key (itsdangerous, salt
"lz-api-token") and valid for TOKEN_MAX_AGE seconds. Every request re-checks that the user is still
active and that the version is still the user's: logout (page or `POST /auth/logout`), a new
password and deactivation raise it, so every older token and session stops working at once.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, jsonify, request, session
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms.validators import ValidationError

from api import bp, database
from api.errors import ApiError, json_body
from core.errors import Unauthenticated
from crm import directory
from web.security import limit_logins
from web.users import SESSION_KEY, VERSION_KEY

TOKEN_SALT = "lz-api-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def max_age() -> int:
    value = current_app.config.get("TOKEN_MAX_AGE", 12 * 3600)
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


def issue_token(user_id: int, version: int) -> str:
    return serializer().dumps({"uid": user_id, "tv": version})


def _from_token(token: str) -> tuple[Any, Any]:
    try:
        data = serializer().loads(token, max_age=max_age())
    except SignatureExpired as e:
        raise Unauthenticated("the token has expired; request a new one at /api/v1/auth/token") from e
    except BadSignature as e:
        raise Unauthenticated("invalid token") from e
    return (data.get("uid"), data.get("tv", 0)) if isinstance(data, dict) else (None, None)


def current_user_id() -> int:
    """The id of the active user making this request; Unauthenticated (401) otherwise."""
    cached = g.get("lz_uid")
    if cached is not None:
        return cached
    uid, version = _credentials()
    uid = directory.active_user(database(), uid, version)
    g.lz_uid = uid
    return uid


def _credentials() -> tuple[Any, Any]:
    """(user id, token version) from the bearer token or the session cookie."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
        return _from_token(token.strip())
    else:
        uid = session.get(SESSION_KEY)
        if uid is None:
            raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>'")
        if request.method not in SAFE_METHODS:
            # A signed-in browser page calling the API: the page's CSRF token must come along.
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except ValidationError as e:
                raise ApiError(403, "csrf_failed", "send the page's CSRF token in the X-CSRFToken header",
                               {"X-CSRFToken": str(e)}) from e
    return uid, session.get(VERSION_KEY, 0)


def _json_username() -> str:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # answered 400 by json_body in the view
        body = None
    name = body.get("username") if isinstance(body, dict) else None
    return name if isinstance(name, str) else ""


@bp.post("/auth/token")
@limit_logins(_json_username)
def token() -> Any:
    body = json_body(allowed=("username", "password"))
    found = directory.credentials(database(), body.get("username"), body.get("password"))
    if found is None:
        raise Unauthenticated("wrong username or password")
    return jsonify({"token": issue_token(*found), "token_type": "Bearer", "expires_in": max_age()})


@bp.post("/auth/logout")
def logout() -> Any:
    """Revokes every token and session of the caller (this one included): 204."""
    uid, version = _credentials()
    directory.sign_out(database(), directory.active_user(database(), uid, version), version)
    g.pop("lz_uid", None)
    return "", 204
