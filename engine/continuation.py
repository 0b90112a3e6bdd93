"""The scaled mode's continuation past service tasks (DESIGN.md §8 "Scaled mode").

Embedded (the default): a service task (lz:call) runs inside the action that reaches it, in its
transaction; a refusing function refuses the action (422). Nothing here is active.

Scaled (the composition root calls `configure(send)` when LIUZHUAN_BROKER is set): an action run
by a web process on a running instance (not its start) stops the engine *before* the first service
task it reaches (the task stays READY in the saved state) and writes a timer row of kind
"continue", due now, in the action's transaction. After the commit, `send(timer_id)` hands it to a
Celery worker, which fires it like any timer (engine/timers.py): claimed (`FOR UPDATE SKIP LOCKED`
and a lease), then in its own transaction with the instance locked, `fired_at` checked again, the
engine advanced past the service tasks to the next wait. So the job is idempotent (run twice, the
second finds the timer fired and does nothing); a worker killed mid-step rolls its transaction back
and the next tick fires the timer again once the lease is over; a function that refuses is shown
on the instance (`record_refusal`), retried with backoff and marked failed (admins see it on
/admin/notifications) after timers.MAX_ATTEMPTS. A lost hand-over (the broker down at the commit)
is fired by the next tick. Timers and the continuation itself run service tasks in place
(`inline()`): only actions of people are cut short.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from db.base import utcnow
from engine import runtime, spiff
from engine.models import Timer

log = logging.getLogger(__name__)
KIND = "continue"
_TO_SEND = "lz_continue"
_state: dict[str, Any] = {"send": None}
_INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("liuzhuan_inline", default=False)


def configure(send: Callable[[int], None] | None) -> None:
    """Scaled mode: `send(timer_id)` after the commit of an action that stopped before a service task.
    None (the embedded default): service tasks run inside the action."""
    _state["send"] = send
    if send is not None:
        for name, fn in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
            if not event.contains(Session, name, fn):
                event.listen(Session, name, fn)


def deferring() -> bool:
    return _state["send"] is not None and not _INLINE.get()


@contextlib.contextmanager
def inline() -> Iterator[None]:
    """Service tasks run in place (the tick, the continuation job)."""
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


def pause_before(ctx: runtime.Ctx) -> Callable[[Any], bool] | None:
    """What driver.advance gives spiff.run: stop before a service task when deferring. Never at the
    start of an instance (revision 0, not saved yet): the start's functions check the submission
    (422 naming the field) and create the records a withdrawal compensates."""
    return spiff.is_service_task if deferring() and ctx.inst.revision > 0 else None


def record_refusal(db: Any, instance_id: int, message: str) -> None:
    """A continuation refused by its function (a business answer nobody is waiting for): shown on the
    instance (its error and an `engine_error` history line), as an engine failure is."""
    from engine import instances

    instances.record_failure(db, instance_id, message)


def schedule(ctx: runtime.Ctx) -> None:
    """The run stopped before a service task: a "continue" timer due now (one per instance while
    pending), handed to a worker after the commit."""
    timer_id = ctx.s.scalar(select(Timer.id).where(
        Timer.instance_id == ctx.inst.id, Timer.kind == KIND, Timer.fired_at.is_(None), Timer.failed_at.is_(None)))
    if timer_id is None:
        t = Timer(instance_id=ctx.inst.id, kind=KIND, due_at=utcnow())
        ctx.s.add(t)
        ctx.s.flush()
        timer_id = t.id
    ctx.s.info.setdefault(_TO_SEND, []).append(timer_id)


def _after_commit(session: Session) -> None:
    ids, send = session.info.pop(_TO_SEND, None), _state["send"]
    for tid in dict.fromkeys(ids or ()):
        try:
            if send is not None:
                send(tid)
        except Exception:  # the broker is down: the timer is due, the next tick fires it
            log.exception("could not hand the continuation %s to the broker", tid)


def _after_rollback(session: Session) -> None:
    session.info.pop(_TO_SEND, None)
