"""The signed-in user of a browser session, and the guards pages put in front of their views.

The session holds the user's id (SESSION_KEY; api/auth.py reads the same key, so a signed-in
browser may call the API), the user's token version at login (VERSION_KEY: a stale one is
signed out) and the chosen language (web.i18n.LOCALE_KEY). The user is read once
per request through crm.directory.me, which refuses a missing or deactivated user.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from core.errors import Unauthenticated
from crm import directory
from web.i18n import DEFAULT_LOCALE, LOCALE_KEY

SESSION_KEY = "uid"  # api/auth.py reads the same key: a signed-in browser may call the API
VERSION_KEY = "tv"  # the user's token version at login; logout, a new password or deactivation raise it
LOGIN_ENDPOINT = "worklist.login"  # where login_required sends a visitor (the worklist face serves it)


def database() -> Any:
    """The application's Database (db/session.py), put there by the app factory."""
    return current_app.extensions["lz_db"]


def current_user() -> dict[str, Any] | None:
    """The signed-in, still active user ({id, username, display_name, roles, is_admin, locale}) or None."""
    if "lz_user" in g:
        return g.lz_user
    uid = session.get(SESSION_KEY)
    user = None
    if isinstance(uid, int) and not isinstance(uid, bool):
        try:  # Unauthenticated unless the user exists, is active and the session was not revoked
            user = directory.me(database(), uid, session.get(VERSION_KEY, 0))
        except Unauthenticated:
            session.clear()  # deactivated, signed out elsewhere or given a new password since login
    g.lz_user = user
    return user


def sign_in(user_id: int, version: int) -> None:
    session.clear()  # a fresh session (and CSRF token) at login: no session fixation
    session.permanent = True
    session[SESSION_KEY] = user_id
    session[VERSION_KEY] = version
    g.pop("lz_user", None)
    user = current_user()
    if user is not None:
        session[LOCALE_KEY] = user.get("locale") or DEFAULT_LOCALE


def sign_out() -> None:
    """Ends this session and revokes every other session and token of the user (a copied cookie
    stops working too)."""
    uid = session.get(SESSION_KEY)
    if uid is not None:
        directory.sign_out(database(), uid, session.get(VERSION_KEY, 0))
    locale = session.get(LOCALE_KEY)
    session.clear()
    if locale:
        session[LOCALE_KEY] = locale
    g.pop("lz_user", None)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages need a signed-in user; others are sent to the login page and back afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for(LOGIN_ENDPOINT, next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admin pages: 403 for everyone else (after login)."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if not (user and user.get("is_admin")):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def is_process_admin(user: dict[str, Any] | None) -> bool:
    roles = (user or {}).get("roles") or []
    return "admin" in roles or "process_admin" in roles


class QuietApiSessions(SecureCookieSessionInterface):
    """The session cookie is rewritten by pages and by whatever changes the session, but not by an
    API call that only read it. The cookie holds the whole session, so a response sends back the
    session as its request found it: the bell's background call to /api/v1/notifications, answered
    just after a form post stored its flash message ("已委派给…"), would put back a cookie without
    the message, and the next page would never show it."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if not session.modified and request.path.startswith("/api/"):
            return False
        return super().should_set_cookie(app, session)
