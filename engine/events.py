"""Who hears of each audit event, inside the transaction that records it.

`engine.audit.record` hands every new event to the subscribers, with the session that is about to
commit it. The engine names no subscriber: the composition root (app.wire) subscribes the layers
above (notify/ derives the notifications from these events), so the engine never imports them.
A subscriber may add rows to the session (they commit or roll back with the action) and must not
commit, roll back or raise for anything but a real fault.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from engine.models import AuditEvent

Subscriber = Callable[[Session, AuditEvent], None]
_subscribers: list[Subscriber] = []


def subscribe(fn: Subscriber) -> None:
    """Call `fn(session, event)` for every audit event recorded from now on (idempotent)."""
    if fn not in _subscribers:
        _subscribers.append(fn)


def publish(session: Session, event: AuditEvent) -> None:
    for fn in tuple(_subscribers):
        fn(session, event)


def listening() -> bool:
    """Whether anything hears the events (notifications are wired): what an action may promise."""
    return bool(_subscribers)
