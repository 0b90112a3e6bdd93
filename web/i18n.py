"""The user's language: chosen in the session (the language switch, or the user's own setting at
login), else the browser's Accept-Language, else Chinese; and timestamps in the user's zone.

Translations: `i18n/<locale>/*.po` (one file per page area, so they can be edited side by side)
are compiled into `translations/<locale>/LC_MESSAGES/messages.mo` by scripts/compile_i18n.py
(run by `make run` / `make test`). Messages of the layers below (errors, field messages) are
translated by code in web/messages.py.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import format_datetime, get_translations

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
LOCALE_KEY = "locale"


def select_locale() -> str:
    chosen = session.get(LOCALE_KEY)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def localtime(value: Any, fmt: str = "short") -> str:
    """An ISO timestamp from the use cases (UTC) in the user's time zone and language."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, fmt)


def _translations() -> Any:
    """This request's catalogue, looked up once: Flask-Babel's template gettext asks for it again for
    every string (~20 µs each, ~180 strings on the inbox page). The locale is fixed for the request
    (Flask-Babel keeps it on the request too, and nothing here calls its refresh())."""
    if not has_request_context():
        return get_translations()
    found = getattr(request, "lz_translations", None)
    if found is None:
        found = get_translations()
        request.lz_translations = found  # type: ignore[attr-defined]
    return found


def install_template_gettext(app: Flask) -> None:
    """Templates' _() / gettext / ngettext through the request's catalogue (after Babel(app))."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
