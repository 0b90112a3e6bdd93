"""Anchoring the audit chain outside the database (issue 11).

The hash chain (engine/audit.py) shows that stored events were changed, unless whoever changed
them recomputed the hashes. Three anchors make that fail too:

* every event carries `mac` = HMAC-SHA256(audit key, "<instance id>:<seq>:<hash>"). The key is
  `LIUZHUAN_AUDIT_KEY`, else the file `<instance>/audit_key` (created 0600 on first use): never
  in the database, so rewriting an event and recomputing its plain hash cannot produce its mac;
* `audit_checkpoint` rows: at most hourly (the timer tick, `app.py audit-checkpoint`) the head
  (seq, hash) of every instance whose chain grew, with an HMAC of its own. A removed tail (the
  newest events deleted) no longer reaches the checkpointed head: verification reports it;
* on PostgreSQL a trigger refuses UPDATE and DELETE on `audit_event` and `audit_checkpoint`
  (migration 0009; create_all attaches the same DDL, engine/models.py).

What remains: events appended after the last checkpoint can be deleted by someone who can
bypass the trigger (a superuser); the key must be kept away from whoever may write the database.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import keyfile
from db.base import utcnow
from db.session import Database
from engine.models import AuditCheckpoint, AuditEvent

CHECKPOINT_EVERY = timedelta(hours=1)
_key: bytes | None = None
_last_checkpoint = 0.0  # time.monotonic() of this process's last checkpoint run


def configure(conf: Any) -> None:
    """Take the key from the settings (core/config.py): `audit_key`, else the key file."""
    global _key
    _key = (conf.audit_key or keyfile.read_or_create(conf.audit_key_file)).encode()


def key() -> bytes:
    if _key is None:  # services built without an app (tests, scripts): the configured defaults
        from core.config import load

        configure(load())
    assert _key is not None
    return _key


def event_mac(instance_id: int, seq: int, digest: str) -> str:
    return hmac.new(key(), f"{instance_id}:{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def checkpoint_mac(instance_id: int, seq: int, head: str, at: datetime) -> str:
    text = f"checkpoint:{instance_id}:{seq}:{head}:{naive_utc(at).isoformat(timespec='seconds')}"
    return hmac.new(key(), text.encode(), hashlib.sha256).hexdigest()


def naive_utc(at: datetime) -> datetime:
    """SQLite returns naive datetimes; hash naive UTC so stored and fresh values agree."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)


@dataclass
class Checkpoint:
    seq: int
    head: str
    at: datetime
    valid: bool  # its mac matches


def last_checkpoint(s: Session, instance_id: int) -> Checkpoint | None:
    cp = s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.instance_id == instance_id)
                   .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(1)).first()
    if cp is None:
        return None
    return Checkpoint(cp.seq, cp.head, cp.at, same(cp.mac, checkpoint_mac(instance_id, cp.seq, cp.head, cp.at)))


def checkpoint(db: Database) -> int:
    """Write a signed checkpoint of every instance whose chain grew since its last one; how many."""
    global _last_checkpoint
    with db.uow(write=True) as s:
        heads = {r[0]: r[1] for r in s.execute(select(AuditEvent.instance_id, func.max(AuditEvent.seq))
                                               .group_by(AuditEvent.instance_id))}
        done = {r[0]: r[1] for r in s.execute(select(AuditCheckpoint.instance_id, func.max(AuditCheckpoint.seq))
                                              .group_by(AuditCheckpoint.instance_id))}
        grown = [(iid, seq) for iid, seq in heads.items() if seq > done.get(iid, 0)]
        at = utcnow().replace(microsecond=0)
        for iid, seq in grown:
            head = s.scalar(select(AuditEvent.hash).where(AuditEvent.instance_id == iid, AuditEvent.seq == seq))
            assert head is not None
            s.add(AuditCheckpoint(instance_id=iid, seq=seq, head=head, at=at,
                                  mac=checkpoint_mac(iid, seq, head, at)))
    _last_checkpoint = time.monotonic()
    return len(grown)


def checkpoint_if_due(db: Database) -> int:
    """The timer tick's part: a checkpoint when the last one (of any process) is an hour old."""
    if _last_checkpoint and time.monotonic() - _last_checkpoint < CHECKPOINT_EVERY.total_seconds():
        return 0
    with db.uow() as s:
        last = s.scalar(select(func.max(AuditCheckpoint.at)))
    if last is not None and naive_utc(utcnow()) - naive_utc(last) < CHECKPOINT_EVERY:
        return 0
    return checkpoint(db)
