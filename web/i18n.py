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

from flask import request, session
from flask_babel import format_datetime

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
