"""Deactivating a user (离职交接): `PATCH /users/{id}` and the organisation page with
`{active: false, successor?: "<username>"}`.

    deactivate(db, actor_id, user_id, changes) -> the user dict + "handover" (admins only)
    hand_over_in(s, actor_id, leaver, successor) -> counts   (the staff_handover process's step)

A user who has open tasks or owns CRM records (customers, contracts, opportunities, open service
tickets they handle) is a leaver with work. With a successor named (the direct path), in one
transaction the user is deactivated (no login, no new tasks) and their records' owner fields move
to the successor (a customer's move is kept in its owner history; its contacts follow it). Then
their open tasks move, one transaction per instance, through the engine's hand-over, recorded as a
`handover` in each instance's audit trail (engine/handover.py, reached through the hook that
app.wire() registers: crm/ never imports engine/). A task that cannot move stays with the
deactivated user and is listed under `handover.tasks_not_moved` with the reason; an admin
reassigns it. The deactivation and the records are never undone by such a task. An unknown or
inactive successor, or the user themself: 422 naming `successor`, nothing changed.

Without a successor, when the staff_handover process is deployed (bpmn/staff_handover.bpmn; the
hooks are registered by app.wire()), the user is deactivated and that process starts: their
supervisor (or the process admins) chooses the successor, then `hand_over_in` moves the records
and the tasks in that step's transaction (`handover.process` is the instance id). Without that
process, the 422 naming `successor` stays. A user with no work is simply deactivated.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from core.errors import Msg, NotFound, ValidationFailed
from core.ids import is_id
from crm import org
from crm.models import User
from crm.records.models import Contact, Contract, Customer, CustomerOwnerHistory, Opportunity, ServiceTicket
from db.base import utcnow
from db.session import Database, lock_for_update

HANDOVER_PROCESS = "staff_handover"  # bpmn/staff_handover.bpmn, whose steps call crm/processes/handover.py
HANDOVER_REASON = "离职交接 / deactivated"
BY_ADMIN = Msg("leaver_handover_by_admin", "a handover is started for a deactivated user, by an administrator")
SUCCESSOR_REQUIRED = Msg("successor_required", "choose a successor: the user has open tasks or owns CRM records")

CLOSED_TICKETS = ("closed", "withdrawn")
ALWAYS_REPORTED = ("customer", "contract")  # the direct path's `records`: these two, the others when moved
# count: open tasks in the caller's session; move: (db, actor, from, to) -> result, one transaction
# per instance; move_in: the same in the caller's session; can_start(s) / start(db, actor, leaver)
# -> instance id: the staff_handover process
_hooks: dict[str, Callable[..., Any]] = {}


def set_task_handover(count_open: Callable[[Session, int], int],
                      hand_over: Callable[[Database, int, int, int], dict[str, list[dict[str, Any]]]],
                      hand_over_in: Callable[[Session, int, int, int, int | None], dict[str, list[dict[str, Any]]]]
                      | None = None,
                      ) -> None:
    """app.wire(): how to count and move a user's open tasks (engine/handover.py)."""
    _hooks["count"], _hooks["move"] = count_open, hand_over
    if hand_over_in is not None:
        _hooks["move_in"] = hand_over_in


def set_handover_process(can_start: Callable[[Session], bool],
                         start: Callable[[Database, int, int], int | None]) -> None:
    """app.wire(): whether the staff_handover process is deployed, and how to start it for a leaver
    (routines/handover.py)."""
    _hooks["can_start"], _hooks["start"] = can_start, start


def set_running_handover(running_for: Callable[[Session, str, int, int | None], int | None]) -> None:
    """app.wire(): which running staff_handover instance (other than the caller's) hands over a leaver."""
    _hooks["running"] = running_for


def _open_tasks(s: Session, user_id: int) -> int:
    count = _hooks.get("count")
    return int(count(s, user_id)) if count else 0


