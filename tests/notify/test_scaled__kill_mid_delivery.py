"""kill -9 of a Celery worker in the middle of sending a notification (DESIGN.md §8 "Scaled mode").

The guarantee, asserted here: nothing is lost, and the outbox sends each row to completion once.
The receiving side gets the message *at least* once, always with the same key:
- SMTP: a server takes responsibility for a message only when it answers 250; a sender killed
  before that answer leaves nothing accepted, so the resend after the lease is the one message
  (exactly one in the mailbox, its Message-ID derived from the row's key);
- a webhook has no such handshake: the endpoint may have acted on a request whose sender died
  before reading the answer; the resend carries the same `Idempotency-Key`, so a receiver keeping
  the keys it saw shows the message once (asserted: two requests, one key, one message).
The killed worker's claim (a lease on the row) keeps everybody else off the row while it might
still be sending; once the lease is over, the tick's sweep on another worker sends it again.
"""
from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.config import load_notify
from crm.models import User
from db.base import utcnow
from engine import instances
from engine.design import definitions
from notify.channels.mail import build
from notify.models import Notification
from tests.api.conftest import TWO_STEP
from tests.notify.servers import robot_server, smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("celery")]


def _rows(db, channel: str) -> list[Notification]:
    with db.uow() as s:
        return list(s.scalars(select(Notification).where(Notification.channel == channel).order_by(Notification.id)))


def _kill_and_recover(scaled, channel: str, worker_env: dict[str, str], stalled, release) -> Notification:
    """The new-task message of a started request stalls at the receiver; its worker is killed; a second
    worker does not touch the row while the lease runs, and sends it once the lease is over."""
    db, org = scaled["db"], scaled["org"]
    w1 = scaled["start_worker"](**worker_env)
    definitions.deploy(db, TWO_STEP, org["admin"])
    instances.start_process(db, org["clerk"], "two_step", {})
    assert stalled.wait(60), "the worker never reached the receiver"
    (row,) = _rows(db, channel)
    assert (row.status, row.attempts) == ("pending", 1)  # claimed by w1, which is sending now
    assert row.next_attempt_at is not None and row.next_attempt_at > utcnow()  # the lease
    w1.send_signal(signal.SIGKILL)
    w1.wait(10)
    release.set()

    scaled["start_worker"](**worker_env)
    scaled["ran"](scaled["send"]("liuzhuan.deliver", [row.id]),  # handed over again while the lease runs
                  scaled["send"]("liuzhuan.tick"))
    (row,) = _rows(db, channel)
    assert (row.status, row.attempts) == ("pending", 1), "the lease of the killed worker's claim was not kept"

    with db.uow(write=True) as s:  # the lease is over (2 minutes in real life)
        s.execute(update(Notification).where(Notification.id == row.id)
                  .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    scaled["ran"](scaled["send"]("liuzhuan.tick"))
    assert _rows(db, channel)[0].status == "sent", "the resend after the lease"
    scaled["ran"](scaled["send"]("liuzhuan.tick"),  # later sweeps and hand-overs send nothing more
                  scaled["send"]("liuzhuan.deliver", [row.id]))
    (row,) = _rows(db, channel)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    return row


def test_killed_mid_webhook_the_message_is_resent_once_with_the_same_idempotency_key(scaled):
    db, org = scaled["db"], scaled["org"]
    with db.uow(write=True) as s:
        s.get(User, org["sales_lead"]).notify_prefs = {"task": {"webhook": True, "email": False}}
    with robot_server() as (port, robot):
        url = f"http://127.0.0.1:{port}/hook"
        scaled["configure"](webhook_url=url, webhook_format="json")
        robot.stall_next = True
        row = _kill_and_recover(scaled, "webhook", {"LIUZHUAN_WEBHOOK_URL": url, "LIUZHUAN_WEBHOOK_FORMAT": "json"},
                                robot.stalled, robot.release)
        assert robot.keys == [row.key, row.key]  # at least once: sent again after the kill, same key
        assert [body["key"] for _path, body in robot.received] == [row.key, row.key]
        seen = {body["key"]: body for _path, body in robot.received}  # a receiver deduplicating by key
        (message,) = seen.values()
        assert message["recipient"]["username"] == "sales_lead" and message["kind"] == "task"


def test_killed_mid_smtp_exactly_one_message_is_accepted(scaled):
    db, org = scaled["db"], scaled["org"]
    with db.uow(write=True) as s:
        s.get(User, org["sales_lead"]).email = "lead@example.com"
    with smtp_server() as (port, box):
        box.stall_next = True
        row = _kill_and_recover(scaled, "email", {"LIUZHUAN_SMTP_URL": f"smtp://127.0.0.1:{port}"},
                                box.stalled, box.release)
        assert len(box.messages) == 1  # the killed sender never heard 250: only the resend was accepted
        (rcpt, msg), = box.messages
        assert rcpt == ["lead@example.com"]
        expected_id = build({"subject": "", "text": "", "url": ""}, "x", "en", row.key, load_notify({}))["Message-ID"]
        assert msg["Message-ID"] == expected_id
