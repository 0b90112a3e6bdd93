"""The notification outbox (DESIGN.md §8 "Notifications"): one row per recipient, event and channel.

Rows are written in the transaction of the action they tell of (notify/derive.py), so a refused or
rolled-back action leaves none; they are delivered after the commit (notify/deliver.py). `key` is
unique: the same event never makes two rows for one person and channel, and a delivery claims its
row before sending, so delivering twice sends once.

Statuses: pending -> sent, or -> failed (retried at next_attempt_at, with backoff) -> ... -> dead
after MAX_ATTEMPTS (listed for admins on /admin/notifications). In-app rows are `sent` when written:
the list is their delivery.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import crm.models  # noqa: F401  (user_account, for the foreign key)
import engine.models  # noqa: F401  (process_instance, human_task)
from db.base import Base, JSONType, utcnow

PENDING, SENT, FAILED, DEAD = "pending", "sent", "failed", "dead"
# The allowed moves of a delivery; anything else is a bug (checked by `move`).
MOVES = {PENDING: {SENT, FAILED, DEAD}, FAILED: {SENT, FAILED, DEAD}, SENT: set(), DEAD: {PENDING}}


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_inbox", "recipient_id", "channel", "read_at"),
        Index("ix_notification_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency: kind:event:recipient:channel
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # notify.kinds.KINDS
    channel: Mapped[str] = mapped_column(String(10))  # inapp | email | webhook
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the message outlives the task
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()


def move(n: Notification, status: str) -> None:
    if status not in MOVES[n.status]:
        raise ValueError(f"notification {n.id}: {n.status} -> {status} is not a move")
    n.status = status
