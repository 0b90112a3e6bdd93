"""`process_instance.next_due_at`: the earliest due time of the instance's open human tasks, stored
so the started and cc boxes sort by it without a subquery per instance (issue 12).

Kept current in the writer's own transaction, whatever the writer: after each flush the instances
whose human tasks were added, removed or changed in status or due time are noted; just before the
commit their column is recomputed in one UPDATE. Listening on every session is set up when this
module is imported (engine/runtime.py imports it), so no writer can forget it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session

from engine.lifecycle import TaskStatus
from engine.models import HumanTask, ProcessInstance

NOTED = "lz_next_due"


def _note(session: Session, _ctx: Any) -> None:
    ids: set[int] | None = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        # a task without a due time never is the earliest: most tasks cost nothing here
        if not isinstance(obj, HumanTask):
            continue
        if obj in session.dirty:
            attrs = inspect(obj).attrs
            if not (attrs.due_at.history.has_changes()
                    or (obj.due_at is not None and attrs.status.history.has_changes())):
                continue
        elif obj.due_at is None:
            continue
        if ids is None:
            ids = session.info.setdefault(NOTED, set())
        ids.add(obj.instance_id)


def _apply(session: Session) -> None:
    # before_commit runs before the commit's own flush: flush what is pending, so it is noted
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.get(NOTED):
        return
    ids = sorted(i for i in session.info.pop(NOTED, ()) if i is not None)
    if ids:
        refresh(session, ids)


def refresh(session: Session, instance_ids: list[int]) -> None:
    """Recompute the column of these instances from their open tasks."""
    earliest = (select(func.min(HumanTask.due_at)).where(HumanTask.instance_id == ProcessInstance.id,
                                                         HumanTask.status == TaskStatus.OPEN)
                .correlate(ProcessInstance).scalar_subquery())
    session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(instance_ids))
                    .values(next_due_at=earliest).execution_options(synchronize_session=False))


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(NOTED, None)


if not event.contains(Session, "after_flush", _note):
    event.listen(Session, "after_flush", _note)
    event.listen(Session, "before_commit", _apply)
    event.listen(Session, "after_rollback", _forget)
