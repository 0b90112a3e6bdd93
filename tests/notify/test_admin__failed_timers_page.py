"""Admins see the failed deliveries and the timers the tick gave up on; others get 403."""
from __future__ import annotations

from datetime import timedelta

from db.base import utcnow
from engine import timers
from engine.models import Timer
from tests.api.conftest import TWO_STEP, deploy, start


def test_the_admin_page_lists_failed_timers_and_refuses_others(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    with org.db.uow(write=True) as s:
        s.add(Timer(instance_id=iid, kind="bpmn", due_at=utcnow(), attempts=timers.MAX_ATTEMPTS,
                    failed_at=utcnow() - timedelta(minutes=1), last_error="RuntimeError: broken state"))
    _sign_in(client, org["admin"])
    r = client.get("/admin/notifications")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="failed-timers"' in page and "RuntimeError: broken state" in page
    assert "TS-" in page
    _sign_in(client, org["clerk"])
    assert client.get("/admin/notifications").status_code == 403


def _sign_in(client, uid: int) -> None:
    with client.session_transaction() as sess:
        sess["uid"] = uid
