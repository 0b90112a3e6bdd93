"""The append-only, hash-chained audit trail of an instance.

Each event's hash covers the previous event's hash and the event's own content, so any
change to a stored event (or a removed one) breaks `verify()`. The chain is anchored outside the
database (engine/audit_anchor.py): each event's HMAC with the audit key, and signed checkpoints
of every instance's head, so a rewritten event with a recomputed hash, or a removed tail, fails too.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from db.base import utcnow
from engine import audit_anchor, events
from engine.models import AuditEvent, ProcessInstance

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: datetime, actor_id: int | None, action: str, node_id: str | None,
            task_id: int | None, comment: str | None, detail: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, seq, at.isoformat(timespec="microseconds"), actor_id, action, node_id, task_id, comment, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


# This transaction's chain heads, {instance id: (seq, hash, the instance)}, and the instances whose
# head is not on their row yet: it is written with the row's next UPDATE (`_with_the_row`, before a
# flush that updates the instance anyway, as saving an action does) or just before the commit.
HEADS, UNSAVED, SAVED = "lz_audit_heads", "lz_audit_unsaved", "lz_audit_savepoints"


def record(session: Session, instance_id: int, action: str, actor_id: int | None = None, *,
           node_id: str | None = None, task_id: int | None = None, comment: str | None = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event. Its writer holds the instance row lock (taken here when the transaction
    does not hold it yet), so seq numbers never race. The chain's head is on the instance row
    (`audit_seq`, `audit_hash`, read with the lock), moved with the events: no audit_event row is read."""
    heads = session.info.setdefault(HEADS, {})
    head = heads.get(instance_id)
    if head is None:
        inst = _locked_instance(session, instance_id)
        head = (inst.audit_seq or 0, inst.audit_hash or GENESIS, inst)
    seq, prev = head[0] + 1, head[1]
    at = utcnow()
    detail = detail or {}
    digest = _digest(prev, seq, _naive_utc(at), actor_id, action, node_id, task_id, comment, detail)
    ev = AuditEvent(instance_id=instance_id, seq=seq, at=at, actor_id=actor_id, action=action, node_id=node_id,
                    task_id=task_id, comment=comment, detail=detail, prev_hash=prev, hash=digest,
                    mac=audit_anchor.event_mac(instance_id, seq, digest))
    session.add(ev)  # inserted by the next flush, with the other events of the action in one batch
    heads[instance_id] = (seq, digest, head[2])  # (holding the instance: it stays in the identity map)
    session.info.setdefault(UNSAVED, set()).add(instance_id)
    events.publish(session, ev)  # e.g. notify/ (subscribed by app.wire), in this same transaction
    return ev


def _write_heads(session: Session, only_updated: bool) -> None:
    unsaved = session.info.get(UNSAVED)
    if not unsaved:
        return
    heads = session.info[HEADS]
    for iid in list(unsaved):
        seq, digest, inst = heads[iid]
        if only_updated and not inspect(inst).modified:
            continue
        inst.audit_seq, inst.audit_hash = seq, digest
        unsaved.discard(iid)


def _with_the_row(session: Session, _ctx: Any, _instances: Any) -> None:
    _write_heads(session, only_updated=True)  # no UPDATE of its own mid-action


def _before_commit(session: Session) -> None:
    _write_heads(session, only_updated=False)


def _savepoint(session: Session, transaction: Any) -> None:
    """A SAVEPOINT begins: remember the heads as they are, for its rollback."""
    if transaction.nested:
        saved = session.info.setdefault(SAVED, {})
        saved[id(transaction)] = (dict(session.info.get(HEADS, {})), set(session.info.get(UNSAVED, ())))


def _savepoint_ended(session: Session, transaction: Any) -> None:
    if transaction.nested:
        session.info.get(SAVED, {}).pop(id(transaction), None)


def _forget(session: Session, *_: Any) -> None:
    """After a rollback: the events recorded since are gone, so are their heads. A SAVEPOINT's rollback
    (the event fires for it too, the outer transaction still active) puts back the heads as they were
    when it began; the events recorded before it stay, and so do their heads."""
    nested = session.get_nested_transaction()
    outer = session.get_transaction()
    if nested is not None and outer is not None and outer.is_active:
        heads, unsaved = session.info.get(SAVED, {}).pop(id(nested), ({}, set()))
        session.info[HEADS], session.info[UNSAVED] = heads, unsaved
        return
    for key in (HEADS, UNSAVED, SAVED):
        session.info.pop(key, None)


