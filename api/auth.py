"""Who is calling: bearer tokens for API clients, the session cookie for the web UI.

A token is `{"uid": id}` signed with the app's secret key (itsdangerous, salt "lz-api-token")
and valid for TOKEN_MAX_AGE seconds. Every request re-checks that the user is still active,
so deactivating a user locks them out at once.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, jsonify, request, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api import bp, database
from api.errors import json_body
from crm import directory
from engine.errors import Unauthenticated

TOKEN_SALT = "lz-api-token"
SESSION_KEY = "uid"


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def max_age() -> int:
    value = current_app.config.get("TOKEN_MAX_AGE", 12 * 3600)
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


def issue_token(user_id: int) -> str:
    return serializer().dumps({"uid": user_id})


def _uid_from_token(token: str) -> Any:
    try:
        data = serializer().loads(token, max_age=max_age())
    except SignatureExpired as e:
        raise Unauthenticated("the token has expired; request a new one at /api/v1/auth/token") from e
    except BadSignature as e:
        raise Unauthenticated("invalid token") from e
    return data.get("uid") if isinstance(data, dict) else None


def current_user_id() -> int:
    """The id of the active user making this request; Unauthenticated (401) otherwise."""
    cached = g.get("lz_uid")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
        uid = _uid_from_token(token.strip())
    else:
        uid = session.get(SESSION_KEY)
        if uid is None:
            raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>'")
    uid = directory.active_user(database(), uid)
    g.lz_uid = uid
    return uid


@bp.post("/auth/token")
def token() -> Any:
    body = json_body(allowed=("username", "password"))
    uid = directory.login(database(), body.get("username"), body.get("password"))
    if uid is None:
        raise Unauthenticated("wrong username or password")
    return jsonify({"token": issue_token(uid), "token_type": "Bearer", "expires_in": max_age()})
