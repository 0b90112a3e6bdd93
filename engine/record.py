"""The approval record of an instance (DESIGN.md §8, issue 14): what a printed record shows and how
anyone can check it later.

* `approver_chain`: every step the instance went through, in order (the initiator's submission,
  then each node entry with its people: who, what they decided, their comment, when);
* `verify`: the audit hash chain recomputed, for a reader of the instance (`{ok, events, head}`);
* `check_printed`: the public check behind the QR code on a printed record: given a business key
  and the head hash printed on it, whether that hash is an event of this instance's intact chain
  (and how many events came after). It reveals nothing else;
* `verify_all`: every instance's chain, for `app.py verify-audit`.

Access to the record itself (`record`) is that of the instance page (engine/progress.py): the
form data comes redacted for the reader there.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, NotFound
from crm import org
from crm.models import User
from db.base import iso
from db.session import Database, release_held
from engine import audit, instances, progress, signatures
from engine.models import AuditEvent, HumanTask, NodeActivation, ProcessInstance

HEX = frozenset("0123456789abcdef")


def _readable(s: Session, actor_id: int, instance_id: int) -> ProcessInstance:
    inst = s.get(ProcessInstance, instance_id)
    if inst is None:
        raise NotFound(f"process instance {instance_id} not found")
    if not instances.can_view(s, org.get_user(s, actor_id), inst):
        raise Forbidden("you are not a participant of this instance")
    return inst


def approver_chain(s: Session, inst: ProcessInstance) -> list[dict[str, Any]]:
    """The steps in order: the submission, then each node activation with its people's tasks."""
    acts = list(s.scalars(select(NodeActivation).where(NodeActivation.instance_id == inst.id)
                          .order_by(NodeActivation.id)))
    tasks = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id).order_by(HumanTask.id)))
    ids = {t.assignee_id for t in tasks} | {inst.initiator_id}
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(ids)))}
    by_act: dict[int, list[HumanTask]] = {}
    for t in tasks:
        by_act.setdefault(t.activation_id, []).append(t)

    def person(uid: int) -> dict[str, str]:
        u = users.get(uid)
        return {"username": u.username if u else "", "display_name": u.display_name if u else "?"}

    steps: list[dict[str, Any]] = [{"kind": "start", "node_id": None, "node_name": None, "status": "submitted",
                                    "at": iso(inst.created_at), "people": [
                                        {**person(inst.initiator_id), "status": "submitted", "comment": None,
                                         "at": iso(inst.created_at), "auto": False}]}]
    signed = signatures.of_tasks(s, [t.id for t in tasks])
    for act in acts:
        people = [{**person(t.assignee_id), "status": t.status, "comment": t.comment, "at": iso(t.acted_at),
                   "auto": t.auto, "signature": signed.get(t.id), "read_at": iso(t.read_at)}
                  for t in by_act.get(act.id, [])]
        steps.append({"kind": act.kind, "node_id": act.node_id, "node_name": act.node_name, "mode": act.mode,
                      "status": act.status, "entered_at": iso(act.created_at), "at": iso(act.decided_at),
                      "people": people})
    return steps


def chain(db: Database, actor_id: int, instance_id: int) -> list[dict[str, Any]]:
    """The approver chain of the instance page, for a reader of the instance (NotFound / Forbidden)."""
    with db.uow() as s:
        return approver_chain(s, _readable(s, actor_id, instance_id))


def _head(s: Session, instance_id: int) -> tuple[int, str]:
    row = s.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.instance_id == instance_id)
                    .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, audit.GENESIS)


def _verified(s: Session, instance_id: int) -> dict[str, Any]:
    """`{ok, events, head, checkpoint}`; when broken also `first_bad` (the seq of the first event
    that does not match, or the first one missing below the last checkpoint) and `missing_tail`."""
    v = audit.check(s, instance_id)
    events, head = _head(s, instance_id)
    cp = v.checkpoint
    out: dict[str, Any] = {"ok": v.ok, "events": events, "head": head,
                           "checkpoint": {"seq": cp.seq, "at": iso(cp.at)} if cp is not None else None}
    if not v.ok:
        out["first_bad"] = v.first_bad
        out["missing_tail"] = v.missing_tail
    return out


def verify(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    """`{ok, events, head}` (and `first_bad`, the seq of the first event that does not match)."""
    with db.uow() as s:
        _readable(s, actor_id, instance_id)
        return _verified(s, instance_id)


def record(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    """What the printed record shows, as this reader may see it: the instance page's read (form
    redacted for the reader, the diagram's path), the approver chain and the verified chain head."""
    prog = progress.instance_progress(db, actor_id, instance_id)  # NotFound / Forbidden first
    view = instances.get_instance(db, actor_id, instance_id)
    with db.uow() as s:
        inst = _readable(s, actor_id, instance_id)
        initiator = org.get_user(s, inst.initiator_id)
        return {"instance": view, "progress": prog, "chain": approver_chain(s, inst),
                "initiator_name": initiator.display_name, "audit": _verified(s, instance_id)}


def check_printed(db: Database, business_key: str, head: str) -> dict[str, Any]:
    """The public check of a printed record (no sign-in): only whether `head` is an event hash of
    the instance `business_key` and the chain is intact, and how many events were added since."""
    head = (head or "").strip().lower()
    out: dict[str, Any] = {"business_key": business_key, "found": False, "intact": False, "later_events": 0}
    if len(head) != 64 or not set(head) <= HEX or not business_key or len(business_key) > 40:
        return out
    with db.uow() as s:
        inst_id = s.scalar(select(ProcessInstance.id).where(ProcessInstance.business_key == business_key))
        if inst_id is None:
            return out
        seq = s.scalar(select(AuditEvent.seq).where(AuditEvent.instance_id == inst_id, AuditEvent.hash == head))
        if seq is None:
            return out
        result = _verified(s, inst_id)
        out.update(found=True, intact=result["ok"] and ("first_bad" not in result), seq=seq,
                   later_events=result["events"] - seq)
        return out


def verify_all(db: Database, instance_id: int | None = None) -> Iterator[tuple[int, str, bool, int | None]]:
    """(instance id, business key, intact, first bad seq) of every instance (or one), by id: the
    chain, the events' macs and the last checkpoint (engine/audit.py `check`)."""
    with db.uow() as s:
        stmt = select(ProcessInstance.id, ProcessInstance.business_key).order_by(ProcessInstance.id)
        if instance_id is not None:
            stmt = stmt.where(ProcessInstance.id == instance_id)
        for iid, key in s.execute(stmt).all():
            ok, bad = audit.verify(s, iid)
            release_held(s)  # one instance's events at a time in memory
            yield iid, key, ok, bad
