"""What every browser page shares: languages (Flask-Babel), CSRF (Flask-WTF), login rate limits
(Flask-Limiter), the signed-in user, and the bundled assets at /static/dist.

`init_web(app)` is called by the app factory; the worklist and designer blueprints build on it.
Translations: `i18n/<locale>/*.po` (one file per page area, so they can be edited side by side)
are compiled into `translations/<locale>/LC_MESSAGES/messages.mo` by scripts/compile_i18n.py
(run by `make run` / `make test`).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, send_from_directory, session, url_for
from flask_babel import Babel, format_datetime
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect, generate_csrf

from core.errors import Unauthenticated
from crm import directory

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "frontend" / "dist"
LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
SESSION_KEY = "uid"  # api/auth.py reads the same key: a signed-in browser may call the API
LOCALE_KEY = "locale"

NAV: list[tuple[str, str, Any, Callable[[dict[str, Any]], bool]]] = []

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def limit_logins(username_of: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Failed logins (answered 401) are limited per user name and per client address; a correct
    password is never held back. Exceeding a limit answers 429."""

    def failed(response: Any) -> bool:
        return response.status_code == 401

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view = limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"],
                             deduct_when=failed)(view)
        return limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], deduct_when=failed,
                             key_func=lambda: "login:" + (username_of() or "").strip().lower())(view)

    return decorate


def database() -> Any:
    return current_app.extensions["lz_db"]


def select_locale() -> str:
    chosen = session.get(LOCALE_KEY)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def init_web(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("LIUZHUAN_RATELIMIT_STORAGE", "memory://"))
    app.config.setdefault("LOGIN_LIMIT", "5 per minute")  # failed logins per user name
    app.config.setdefault("LOGIN_IP_LIMIT", "30 per minute")  # failed logins per client address
    Babel(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"csrf_token": generate_csrf, "current_user": current_user, "locale": select_locale(),
                "asset": asset_url, "extra_nav": extra_nav}

    app.add_template_filter(localtime)
    # 404/405 from URL matching happen before a blueprint is known: api/errors.py hands those of
    # pages to error_page. The page blueprints register the rest (register_page_errors).
    app.extensions["lz_page_errors"] = error_page

    @app.get("/static/dist/<path:filename>")
    def dist(filename: str) -> Any:
        return send_from_directory(DIST, filename, max_age=3600)


def asset_url(name: str) -> str:
    """URL of a bundled asset, with its modification time so a rebuild is not served from cache."""
    try:
        version = int((DIST / name).stat().st_mtime)
    except FileNotFoundError:
        version = 0
    return url_for("dist", filename=name, v=version)


def localtime(value: Any, fmt: str = "short") -> str:
    """An ISO timestamp from the use cases (UTC) in the user's time zone and language."""
    if not value:
        return ""
    from datetime import datetime

    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, fmt)


ERROR_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                409: "Conflict", 413: "Too large"}


def error_page(e: Any) -> Any:
    """Pages get an error page in the user's language; /api/ keeps its JSON errors (api/errors.py)."""
    from flask import render_template
    from flask_babel import gettext

    code = getattr(e, "code", 500) or 500
    messages = {
        400: gettext("The request could not be understood. If you sent a form, reload the page and try again."),
        403: gettext("You do not have access to this page."),
        404: gettext("This page does not exist."),
        405: gettext("This action is not available here."),
        409: gettext("This was changed by someone else meanwhile. Reload the page."),
        413: gettext("The upload is too large."),
    }
    title = gettext(ERROR_TITLES.get(code, "Error"))
    return render_template("error.html", code=code, title=title, message=messages.get(code, "")), code


def register_page_errors(blueprint: Any) -> None:
    """Errors inside a page blueprint (abort(403), a failed CSRF check...) as the error page."""
    for code in (400, 403, 404, 405, 409, 413):
        blueprint.register_error_handler(code, error_page)


def add_nav(key: str, endpoint: str, label: Any, visible: Callable[[dict[str, Any]], bool] = lambda u: True) -> None:
    """A main-menu entry (label: a lazy_gettext string) for the users `visible` accepts."""
    if all(k != key for k, *_ in NAV):
        NAV.append((key, endpoint, label, visible))


def extra_nav(user: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "url": url_for(endpoint), "label": label}
            for key, endpoint, label, visible in NAV if visible(user)]


# ---------------------------------------------------------------- the signed-in user


def current_user() -> dict[str, Any] | None:
    """The signed-in, still active user ({id, username, display_name, roles, is_admin, locale}) or None."""
    if "lz_user" in g:
        return g.lz_user
    uid = session.get(SESSION_KEY)
    user = None
    if isinstance(uid, int) and not isinstance(uid, bool):
        try:
            user = directory.me(database(), uid)  # Unauthenticated unless the user exists and is active
        except Unauthenticated:
            session.clear()  # deactivated or deleted since login
    g.lz_user = user
    return user


def sign_in(user_id: int) -> None:
    session.clear()  # a fresh session (and CSRF token) at login: no session fixation
    session.permanent = True
    session[SESSION_KEY] = user_id
    g.pop("lz_user", None)
    user = current_user()
    if user is not None:
        session[LOCALE_KEY] = user.get("locale") or DEFAULT_LOCALE


def sign_out() -> None:
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
            return redirect(url_for("worklist.login", next=request.full_path.rstrip("?")))
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