def _count(s: Session, *where: Any) -> int:
    return int(s.scalar(select(func.count()).where(*where)) or 0)


def owned_records(s: Session, user_id: int) -> dict[str, int]:
    """How many customers, contracts and opportunities the user owns, and open service tickets they handle."""
    return {"customer": _count(s, Customer.owner_id == user_id),
            "contract": _count(s, Contract.owner_id == user_id),
            "opportunity": _count(s, Opportunity.owner_id == user_id),
            "ticket": _count(s, ServiceTicket.handler_id == user_id, ServiceTicket.status.not_in(CLOSED_TICKETS))}


def move_records(s: Session, from_id: int, to_id: int, by_id: int) -> dict[str, int]:
    """Every customer (with history; its contacts follow it), contract and opportunity of `from_id`,
    and the open service tickets they handle, now belong to `to_id`. The counts of what moved."""
    now = utcnow()
    customers = list(s.scalars(select(Customer).where(Customer.owner_id == from_id)))
    for c in customers:
        s.add(CustomerOwnerHistory(customer_id=c.id, from_user_id=from_id, to_user_id=to_id, by_user_id=by_id,
                                   reason=HANDOVER_REASON, at=now))
        c.owner_id, c.updated_at = to_id, now
    contacts = _count(s, Contact.customer_id.in_([c.id for c in customers])) if customers else 0
    contracts = _updated(s, update(Contract).where(Contract.owner_id == from_id).values(owner_id=to_id))
    opportunities = _updated(s, update(Opportunity).where(Opportunity.owner_id == from_id)
                             .values(owner_id=to_id, updated_at=now))
    tickets = _updated(s, update(ServiceTicket).where(ServiceTicket.handler_id == from_id,
                                                      ServiceTicket.status.not_in(CLOSED_TICKETS))
                       .values(handler_id=to_id))
    s.flush()
    return {"customer": len(customers), "contact": contacts, "contract": contracts,
            "opportunity": opportunities, "ticket": tickets}


def _updated(s: Session, stmt: Any) -> int:
    """Run an UPDATE; how many rows it changed."""
    return int(cast(CursorResult[Any], s.execute(stmt)).rowcount or 0)


def reported(records: dict[str, int]) -> dict[str, int]:
    """The direct path's `records`: customers and contracts always, the other kinds when some moved."""
    return {k: n for k, n in records.items() if k in ALWAYS_REPORTED or n}


def workload(db: Database, user_id: int) -> dict[str, int]:
    """What would move with the user: open tasks, customers, contracts, opportunities, tickets
    (for the organisation page)."""
    with db.uow() as s:
        return {"tasks": _open_tasks(s, user_id), **owned_records(s, user_id)}


def has_work(s: Session, user_id: int) -> bool:
    return bool(_open_tasks(s, user_id) or any(owned_records(s, user_id).values()))


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
        user = s.get(User, user_id) if is_id(user_id) else None
        if user is None:
            raise NotFound(f"user {user_id} not found")
        successor = _successor(s, user, raw)
        tasks, owned = _open_tasks(s, user.id), owned_records(s, user.id)
        by_process = user.active and successor is None and bool(tasks or any(owned.values()))
        if by_process and not _process_available(s):
            raise ValidationFailed("choose a successor", {"successor": SUCCESSOR_REQUIRED},
                                   tasks=tasks, customer=owned["customer"], contract=owned["contract"])
        out = org.user_dict(org.update_user(s, user_id, changes))
        records = reported(move_records(s, user.id, successor.id, actor_id)) if successor else {}
        successor_id = successor.id if successor else None
        out["handover"] = {"successor": successor.username if successor else None, "records": records,
                           "tasks_moved": [], "tasks_not_moved": [], "process": None}
    move = _hooks.get("move")
    if successor_id is not None and tasks and move is not None:
        result = move(db, actor_id, user_id, successor_id)
        out["handover"]["tasks_moved"], out["handover"]["tasks_not_moved"] = result["moved"], result["not_moved"]
    if by_process:  # deactivated (committed): the supervisor chooses the successor in the process
        out["handover"]["process"] = _hooks["start"](db, actor_id, user_id)
    return out


