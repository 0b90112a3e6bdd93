"""Notification fixtures: the API app (tests/api/conftest.py) and helpers reading the outbox."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from core.config import NotifySettings, load_notify
from notify import runner
from notify.models import Notification
from tests.api.conftest import API, app, client, login  # noqa: F401  (fixtures re-exported)
from tests.notify.scaled_setup import _scaled_template, scaled  # noqa: F401  (the scaled mode's workers)


def outbox(org: Any, **where: Any) -> list[Notification]:
    """Every notification row (oldest first), filtered by column values; usernames for `recipient`."""
    recipient = where.pop("recipient", None)
    with org.db.uow() as s:
        stmt = select(Notification).order_by(Notification.id)
        if recipient is not None:
            stmt = stmt.where(Notification.recipient_id == org[recipient])
        for k, v in where.items():
            stmt = stmt.where(getattr(Notification, k) == v)
        return list(s.scalars(stmt))


def inapp(org: Any, kind: str | None = None) -> list[tuple[str, str, int | None]]:
    """(recipient username, kind, task id) of the in-app rows, oldest first."""
    return [(org.name_of(n.recipient_id), n.kind, n.task_id) for n in outbox(org, channel="inapp")
            if kind is None or n.kind == kind]


def my_notifications(http: Any, user: str, **params: Any) -> dict[str, Any]:
    r = http.get(f"{API}/notifications", query_string=params, headers=login(http, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture(autouse=True)
def notify_settings(request, tmp_path) -> Iterator[NotifySettings]:
    """Mail goes to this test's own outbox folder (no webhook, in-process delivery); restored afterwards."""
    if "client" in request.fixturenames or "app" in request.fixturenames:
        request.getfixturevalue("app")  # create_app() configures the runner: this test's settings come after
    before = dict(runner._state)
    conf = load_notify({}, outbox_dir=tmp_path / "outbox", base_url="http://lz.test")
    runner.configure(conf, "inprocess")
    yield conf
    runner.wait_idle()
    runner._state.update(before)


def use(conf: NotifySettings, **changes: Any) -> NotifySettings:
    """Deliver with these settings from now on in this test."""
    from dataclasses import replace

    new = replace(conf, **changes)
    runner.configure(new, "inprocess")
    return new
