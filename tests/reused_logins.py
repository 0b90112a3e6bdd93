"""What decides a log-in's answer for `username` on `app`, for reusing an earlier log-in in tests
(tests/api/conftest.login, tests/web/conftest.signed_in): every copy of the test organisation holds
the same users, so a token or session cookie got in one test serves the next while this stays the same."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from crm.models import User


def login_state(app: Any, username: str) -> tuple[Any, ...] | None:
    """The user's row as a log-in reads it (id, token version, active, password hash, trial end,
    locale) with the app's secret key and today's date; None for an unknown user (never reused).
    A new password, a deactivation or a logout changes it."""
    with app.extensions["lz_db"].uow() as s:
        row = s.execute(select(User.id, User.token_version, User.active, User.password_hash, User.trial_expires_on,
                               User.locale).where(User.username == username)).one_or_none()
    return None if row is None else (app.secret_key, date.today(), username, *row)
