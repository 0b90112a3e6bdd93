"""web.i18n.localtime looks the locale, zone and patterns up once per request (a list page formats
dozens of timestamps): the text is Flask-Babel's format_datetime's, for both languages, every
predefined width, a zone with summer time and instants on both sides of its changes."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import Babel, format_datetime

from web.i18n import localtime

MOMENTS = ("2026-03-29T00:59:59+00:00", "2026-03-29T01:00:00+00:00", "2026-10-25T00:30:00+00:00",
           "2026-10-25T01:30:00+00:00", "2026-12-31T16:00:00+00:00", "2026-06-01T23:59:59.999999+00:00",
           "2026-01-05T08:07:06")  # the last without an offset: UTC, as the use cases store it


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_localtime_writes_what_flask_babel_writes(zone: str, locale: str) -> None:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    Babel(app, locale_selector=lambda: locale)
    with app.test_request_context("/"):
        for fmt in ("short", "medium", "long", "full", "yyyy-MM-dd HH:mm"):
            for value in MOMENTS:
                moment = datetime.fromisoformat(value)
                expected = format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC), fmt)
                assert localtime(value, fmt) == expected, (zone, locale, fmt, value)
                assert localtime(moment, fmt) == expected
        assert localtime(None) == "" and localtime("") == ""
