"""Login, logout and the language switch."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from core.errors import TooManyRequests, ValidationFailed
from crm import directory
from web.errors import error_page
from web.i18n import LOCALE_KEY, LOCALES
from web.security import limit_logins
from web.users import current_user, database, sign_in, sign_out
from worklist import bp


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect to another host is refused."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("worklist.inbox")


@bp.route("/login", methods=["GET", "POST"])
@limit_logins(lambda: request.form.get("username") or "")
def login() -> Any:
    if request.method == "GET":
        if current_user() is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html", next=request.args.get("next", ""), username="", error=None)
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    next_url = request.form.get("next", "")
    try:
        found = directory.credentials(database(), username, password)
        error = None if found is not None else _("Wrong user name or password.")
    except ValidationFailed:
        found, error = None, _("Enter your user name and password.")
    if found is None:
        return render_template("login.html", next=next_url, username=username, error=error), 401
    sign_in(*found)
    return redirect(_safe_next(next_url))


@bp.errorhandler(TooManyRequests)
def too_many(e: TooManyRequests) -> Any:
    if request.endpoint != "worklist.login":
        return error_page(e)
    error = _("Too many failed attempts. Try again in %(seconds)s seconds.", seconds=e.retry_after)
    username = (request.form.get("username") or "").strip()
    page = render_template("login.html", next=request.form.get("next", ""), username=username, error=error)
    return page, 429, {"Retry-After": str(e.retry_after)}


@bp.post("/logout")
def logout() -> Any:
    sign_out()
    return redirect(url_for("worklist.login"))


@bp.post("/language")
def language() -> Any:
    """中文 / English: stored on the user (remembered at the next login) and in the session."""
    locale = request.form.get("locale")
    if locale not in LOCALES:
        flash(_("Unknown language."), "error")
    else:
        session[LOCALE_KEY] = locale
        user = current_user()
        if user is not None:
            directory.set_locale(database(), user["id"], locale)
    return redirect(_safe_next(request.form.get("next") or _referrer()))


def _referrer() -> str | None:
    ref = request.referrer
    if not ref:
        return None
    parts = urlsplit(ref)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
