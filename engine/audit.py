"""The append-only, hash-chained audit trail of an instance.

Each event's hash covers the previous event's hash and the event's own content, so any
change to a stored event (or a removed one) breaks `verify()`.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.base import utcnow
from engine import events
from engine.models import AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: datetime, actor_id: int | None, action: str, node_id: str | None,
            task_id: int | None, comment: str | None, detail: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, seq, at.isoformat(timespec="microseconds"), actor_id, action, node_id, task_id, comment, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, instance_id: int, action: str, actor_id: int | None = None, *,
           node_id: str | None = None, task_id: int | None = None, comment: str | None = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event. The caller holds the instance lock, so seq numbers do not race."""
    key = ("audit_head", instance_id)
    last = session.info.get(key) or session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.instance_id == instance_id)
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utcnow()
    detail = detail or {}
    ev = AuditEvent(instance_id=instance_id, seq=seq, at=at, actor_id=actor_id, action=action, node_id=node_id,
                    task_id=task_id, comment=comment, detail=detail, prev_hash=prev,
                    hash=_digest(prev, seq, _naive_utc(at), actor_id, action, node_id, task_id, comment, detail))
    session.add(ev)
    session.flush()
    session.info[key] = (seq, ev.hash)  # the chain head for the rest of this (locked) transaction
    events.publish(session, ev)  # e.g. notify/ (subscribed by app.wire), in this same transaction
    return ev


def _naive_utc(at: datetime) -> datetime:
    """SQLite returns naive datetimes; hash naive UTC so stored and fresh values agree."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def verify(session: Session, instance_id: int) -> tuple[bool, int | None]:
    """(True, None) if the chain is intact, else (False, seq of the first bad event)."""
    prev = GENESIS
    expected_seq = 1
    for ev in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                              .order_by(AuditEvent.seq)):
        if ev.seq != expected_seq or ev.prev_hash != prev:
            return False, ev.seq
        digest = _digest(prev, ev.seq, _naive_utc(ev.at), ev.actor_id, ev.action, ev.node_id, ev.task_id,
                         ev.comment, ev.detail or {})
        if digest != ev.hash:
            return False, ev.seq
        prev = ev.hash
        expected_seq += 1
    return True, None


def count(session: Session, instance_id: int, actions: tuple[str, ...], *, except_actor: int | None = None) -> int:
    """How many of the instance's events are one of `actions` (not counting those of `except_actor`)."""
    stmt = (select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.action.in_(actions)))
    if except_actor is not None:
        stmt = stmt.where(or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != except_actor))
    return session.scalar(stmt) or 0