def _process_available(s: Session) -> bool:
    can_start = _hooks.get("can_start")
    return bool(can_start and "start" in _hooks and can_start(s))


def hand_over_in(s: Session, actor_id: int, leaver: Any, successor: Any,
                 instance_id: int | None = None) -> dict[str, Any]:
    """The staff_handover process's step (crm/processes/handover.py), in the step's transaction:
    `leaver` (a deactivated user) hands their records and open tasks to `successor` (an active user,
    someone else; else 422 naming `successor`, nothing changed). The counts of what moved, and the
    tasks that stayed. `instance_id`: the calling process instance (its own tasks are not touched)."""
    user = org.user_by_username(s, leaver) if isinstance(leaver, str) else None
    if user is None:
        raise ValidationFailed("unknown leaver", {"leaver": Msg("no_user", f"no user '{leaver}'", user=leaver)})
    if user.active:
        raise ValidationFailed("the leaver is active", {"leaver": Msg("leaver_active", "the user is still active")})
    if raw_empty(successor):
        raise ValidationFailed("choose a successor", {"successor": SUCCESSOR_REQUIRED})
    to = _successor(s, user, successor)
    assert to is not None
    records = move_records(s, user.id, to.id, actor_id)
    move_in = _hooks.get("move_in")
    tasks = move_in(s, actor_id, user.id, to.id, instance_id) if move_in is not None else {"moved": [], "not_moved": []}
    return {"leaver": user.username, "successor": to.username, **records, "tasks": len(tasks["moved"]),
            "tasks_not_moved": tasks["not_moved"]}


def raw_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def open_handover(s: Session, initiator_id: int, leaver: Any, instance_id: int | None = None) -> dict[str, Any]:
    """The staff_handover process's first step: it runs for a deactivated user, started as them
    (app.wire() starts it on deactivation) or by an administrator by hand (a user deactivated
    earlier who still owns records). What will move, and the leaver's supervisor (who chooses the
    successor; "" when they have none or theirs is deactivated: the process admins choose)."""
    user = org.user_by_username(s, leaver) if isinstance(leaver, str) else None
    if user is None:
        raise ValidationFailed("unknown leaver", {"leaver": Msg("no_user", f"no user '{leaver}'", user=leaver)})
    if user.active:
        raise ValidationFailed("the leaver is active", {"leaver": Msg("leaver_active", "the user is still active")})
    starter = s.get(User, initiator_id)
    if user.id != initiator_id and not (starter is not None and starter.is_admin):
        raise ValidationFailed("a handover is started by an administrator", {"leaver": BY_ADMIN})
    running = _hooks.get("running")
    # the leaver's row locked first: two handovers started at once for one leaver take turns here, so
    # the second sees the first (one at a time, also on PostgreSQL)
    s.execute(lock_for_update(select(User.id).where(User.id == user.id), s))
    other = running(s, HANDOVER_PROCESS, user.id, instance_id) if running else None
    if other is not None:  # one handover at a time: a second one would move the same records again
        raise ValidationFailed("a handover of this user is already running", {
            "leaver": Msg("handover_running", f"a handover of this user is already running (instance {other})",
                          instance=other)})
    sup = user.supervisor
    return {"leaver": user.username, "leaver_name": user.display_name, "tasks": _open_tasks(s, user.id),
            **owned_records(s, user.id), "supervisor": sup.username if sup is not None and sup.active else ""}


def actor_id_of(s: Session, username: Any, fallback: int) -> int:
    """The user id of `username` (who chose the successor), else `fallback`."""
    user = org.user_by_username(s, username) if isinstance(username, str) else None
    return user.id if user is not None else fallback
