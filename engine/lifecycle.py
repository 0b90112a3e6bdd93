"""The declared lifecycle of the engine's rows: what a status may become, and one guarded
`transition()` that every status change goes through.

The values are the strings stored in the database (no migration): `TaskStatus` for a
`human_task` (one person's part in a node), `ActivationStatus` for a `node_activation` (one
entry of a human node) and `InstanceStatus` for a `process_instance`. Every final status is
final: a row that left `open` (or `running`) never changes again; a node entered anew gets
new rows.

    human_task        open -> approved | rejected | done | returned | transferred | cancelled
                           | delegated | resolved | removed
                      delegated -> open (the delegate resolved it) | cancelled
    node_activation   open -> approved | rejected | completed | read | returned | cancelled
    process_instance  running <-> suspended; running | suspended -> completed | withdrawn | cancelled | failed

The two ways back (a delegated task returning to its delegator, a suspended instance activated)
are the only non-final statuses besides open / running. A new row starts in the first status
(open / running); an automatic approval is an open task moved to approved at once, so it goes
through the same guard. `Outcome` is what an ended instance came to (DESIGN.md §8).
"""
from __future__ import annotations

from enum import StrEnum

from core.errors import Conflict
from engine.models import HumanTask, NodeActivation, ProcessInstance


class TaskStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"  # voted approve on an approval node
    REJECTED = "rejected"  # voted reject on an approval node
    DONE = "done"  # completed a handle task (办理)
    RETURNED = "returned"  # sent the instance back to an earlier node (退回)
    TRANSFERRED = "transferred"  # handed to another user (转办, a deadline's escalation)
    CANCELLED = "cancelled"  # the node closed without this person (decided, returned, instance ended)
    DELEGATED = "delegated"  # 委派: waits for the delegate's opinion, out of the delegator's 待办
    RESOLVED = "resolved"  # the delegate gave their opinion (not a vote); the delegator's task reopens
    REMOVED = "removed"  # 减签: taken off the node before voting; no longer counted


class ActivationStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"  # a handle node someone completed
    READ = "read"  # 阅办: a read-only node everyone confirmed (or whose deadline passed)
    RETURNED = "returned"
    CANCELLED = "cancelled"  # its SpiffWorkflow task went away, or the instance ended


class InstanceStatus(StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"  # 挂起: no task action, no timer, until activated
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Outcome(StrEnum):
    """What an ended instance came to; None while it runs (DESIGN.md §8)."""
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"


# What a human_task has become once acted on (the inbox's 已办), as opposed to open or cancelled.
ACTED = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.DONE, TaskStatus.RETURNED, TaskStatus.TRANSFERRED)
VOTED = (TaskStatus.APPROVED, TaskStatus.REJECTED)

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    **{s: frozenset() for s in TaskStatus},
    TaskStatus.OPEN: frozenset({TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.DONE, TaskStatus.RETURNED,
                                TaskStatus.TRANSFERRED, TaskStatus.CANCELLED, TaskStatus.DELEGATED,
                                TaskStatus.RESOLVED, TaskStatus.REMOVED}),
    TaskStatus.DELEGATED: frozenset({TaskStatus.OPEN, TaskStatus.CANCELLED}),
}
ACTIVATION_TRANSITIONS: dict[ActivationStatus, frozenset[ActivationStatus]] = {
    ActivationStatus.OPEN: frozenset({ActivationStatus.APPROVED, ActivationStatus.REJECTED,
                                      ActivationStatus.COMPLETED, ActivationStatus.READ,
                                      ActivationStatus.RETURNED, ActivationStatus.CANCELLED}),
    **{s: frozenset() for s in ActivationStatus if s is not ActivationStatus.OPEN},
}
_ENDS = frozenset({InstanceStatus.COMPLETED, InstanceStatus.WITHDRAWN, InstanceStatus.CANCELLED,
                   InstanceStatus.FAILED})
INSTANCE_TRANSITIONS: dict[InstanceStatus, frozenset[InstanceStatus]] = {
    **{s: frozenset() for s in InstanceStatus},
    InstanceStatus.RUNNING: _ENDS | {InstanceStatus.SUSPENDED},
    InstanceStatus.SUSPENDED: _ENDS | {InstanceStatus.RUNNING},
}

_MACHINES: dict[type, tuple[type[StrEnum], dict]] = {
    HumanTask: (TaskStatus, TASK_TRANSITIONS),
    NodeActivation: (ActivationStatus, ACTIVATION_TRANSITIONS),
    ProcessInstance: (InstanceStatus, INSTANCE_TRANSITIONS),
}


def allowed(row: HumanTask | NodeActivation | ProcessInstance, to: str) -> bool:
    """Whether `row` may move from its status to `to`."""
    statuses, table = _MACHINES[type(row)]
    try:
        return statuses(to) in table.get(statuses(row.status), frozenset())
    except ValueError:  # not a status of this kind of row
        return False


def transition(row: HumanTask | NodeActivation | ProcessInstance, to: str) -> None:
    """Move `row` to status `to`; core.errors.Conflict when its lifecycle does not allow it."""
    if not allowed(row, to):
        what = {HumanTask: "task", NodeActivation: "node", ProcessInstance: "instance"}[type(row)]
        raise Conflict(f"this {what} is {row.status}; it cannot become {to}",
                       reason="status_transition", current=str(row.status), to=str(to))
    statuses, _ = _MACHINES[type(row)]
    row.status = statuses(to).value
