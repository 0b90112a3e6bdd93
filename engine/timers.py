"""Due timers: `lz:deadline` actions on approval nodes and BPMN timer events.

SpiffWorkflow has no clock of its own (SPIFFWORKFLOW-NOTES.md, "Timers"): something must
load a waiting instance and run it once its timer is due. Every save records the instance's
earliest BPMN timer in the `timer` table (kind "bpmn"); node activations record their
deadline (kind "deadline"). `fire_due_timers()` is the tick: it takes what is due, each in its
own locked instance transaction. The embedded setup calls it from a thread in the web process
(`TimerLoop`); `python app.py tick` runs it once (cron, Celery beat).

What a deadline does to its node (remind, approve, reject, escalate) is the node's own
behaviour: engine/nodes/approval.py `deadline()`.
"""
from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from core.errors import ValidationFailed
from db.base import utcnow
from db.session import Database
from engine import audit_anchor, continuation, runtime
from engine.instances import in_instance
from engine.lifecycle import ActivationStatus, InstanceStatus
from engine.models import NodeActivation, ProcessInstance, Timer
from engine.nodes import approval

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 5  # a timer whose firing fails this often is marked failed (admins see it) and left alone
LEASE = timedelta(minutes=5)  # a claimed timer is not taken by another tick meanwhile (a killed worker's comes back)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def fire_due_timers(db: Database, now: datetime | None = None, limit: int = 200, timer_id: int | None = None) -> int:
    """Fire what is due at `now` (default: the current time). Returns how many timers fired.

    The due timers are first claimed (a lease in `not_before`), on PostgreSQL with FOR UPDATE SKIP
    LOCKED, so two ticks running at once (two beats, two workers) take disjoint timers; each fires in
    its own locked instance transaction, which checks `fired_at` again. A timer whose firing fails is
    retried after a growing delay and marked failed after MAX_ATTEMPTS; it never holds up the others.
    With `timer_id`, only that timer (the scaled mode's continuation job, engine/continuation.py).
    Service tasks reached by a timer run in its transaction, in either mode."""
    now = now or utcnow()
    fired = 0
    with continuation.inline():
        for tid, instance_id in _claim(db, now, limit, timer_id):
            try:
                fired += in_instance(db, instance_id, functools.partial(_fire, timer_id=tid, now=now))
            except Exception as e:  # recorded on the timer (and by in_instance on the instance); the others go on
                log.warning("timer %s of instance %s: %s", tid, instance_id, e)
                if _failed(db, tid, e, now) == (continuation.KIND, 1) and isinstance(e, ValidationFailed):
                    continuation.record_refusal(db, instance_id, str(e.message))
    return fired


def _claim(db: Database, now: datetime, limit: int, timer_id: int | None = None) -> list[tuple[int, int]]:
    with db.uow(write=True) as s:
        # a suspended instance's timers wait (not fired, not lost): they fire once it is activated
        stmt = (select(Timer).join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
                .where(Timer.fired_at.is_(None), Timer.failed_at.is_(None), Timer.due_at <= now,
                       or_(Timer.not_before.is_(None), Timer.not_before <= now),
                       ProcessInstance.status != InstanceStatus.SUSPENDED)
                .order_by(Timer.due_at).limit(limit))
        if timer_id is not None:
            stmt = stmt.where(Timer.id == timer_id)
        if not db.is_sqlite:  # SQLite: BEGIN IMMEDIATE already serializes the claims
            stmt = stmt.with_for_update(skip_locked=True, of=Timer)
        timers = list(s.scalars(stmt))
        for t in timers:
            t.not_before = now + LEASE
        return [(t.id, t.instance_id) for t in timers]


def _failed(db: Database, timer_id: int, error: Exception, now: datetime) -> tuple[str, int] | None:
    """Record a failed firing; (kind, attempts) of the timer."""
    with db.uow(write=True) as s:
        t = s.get(Timer, timer_id)
        if t is None or t.fired_at is not None:
            return None
        t.attempts = (t.attempts or 0) + 1
        t.last_error = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"[:2000]
        if t.attempts >= MAX_ATTEMPTS:
            t.failed_at = now
        else:
            t.not_before = now + retry_delay(t.attempts)
        return t.kind, t.attempts


def _fire(ctx: runtime.Ctx, timer_id: int, now: datetime) -> int:
    timer = ctx.s.get(Timer, timer_id)
    if timer is None:
        return 0
    ctx.s.refresh(timer)
    if timer.fired_at is not None:
        return 0  # another tick got there first
    if ctx.inst.status == InstanceStatus.SUSPENDED:
        return 0  # suspended since the tick read it: the timer waits
    timer.fired_at = now
    if ctx.inst.status != InstanceStatus.RUNNING:
        return 0
    if timer.kind in ("bpmn", continuation.KIND):
        return 1  # in_instance's advance() refreshes SpiffWorkflow's timers and runs what became due
    act = ctx.s.get(NodeActivation, timer.activation_id) if timer.activation_id else None
    if act is None or act.status != ActivationStatus.OPEN:
        return 0
    approval.deadline(ctx, act, timer.action or "remind", now)
    return 1


class TimerLoop:
    """The embedded setup's tick: a daemon thread calling fire_due_timers every `interval` seconds."""

    def __init__(self, db: Database, interval: float = 15.0, also: Callable[[Database], object] | None = None):
        self.db, self.interval, self.also = db, interval, also  # also: more work per tick (app.py: notify's)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liuzhuan-timers", daemon=True)

    def start(self) -> TimerLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fire_due_timers(self.db)
            except Exception:  # a broken tick must not kill the loop; the next one retries
                log.exception("timer tick failed")
            try:
                audit_anchor.checkpoint_if_due(self.db)  # at most hourly
            except Exception:
                log.exception("audit checkpoint failed")
            try:
                if self.also is not None:
                    self.also(self.db)
            except Exception:
                log.exception("tick: %s failed", self.also)
            self._stop.wait(self.interval)
