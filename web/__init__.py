"""What the three faces (api/, worklist/, designer/) share: languages, CSRF, login rate limits,
the signed-in user, error pages, the bundled assets, and the ONE map from domain errors to HTTP
statuses and pages. It imports no face.

    web/i18n.py      the user's language (session, Accept-Language), timestamps in their zone
    web/messages.py  messages of the layers below translated by code (core.errors.Msg, reason)
    web/errors.py    domain error -> status; JSON errors; the error page; form refusals
    web/users.py     the signed-in user, sign in/out, login_required / admin_required
    web/security.py  CSRF protection and the login throttle
    web/headers.py   security headers on every answer (CSP + script nonce, no framing)
    web/input_guard.py the one request validator: bad characters and ids out of range
    web/proxy.py     the client's address behind a configured reverse proxy
    web/nav.py       main-menu entries the faces add
    web/assets.py    /static/dist: content-hashed URLs, pre-compressed bundles, long cache
    web/static_files.py the faces' /static/<face>/ files: content-hashed URLs, long cache
    web/templates/   error.html (it extends the faces' base.html)

`init_web(app)` is called by the app factory before the faces' blueprints are registered.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from flask_babel import Babel
from flask_wtf.csrf import generate_csrf

from web import assets, headers, i18n, input_guard, options, static_files
from web.assets import asset_url
from web.errors import error_page
from web.i18n import DEFAULT_LOCALE, localtime, select_locale
from web.nav import extra_nav
from web.security import csrf, limiter
from web.users import QuietApiSessions, current_user

ROOT = Path(__file__).resolve().parent.parent

# Holds web/templates (error.html) for the template search path; it has no routes.
bp = Blueprint("web", __name__, template_folder="templates")


def init_web(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")  # app.py sets the configured one
    app.config.setdefault("LOGIN_THROTTLE", True)  # failed logins per (name, address): web/security.py
    Babel(app, locale_selector=select_locale)
    i18n.install_template_gettext(app)  # one catalogue look-up per request, not one per string
    app.session_interface = QuietApiSessions()  # API reads never rewrite the session cookie
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
    input_guard.install(app)  # NUL / lone surrogates / ids beyond 2^31-1: a 4xx naming the field
    headers.install(app)  # CSP with a per-answer script nonce, no framing, nosniff, Referrer-Policy
    static_files.install(app)  # the faces' static files: ?v=<content hash> and a year's cache

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"csrf_token": generate_csrf, "current_user": current_user, "locale": select_locale(),
                "asset": asset_url, "extra_nav": extra_nav}

    app.add_template_filter(localtime)
    app.add_template_global(options.option_tags)
    # 404/405 from URL matching happen before a blueprint is known: api/errors.py hands those of
    # pages to error_page. The page blueprints register the rest (web.errors.register_page_errors).
    app.extensions["lz_page_errors"] = error_page

    @app.get("/static/dist/<path:filename>")
    def dist(filename: str) -> Any:
        return assets.serve(filename)
