"""Whether the process instance a record is linked to still runs — asked of the engine.

crm/ does not import the engine (tests/test_layers.py) nor read its tables: the composition root
(app.py) gives it the engine's answer with `set_instance_running_check(fn)`, where
`fn(session, instance_id) -> bool` reads inside the caller's transaction. Until that is done,
asking raises: a forgotten wiring must not quietly let the API change what a process owns.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

InstanceRunning = Callable[[Session, int], bool]

_instance_running: InstanceRunning | None = None


def set_instance_running_check(fn: InstanceRunning | None) -> None:
    """Wire (or, with None, unwire) the engine's `fn(session, instance_id) -> bool`."""
    global _instance_running
    _instance_running = fn


def process_running(s: Session, instance_id: int | None) -> bool:
    """Whether the process instance `instance_id` is still running (False when there is none)."""
    if _instance_running is None:
        raise RuntimeError("crm.records cannot tell whether a process instance runs: the composition root "
                           "must call crm.records.set_instance_running_check(engine function) first")
    return instance_id is not None and _instance_running(s, instance_id)
