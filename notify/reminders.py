"""Reminders as notifications (kind "reminder"): one outbox row per reminder, person and channel,
keyed by the reminder's stable `ref` so a routine that runs again adds nothing. The payload carries
the text in both languages (`title`, `title_en`), the record's page (`link`) and the day it is
about (`due_on`), which the calendar feed (notify/service.py) shows."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from notify import kinds
from notify.derive import TO_SEND, _Deriver
from notify.models import PENDING, SENT, Notification

KIND = "reminder"


class Due(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def user_id(self) -> int: ...

    @property
    def ref(self) -> str: ...

    @property
    def due_on(self) -> date: ...

    @property
    def title(self) -> str: ...

    @property
    def title_en(self) -> str: ...

    @property
    def link(self) -> str: ...


def remind(s: Session, due: Iterable[Due]) -> int:
    """Write the rows of the reminders not written before, in the caller's transaction; how many
    people were told (active users only)."""
    items = list(due)
    if not items:
        return 0
    keys = [f"{KIND}:{r.ref}:{r.user_id}:{kinds.INAPP}" for r in items]
    done = set(s.scalars(select(Notification.key).where(Notification.key.in_(keys))))
    d = _Deriver(s, [])
    rows: list[Notification] = []
    told = 0
    for r, key in zip(items, keys, strict=True):
        user = d.user(r.user_id)
        if key in done or user is None or not user.active:
            continue
        done.add(key)
        payload: dict[str, Any] = {"kind": KIND, "reminder": r.kind, "title": r.title, "title_en": r.title_en,
                                   "link": r.link, "due_on": r.due_on.isoformat()}
        for channel in d.channels(user, KIND):
            n = Notification(key=f"{KIND}:{r.ref}:{r.user_id}:{channel}", recipient_id=r.user_id, kind=KIND,
                             channel=channel, payload=payload, attempts=0,
                             status=SENT if channel == kinds.INAPP else PENDING)
            if channel == kinds.INAPP:
                n.sent_at = utcnow()
            s.add(n)
            rows.append(n)
        told += 1
    s.flush()
    s.info.setdefault(TO_SEND, []).extend(n.id for n in rows if n.status == PENDING)
    return told
