"""Deactivating a user with a successor (离职交接): `PATCH /users/{id}` and the organisation page
with `{active: false, successor: "<username>"}`.

    deactivate(db, actor_id, user_id, changes) -> the user dict + "handover" (admins only)

A user who has open tasks or owns CRM records (customers, contracts) cannot be deactivated without
a successor (422 naming `successor`; also for an unknown or inactive successor, or the user
themself). In one transaction the user is deactivated (no login, no new tasks) and their records'
owner fields move to the successor (a customer's move is kept in its owner history). Then their
open tasks move, one transaction per instance, through the engine's hand-over, recorded as a
`handover` in each instance's audit trail (engine/handover.py, reached through the hook that
app.wire() registers: crm/ never imports engine/). A task that cannot move stays with the
deactivated user and is listed under `handover.tasks_not_moved` with the reason; an admin
reassigns it. The deactivation and the records are never undone by such a task.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import Msg, NotFound, ValidationFailed
from crm import org
from crm.models import User
from crm.records.models import Contract, Customer, CustomerOwnerHistory
from db.base import utcnow
from db.session import Database

HANDOVER_REASON = "离职交接 / deactivated"
SUCCESSOR_REQUIRED = Msg("successor_required", "choose a successor: the user has open tasks or owns CRM records")

# (count of open tasks in the caller's session, move them all: (db, actor, from, to) -> result)
_hooks: dict[str, Callable[..., Any]] = {}


def set_task_handover(count_open: Callable[[Session, int], int],
                      hand_over: Callable[[Database, int, int, int], dict[str, list[dict[str, Any]]]]) -> None:
    """app.wire(): how to count and move a user's open tasks (engine/handover.py)."""
    _hooks["count"], _hooks["move"] = count_open, hand_over


def _open_tasks(s: Session, user_id: int) -> int:
    count = _hooks.get("count")
    return int(count(s, user_id)) if count else 0


def owned_records(s: Session, user_id: int) -> dict[str, int]:
    """How many customers and contracts the user owns."""
    return {"customer": s.scalar(select(func.count()).where(Customer.owner_id == user_id)) or 0,
            "contract": s.scalar(select(func.count()).where(Contract.owner_id == user_id)) or 0}


def move_records(s: Session, from_id: int, to_id: int, by_id: int) -> dict[str, int]:
    """Every customer and contract of `from_id` now belongs to `to_id` (customers: with history)."""
    now = utcnow()
    customers = list(s.scalars(select(Customer).where(Customer.owner_id == from_id)))
    for c in customers:
        s.add(CustomerOwnerHistory(customer_id=c.id, from_user_id=from_id, to_user_id=to_id, by_user_id=by_id,
                                   reason=HANDOVER_REASON, at=now))
        c.owner_id, c.updated_at = to_id, now
    contracts = s.execute(update(Contract).where(Contract.owner_id == from_id).values(owner_id=to_id)).rowcount
    s.flush()
    return {"customer": len(customers), "contract": int(contracts or 0)}


def workload(db: Database, user_id: int) -> dict[str, int]:
    """What would move with the user: open tasks, customers, contracts (for the organisation page)."""
    with db.uow() as s:
        return {"tasks": _open_tasks(s, user_id), **owned_records(s, user_id)}


def _successor(s: Session, user: User, raw: Any) -> User | None:
    if raw is None or raw == "":
        return None
    found = org.user_by_username(s, raw) if isinstance(raw, str) else None
    if found is None:
        raise ValidationFailed("unknown successor", {"successor": Msg("no_user", f"no user '{raw}'", user=raw)})
    if not found.active:
        raise ValidationFailed("inactive successor",
                               {"successor": Msg("user_deactivated", f"user '{raw}' is deactivated", user=raw)})
    if found.id == user.id:
        raise ValidationFailed("the successor is the user",
                               {"successor": Msg("successor_self", "the successor must be someone else")})
    return found


def deactivate(db: Database, actor_id: int, user_id: int, changes: dict[str, Any],
               require_admin: Callable[[Session, int], Any]) -> dict[str, Any]:
    """`changes` holds `active: false` and the optional `successor` (plus any other user change)."""
    changes = dict(changes)
    raw = changes.pop("successor", None)
    with db.uow(write=True) as s:
        require_admin(s, actor_id)
        user = s.get(User, user_id) if 0 < user_id < 2**63 else None
        if user is None:
            raise NotFound(f"user {user_id} not found")
        successor = _successor(s, user, raw)
        tasks, owned = _open_tasks(s, user.id), owned_records(s, user.id)
        if user.active and successor is None and (tasks or any(owned.values())):
            raise ValidationFailed("choose a successor", {"successor": SUCCESSOR_REQUIRED},
                                   tasks=tasks, **owned)
        out = org.user_dict(org.update_user(s, user_id, changes))
        records = move_records(s, user.id, successor.id, actor_id) if successor else {}
        successor_id = successor.id if successor else None
        out["handover"] = {"successor": successor.username if successor else None, "records": records,
                           "tasks_moved": [], "tasks_not_moved": []}
    move = _hooks.get("move")
    if successor_id is not None and tasks and move is not None:
        result = move(db, actor_id, user_id, successor_id)
        out["handover"]["tasks_moved"], out["handover"]["tasks_not_moved"] = result["moved"], result["not_moved"]
    return out
