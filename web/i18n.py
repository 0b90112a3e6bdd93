"""The user's language: chosen in the session (the language switch, or the user's own setting at
login), else the browser's Accept-Language, else Chinese; and timestamps in the user's zone.

Translations: `i18n/<locale>/*.po` (one file per page area, so they can be edited side by side)
are compiled into `translations/<locale>/LC_MESSAGES/messages.mo` by scripts/compile_i18n.py
(run by `make run` / `make test`). Messages of the layers below (errors, field messages) are
translated by code in web/messages.py.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from babel import dates
from flask import Flask, has_request_context, request, session
from flask_babel import format_datetime, get_locale, get_timezone, get_translations
from jinja2 import pass_context
from markupsafe import Markup

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
LOCALE_KEY = "locale"


def select_locale() -> str:
    chosen = session.get(LOCALE_KEY)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


PREDEFINED = ("short", "medium", "long", "full")


class _Clock:
    """Babel's format_datetime(moment, <predefined format>, tzinfo=zone, locale=locale) with the
    format's patterns looked up once per (locale, zone) instead of once per timestamp (each went
    through Flask-Babel, Locale.parse and the locale's pattern tables). Same steps, same text:
    tests/web/test_localtime__same_text.py."""

    def __init__(self, locale: Any, zone: Any) -> None:
        self.locale, self.zone = locale, zone
        self.patterns: dict[str, tuple[str, Any, Any]] = {}

    def format(self, moment: datetime, fmt: Any) -> str:
        found = self.patterns.get(fmt)
        if found is None:
            found = self.patterns[fmt] = (str(dates.get_datetime_format(fmt, locale=self.locale)).replace("'", ""),
                                          dates.get_time_format(fmt, locale=self.locale),
                                          dates.get_date_format(fmt, locale=self.locale))
        whole, time_of_day, day = found
        local = moment.astimezone(self.zone)
        if hasattr(self.zone, "normalize"):  # pytz
            local = self.zone.normalize(local)
        return (whole.replace("{0}", time_of_day.apply(local.timetz(), self.locale, reference_date=local.date()))
                .replace("{1}", day.apply(local.date(), self.locale)))


_CLOCKS: dict[tuple[str, str], _Clock] = {}  # by (locale, zone): two languages, the zones in use


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=8192)
def _formatted(clock: tuple[str, str], value: Any, fmt: str) -> str:
    """A timestamp's text for (locale, zone) `clock`: the same rows come back on every visit of a
    list, and a text depends on nothing else (a few MB at most)."""
    return _CLOCKS[clock].format(_moment(value), fmt)


def localtime(value: Any, fmt: str = "short") -> str:
    """An ISO timestamp from the use cases (UTC) in the user's time zone and language."""
    if not value:
        return ""
    if fmt not in PREDEFINED or not has_request_context():
        return format_datetime(_moment(value), fmt)
    clock = getattr(request, "lz_clock", None)
    if clock is None:
        locale, zone = get_locale(), get_timezone()
        clock = request.lz_clock = (str(locale), getattr(zone, "zone", None) or str(zone))  # type: ignore[attr-defined]
        if clock not in _CLOCKS:
            _CLOCKS[clock] = _Clock(locale, zone)
    return _formatted(clock, value, fmt)


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


@pass_context
def _template_gettext(context: Any, string: str, **variables: Any) -> str:
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext: translated, marked safe when the
    template escapes, then always %-formatted) in one call: `_()` went through Jinja's alias, two
    context calls and the catalogue's look-up, ~6.6 µs a string, ~100 strings on the task page."""
    rv: Any = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    if not variables and "%" not in rv:
        return rv  # type: ignore[no-any-return]  # (what `% {}` gives: nothing to format, no %% to undo)
    return rv % variables  # type: ignore[no-any-return]


def install_template_gettext(app: Flask) -> None:
    """Templates' _() / gettext / ngettext through the request's catalogue (after Babel(app))."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
