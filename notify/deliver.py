"""Sending the outbox: claim a row, send it through its channel, record the result.

A delivery first claims its row in a short transaction of its own (attempts + 1 and a lease:
`next_attempt_at` = now + LEASE) with a conditional UPDATE that only one worker can win, so two
workers handed the same id send it once, and delivering a sent row again does nothing. A worker
killed while sending leaves the row claimed until the lease ends; the sweep (`deliver_due`, run
by the timer tick or Celery beat) then sends it again. A failure is recorded (`failed`, retried
after a backoff of 30 s, 2 min, 8 min, ... at most 6 h); after MAX_ATTEMPTS the row is `dead` and
listed for admins.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from core.config import NotifySettings
from crm.models import User
from db.base import utcnow
from db.session import Database
from notify import kinds, messages
from notify.channels import mail, webhook
from notify.models import DEAD, FAILED, PENDING, SENT, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=2)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 4 ** max(attempts - 1, 0), 6 * 3600))


def _claim(db: Database, nid: int, now: datetime) -> bool:
    with db.uow(write=True) as s:
        res = s.execute(update(Notification).where(
            Notification.id == nid, Notification.status.in_((PENDING, FAILED)),
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
            .values(attempts=Notification.attempts + 1, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False))
        return bool(getattr(res, "rowcount", 0) == 1)


def _recipient(u: User) -> dict[str, Any]:
    return {"username": u.username, "display_name": u.display_name, "email": u.email, "mobile": u.mobile,
            "lang": messages.language(u.locale)}


def _send(db: Database, nid: int, settings: NotifySettings) -> None:
    with db.uow() as s:
        n = s.get(Notification, nid)
        u = s.get(User, n.recipient_id) if n else None
        if n is None or u is None:
            raise LookupError(f"notification {nid} or its recipient is gone")
        recipient, payload = _recipient(u), dict(n.payload or {})
        channel, key = n.channel, n.key
        extra = {"key": n.key, "kind": n.kind, "instance_id": n.instance_id, "task_id": n.task_id}
    msg = messages.render(payload, recipient["lang"], settings.base_url)
    if channel == kinds.EMAIL:
        mail.send(msg, recipient, key, settings)
    elif channel == kinds.WEBHOOK:
        webhook.send(msg, recipient, extra, settings)
    else:
        raise ValueError(f"unknown channel {channel!r}")


def _finish(db: Database, nid: int, error: str | None, now: datetime) -> None:
    with db.uow(write=True) as s:
        n = s.get(Notification, nid)
        if n is None or n.status not in (PENDING, FAILED):
            return
        if error is None:
            n.status, n.sent_at, n.last_error, n.next_attempt_at = SENT, now, None, None
        else:
            n.status = DEAD if n.attempts >= MAX_ATTEMPTS else FAILED
            n.last_error, n.next_attempt_at = error[:2000], now + backoff(n.attempts)


def deliver_one(db: Database, nid: int, settings: NotifySettings, now: datetime | None = None) -> bool:
    """Send row `nid` if it is still to be sent and nobody else is sending it; True when sent now."""
    now = now or utcnow()
    if not _claim(db, nid, now):
        return False
    try:
        _send(db, nid, settings)
    except Exception as e:  # any failure of the channel is recorded on the row and retried
        log.warning("notification %s: %s", nid, e)
        _finish(db, nid, f"{type(e).__name__}: {e}", utcnow())
        return False
    _finish(db, nid, None, utcnow())
    return True


def deliver(db: Database, ids: list[int], settings: NotifySettings) -> int:
    return sum(deliver_one(db, nid, settings) for nid in ids)


def deliver_due(db: Database, settings: NotifySettings, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep: send every pending or failed row whose time has come (first tries whose after-commit
    hand-over was lost, retries after a backoff, rows whose sender died). Returns how many were sent."""
    now = now or utcnow()
    with db.uow() as s:
        ids = list(s.scalars(select(Notification.id).where(
            Notification.status.in_((PENDING, FAILED)),
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
            .order_by(Notification.id).limit(limit)))
    return sum(deliver_one(db, nid, settings, now) for nid in ids)


def retry(db: Database, nid: int) -> bool:
    """An admin sends a dead row again (from attempt 0)."""
    with db.uow(write=True) as s:
        n = s.get(Notification, nid)
        if n is None or n.status != DEAD:
            return False
        n.status, n.attempts, n.next_attempt_at = PENDING, 0, None
        return True
