"""Outbox rows from what an action did, written in the action's own transaction.

Two sources, both collected on the session while the action runs:
- the audit events it records (engine.events, subscribed by app.wire): urge, remind (overdue), cc,
  the instance's end (decided), comment mentions, handover;
- the human tasks that became open (new rows, or a delegated task handed back): "task", or
  "returned" when the task was reopened by a return.
Just before the commit (`before_commit`) they become `notification` rows, one per recipient and
channel; a rollback drops what was collected, so a refused action tells no one. After the commit
the ids of the rows to send are handed to notify.runner.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from crm.models import User
from db.base import iso, utcnow
from engine.lifecycle import TaskStatus
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from notify import kinds, runner
from notify.models import PENDING, SENT, Notification

EVENTS, TASKS, TO_SEND = "lz_notify_events", "lz_notify_tasks", "lz_notify_to_send"
DUE_SOON = timedelta(hours=24)
# who gets what from an audit event: action -> kind (recipients are found by `_Deriver.on_event`)
DECIDING = ("completed", "cancelled", "terminated")


def on_audit(session: Session, ev: AuditEvent) -> None:
    """engine.events subscriber: remember the event until the transaction commits."""
    session.info.setdefault(EVENTS, []).append(ev)


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    opened = session.info.setdefault(TASKS, [])
    for obj in session.new:
        if isinstance(obj, HumanTask):
            opened.append((obj, False))
    for obj in session.dirty:
        if isinstance(obj, HumanTask):
            hist = inspect(obj).attrs.status.history
            if hist.added and hist.added[0] == TaskStatus.OPEN and hist.deleted and hist.deleted[0] != TaskStatus.OPEN:
                opened.append((obj, True))  # e.g. a delegated task comes back to its owner


def _before_commit(session: Session) -> None:
    if not session.info.get(EVENTS) and not session.info.get(TASKS):
        return
    session.flush()  # the tasks get their ids and final statuses
    events, tasks = session.info.pop(EVENTS, []), session.info.pop(TASKS, [])
    rows = _Deriver(session, events).derive(tasks)
    if rows:
        session.flush()
        session.info.setdefault(TO_SEND, []).extend(n.id for n in rows if n.status == PENDING)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(TO_SEND, None)
    if ids:
        runner.dispatch(session.get_bind(), ids)


def _after_rollback(session: Session) -> None:
    for key in (EVENTS, TASKS, TO_SEND):
        session.info.pop(key, None)


def install() -> None:
    """Listen on every session (idempotent): app.wire calls it with engine.events.subscribe(on_audit)."""
    for name, fn in (("before_flush", _before_flush), ("before_commit", _before_commit),
                     ("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


# ---------------------------------------------------------------- recipients


@dataclass
class _Deriver:
    s: Session
    events: list[AuditEvent]
    rows: list[Notification] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set)
    _users: dict[int, User | None] = field(default_factory=dict)

    def derive(self, tasks: list[tuple[HumanTask, bool]]) -> list[Notification]:
        self._prefetch({t.assignee_id for t, _reopened in tasks if t.status == TaskStatus.OPEN and not t.auto})
        for ev in self.events:
            self.on_event(ev)
        self.on_tasks(tasks)
        return self.rows

    def _prefetch(self, user_ids: set[int]) -> None:
        """The assignees of the tasks opened, in one read when there are several (a node of many)."""
        user_ids = {uid for uid in user_ids if identity_key(User, uid) not in self.s.identity_map}
        if len(user_ids) > 1:
            found = {u.id: u for u in self.s.scalars(select(User).where(User.id.in_(sorted(user_ids))))}
            self._users.update({uid: found.get(uid) for uid in user_ids})

    def on_event(self, ev: AuditEvent) -> None:
        d = ev.detail or {}
        a = ev.action
        if a == "urge":
            for uid in _ids(self.s, d.get("users")):
                self.emit("urge", uid, ev, task=self._open_task(ev.instance_id, uid))
        elif a == "remind":
            for uid in _ids(self.s, d.get("users")):
                self.emit("overdue", uid, ev, task=self._open_task(ev.instance_id, uid))
        elif a == "cc" and ev.actor_id is not None:
            self.emit("cc", ev.actor_id, ev, actor=False)
        elif a == "comment":
            for uid in _ids(self.s, d.get("mentions") or d.get("users")):
                self.emit("mention", uid, ev, task=self._open_task(ev.instance_id, uid))
        elif a == "handover":
            for uid in _ids(self.s, d.get("to_user") or d.get("to")):
                self.emit("handover", uid, ev)
        elif a in DECIDING:
            inst = self.s.get(ProcessInstance, ev.instance_id)
            if inst is not None:
                outcome = (inst.outcome or d.get("outcome") or self._last_decision(ev.instance_id)
                           or ("approved" if a == "completed" else "terminated"))
                self.emit("decided", inst.initiator_id, ev, extra={"outcome": outcome})

    def on_tasks(self, tasks: Iterable[tuple[HumanTask, bool]]) -> None:
        returned = any(ev.action == "return" for ev in self.events)
        took_back = {ev.actor_id for ev in self.events if ev.action == "take_back"}
        handed = {uid for ev in self.events if ev.action == "handover"
                  for uid in _ids(self.s, (ev.detail or {}).get("to_user") or (ev.detail or {}).get("to"))}
        seen: set[tuple[int, bool]] = set()
        last_event = max((ev.id for ev in self.events), default=None)
        for t, reopened in tasks:
            if (t.id, reopened) in seen or t.status != TaskStatus.OPEN or t.auto:
                continue
            seen.add((t.id, reopened))
            if t.assignee_id in took_back or t.assignee_id in handed:
                continue  # they took it back themselves / they hear of the handover as a whole
            kind = "returned" if (t.returned or returned) else "task"
            ref = f"t{t.id}" + (f".{last_event or int(time.time() * 1000)}" if reopened else "")
            extra = {"comment": (t.returned or {}).get("comment")} if t.returned else {}
            self.emit(kind, t.assignee_id, None, task=t, ref=ref, instance_id=t.instance_id, extra=extra)

    def _last_decision(self, instance_id: int) -> str | None:
        """Until every end carries its outcome (issue 10): that of the last node decided."""
        detail = self.s.scalar(select(AuditEvent.detail).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action == "decide")
            .order_by(AuditEvent.seq.desc()).limit(1))
        return (detail or {}).get("outcome")

    def _open_task(self, instance_id: int, user_id: int) -> HumanTask | None:
        return self.s.scalar(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.assignee_id == user_id,
            HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id).limit(1))

    def user(self, uid: int) -> User | None:
        if uid not in self._users:
            self._users[uid] = self.s.get(User, uid)
        return self._users[uid]

    def emit(self, kind: str, recipient_id: int, ev: AuditEvent | None, *, task: HumanTask | None = None,
             ref: str | None = None, instance_id: int | None = None, extra: dict[str, Any] | None = None,
             actor: bool = True) -> None:
        user = self.user(recipient_id)
        if user is None or not user.active:
            return
        if ev is not None and actor and ev.actor_id == recipient_id:
            return  # nobody is told of their own action
        instance_id = instance_id if instance_id is not None else (ev.instance_id if ev else None)
        payload = self.payload(kind, instance_id, task, ev, extra or {})
        for channel in self.channels(user, kind):
            key = f"{kind}:{ref or f'a{ev.id if ev else 0}'}:{recipient_id}:{channel}"
            if key in self._keys:
                continue
            self._keys.add(key)
            n = Notification(key=key, recipient_id=recipient_id, kind=kind, channel=channel,
                             instance_id=instance_id, task_id=task.id if task else None, payload=payload,
                             status=SENT if channel == kinds.INAPP else PENDING, attempts=0)
            if channel == kinds.INAPP:
                n.sent_at = utcnow()
            self.s.add(n)
            self.rows.append(n)

    @staticmethod
    def channels(user: User, kind: str) -> list[str]:
        out = [kinds.INAPP]
        if user.email and kinds.wants(user.notify_prefs, kind, kinds.EMAIL):
            out.append(kinds.EMAIL)
        if runner.webhook_configured() and kinds.wants(user.notify_prefs, kind, kinds.WEBHOOK):
            out.append(kinds.WEBHOOK)
        return out

    def payload(self, kind: str, instance_id: int | None, task: HumanTask | None, ev: AuditEvent | None,
                extra: dict[str, Any]) -> dict[str, Any]:
        inst = self.s.get(ProcessInstance, instance_id) if instance_id else None
        d = self.s.get(ProcessDefinition, inst.definition_id) if inst else None
        who = self.user(ev.actor_id) if ev is not None and ev.actor_id else None
        return {
            "kind": kind, "title": inst.title if inst else "", "business_key": inst.business_key if inst else "",
            "process": d.name if d else "", "process_en": (d.name_en or d.name) if d else "",
            "node": task.node_name if task else "", "due_at": iso(task.due_at) if task else None,
            "actor": who.display_name if who else "", "comment": (ev.comment if ev else None) or "",
            "link": f"/tasks/{task.id}" if task else (f"/instances/{instance_id}" if instance_id else "/"),
            **{k: v for k, v in extra.items() if v is not None},
        }


def _ids(s: Session, value: Any) -> list[int]:
    """User ids from what a detail holds: an id, a username, or a list of either."""
    items = value if isinstance(value, list) else ([] if value is None else [value])
    ids = [v for v in items if isinstance(v, int) and not isinstance(v, bool)]
    names = [v for v in items if isinstance(v, str)]
    if names:
        ids += list(s.scalars(select(User.id).where(User.username.in_(names))))
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------- due soon (the tick)


def due_soon(s: Session, now: datetime | None = None, window: timedelta = DUE_SOON) -> int:
    """Tell the assignees of open tasks due within `window` (once per task: the key). In the caller's
    transaction; returns how many people were told."""
    now = now or utcnow()
    rows = list(s.scalars(select(HumanTask).where(
        HumanTask.status == TaskStatus.OPEN, HumanTask.due_at.is_not(None),
        HumanTask.due_at > now, HumanTask.due_at <= now + window).limit(500)))
    if not rows:
        return 0
    done = set(s.scalars(select(Notification.key).where(
        Notification.key.in_([f"due_soon:t{t.id}:{t.assignee_id}:inapp" for t in rows]))))
    d = _Deriver(s, [])
    told = 0
    for t in rows:
        if f"due_soon:t{t.id}:{t.assignee_id}:inapp" not in done:
            d.emit("due_soon", t.assignee_id, None, task=t, ref=f"t{t.id}", instance_id=t.instance_id)
            told += 1
    s.flush()
    s.info.setdefault(TO_SEND, []).extend(n.id for n in d.rows if n.status == PENDING)
    return told