if not event.contains(Session, "before_flush", _with_the_row):
    event.listen(Session, "before_flush", _with_the_row)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_create", _savepoint)
    event.listen(Session, "after_transaction_end", _savepoint_ended)
    event.listen(Session, "after_rollback", _forget)


def mark_locked(session: Session, instance_id: int) -> None:
    """The caller has just read the instance row under its lock in this transaction (SELECT ... FOR
    UPDATE, populating the session's copy), so that copy holds the chain's head."""
    session.info[("audit_locked", instance_id)] = True


def _locked_instance(session: Session, instance_id: int) -> ProcessInstance:
    """The instance row as of its lock. Use cases lock and read it first (`instances.in_instance`,
    `collab._locked`: the session's copy, no statement); a writer that did not is made to here, once
    per transaction (on SQLite the write transaction is serialized already: the session's copy, or
    one read)."""
    key = ("audit_locked", instance_id)
    if session.info.get(key) or session.get_bind().dialect.name == "sqlite":
        inst = session.get(ProcessInstance, instance_id)
    else:
        inst = session.identity_map.get(identity_key(ProcessInstance, instance_id))
        if inst is not None:  # held from before the lock: its head read again with the lock
            session.refresh(inst, ["audit_seq", "audit_hash"], with_for_update=True)
        else:
            inst = session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                                   .with_for_update()).first()
        session.info[key] = True
    if inst is None:
        raise LookupError(f"process instance {instance_id} not found")
    return inst


_naive_utc = audit_anchor.naive_utc


def verify(session: Session, instance_id: int) -> tuple[bool, int | None]:
    """(True, None) if the chain is intact, else (False, seq of the first bad event)."""
    v = check(session, instance_id)
    return v.ok, v.first_bad


@dataclass
class Verdict:
    """What `check` found: `first_bad` the seq of the first event that does not match (its hash,
    its link, its mac) or, for a removed tail, the first seq missing below the last checkpoint."""
    ok: bool
    events: int
    head: str
    first_bad: int | None = None
    missing_tail: bool = False  # events up to the last checkpoint's head are gone
    checkpoint: audit_anchor.Checkpoint | None = None


def check(session: Session, instance_id: int) -> Verdict:
    """Recompute the chain: each event's link, hash and mac (an event without a mac is accepted
    only before the first one with a mac: written before the chain was keyed), then the last
    checkpoint's head must still be in the chain."""
    prev, expected_seq, keyed = GENESIS, 1, False
    hashes: dict[int, str] = {}
    for ev in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                              .order_by(AuditEvent.seq)):
        if ev.seq != expected_seq or ev.prev_hash != prev:
            return _broken(session, instance_id, ev.seq)
        digest = _digest(prev, ev.seq, _naive_utc(ev.at), ev.actor_id, ev.action, ev.node_id, ev.task_id,
                         ev.comment, ev.detail or {})
        if digest != ev.hash:
            return _broken(session, instance_id, ev.seq)
        if ev.mac is not None or keyed:
            keyed = True
            if not audit_anchor.same(ev.mac, audit_anchor.event_mac(instance_id, ev.seq, digest)):
                return _broken(session, instance_id, ev.seq)
        hashes[ev.seq] = prev = ev.hash
        expected_seq += 1
    events = expected_seq - 1
    cp = audit_anchor.last_checkpoint(session, instance_id)
    if cp is not None and not cp.valid:
        return Verdict(False, events, prev, first_bad=min(cp.seq, events + 1), checkpoint=cp)
    if cp is not None and hashes.get(cp.seq) != cp.head:
        missing = cp.seq > events
        return Verdict(False, events, prev, first_bad=events + 1 if missing else cp.seq, missing_tail=missing,
                       checkpoint=cp)
    return Verdict(True, events, prev, checkpoint=cp)


def _broken(session: Session, instance_id: int, seq: int) -> Verdict:
    row = session.execute(select(func.count(), func.max(AuditEvent.seq)).where(
        AuditEvent.instance_id == instance_id)).first()
    head = session.scalar(select(AuditEvent.hash).where(AuditEvent.instance_id == instance_id)
                          .order_by(AuditEvent.seq.desc()).limit(1))
    return Verdict(False, (row[1] or 0) if row else 0, head or GENESIS, first_bad=seq,
                   checkpoint=audit_anchor.last_checkpoint(session, instance_id))


def count(session: Session, instance_id: int, actions: tuple[str, ...], *, except_actor: int | None = None) -> int:
    """How many of the instance's events are one of `actions` (not counting those of `except_actor`)."""
    stmt = (select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.action.in_(actions)))
    if except_actor is not None:
        stmt = stmt.where(or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != except_actor))
    return session.scalar(stmt) or 0
