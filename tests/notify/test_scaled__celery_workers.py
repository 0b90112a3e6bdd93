"""Scaled mode end to end: real Celery workers (subprocesses, `celery -A celery_app worker`) on the
real Redis and PostgreSQL deliver an approval's notification and run the tick; with two workers
ticking at once a timer fires once; with one worker killed (SIGKILL) the other carries on."""
from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from crm.models import User
from db.base import utcnow
from db.session import Database
from engine import instances
from engine.design import definitions
from engine.models import AuditEvent, Timer
from notify.models import Notification
from tests.api.conftest import TWO_STEP
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h
from tests.notify.scaled_setup import wait_for

REMIND = chain("scaled_remind", [user_task("n", "any", "users", "v01",
                                           extra='<lz:deadline duration="PT1H" action="remind"/>')], prefix="SR")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("celery")]


def _email_rows(db: Database) -> list[Notification]:
    with db.uow() as s:
        return list(s.scalars(select(Notification).where(Notification.channel == "email").order_by(Notification.id)))


def test_workers_deliver_an_approvals_notification_and_fire_a_timer_once(scaled):
    db, org = scaled["db"], scaled["org"]
    with db.uow(write=True) as s:
        s.get(User, org["sales_lead"]).email = "lead@example.com"
        s.get(User, org["clerk"]).email = "clerk@example.com"
    w1, _w2 = scaled["start_worker"](), scaled["start_worker"]()
    definitions.deploy(db, TWO_STEP, org["admin"])
    definitions.deploy(db, REMIND, org["admin"])
    iid = instances.start_process(db, org["clerk"], "two_step", {})["id"]
    wait_for(lambda: [n.status for n in _email_rows(db)] == ["sent"], "the new-task e-mail")
    (eml,) = list(scaled["outbox"].glob("*.eml"))
    assert b"To: lead@example.com" in eml.read_bytes()

    # the tick through the workers: two ticks at once, the timer fires once
    rid = instances.start_process(db, org["clerk"], "scaled_remind", {})["id"]
    with db.uow(write=True) as s:
        s.execute(update(Timer).where(Timer.instance_id == rid).values(due_at=utcnow() - timedelta(minutes=1)))
    ticks = [scaled["send"]("liuzhuan.tick") for _ in range(2)]

    def reminds() -> int:
        with db.uow() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.instance_id == rid, AuditEvent.action == "remind")) or 0

    scaled["ran"](*ticks)
    assert reminds() == 1, "the deadline reminder"
    scaled["ran"](scaled["send"]("liuzhuan.tick"))
    assert reminds() == 1

    # one worker killed: the other delivers the next notifications (the decision to the initiator)
    w1.send_signal(signal.SIGKILL)
    w1.wait(10)
    for user in ("sales_lead", "v01", "v02"):
        h.approve(org, user, iid)
    wait_for(lambda: any(n.kind == "decided" and n.status == "sent" for n in _email_rows(db)), "the decision e-mail")
