"""What the timer tick does for notifications (the in-process loop, `app.py tick`, Celery beat):
tell the assignees of tasks due soon, then send what is due (retries, lost hand-overs)."""
from __future__ import annotations

from db.session import Database
from notify import deliver, derive, runner


def tick(db: Database) -> int:
    """Returns how many messages were sent."""
    with db.uow(write=True) as s:
        derive.due_soon(s)
    return deliver.deliver_due(db, runner.settings())


def wire() -> None:
    """Derive notifications from every audit event and new task (app.wire calls it; idempotent)."""
    from engine import events

    events.subscribe(derive.on_audit)
    derive.install()
