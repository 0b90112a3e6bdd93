"""engine/lifecycle.py: the declared statuses of tasks, node activations and instances, and the one
guarded transition() every status change goes through."""
from __future__ import annotations

import pytest

from core.errors import Conflict
from engine.lifecycle import (
    ACTIVATION_TRANSITIONS,
    INSTANCE_TRANSITIONS,
    TASK_TRANSITIONS,
    ActivationStatus,
    InstanceStatus,
    Outcome,
    TaskStatus,
    transition,
)
from engine.models import HumanTask, NodeActivation, ProcessInstance

MACHINES = [(HumanTask, TaskStatus, TASK_TRANSITIONS), (NodeActivation, ActivationStatus, ACTIVATION_TRANSITIONS),
            (ProcessInstance, InstanceStatus, INSTANCE_TRANSITIONS)]


def test_the_values_are_the_strings_stored_today():
    assert [s.value for s in TaskStatus] == ["open", "approved", "rejected", "done", "returned", "transferred",
                                             "cancelled", "delegated", "resolved", "removed"]
    assert [s.value for s in ActivationStatus] == ["open", "approved", "rejected", "completed", "read", "returned",
                                                   "cancelled"]
    assert [s.value for s in InstanceStatus] == ["running", "suspended", "completed", "withdrawn", "cancelled",
                                                 "failed"]
    assert [s.value for s in Outcome] == ["approved", "rejected", "withdrawn", "terminated"]
    assert TaskStatus.OPEN == "open" and isinstance(TaskStatus.OPEN, str)


def test_the_declared_tables():
    assert TASK_TRANSITIONS[TaskStatus.OPEN] == {TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.DONE,
                                                 TaskStatus.RETURNED, TaskStatus.TRANSFERRED, TaskStatus.CANCELLED,
                                                 TaskStatus.DELEGATED, TaskStatus.RESOLVED, TaskStatus.REMOVED}
    assert TASK_TRANSITIONS[TaskStatus.DELEGATED] == {TaskStatus.OPEN, TaskStatus.CANCELLED}
    assert ACTIVATION_TRANSITIONS[ActivationStatus.OPEN] == {
        ActivationStatus.APPROVED, ActivationStatus.REJECTED, ActivationStatus.COMPLETED, ActivationStatus.READ,
        ActivationStatus.RETURNED, ActivationStatus.CANCELLED}
    ends = {InstanceStatus.COMPLETED, InstanceStatus.WITHDRAWN, InstanceStatus.CANCELLED, InstanceStatus.FAILED}
    assert INSTANCE_TRANSITIONS[InstanceStatus.RUNNING] == ends | {InstanceStatus.SUSPENDED}
    assert INSTANCE_TRANSITIONS[InstanceStatus.SUSPENDED] == ends | {InstanceStatus.RUNNING}
    # besides the first status, only a delegated task and a suspended instance have a way out
    ways_back = {TaskStatus.DELEGATED, InstanceStatus.SUSPENDED}
    for _model, statuses, table in MACHINES:
        assert set(table) == set(statuses)  # every status is declared, final ones with no way out
        first = next(iter(statuses))
        assert all(not table[s] for s in statuses if s is not first and s not in ways_back)


@pytest.mark.parametrize(("model", "frm", "to"), [
    (model, frm, to) for model, _statuses, table in MACHINES for frm, targets in table.items() for to in sorted(targets)])
def test_every_allowed_transition(model, frm, to):
    row = model(status=frm.value)
    transition(row, to)
    assert row.status == to.value and type(row.status) is str  # stored as the plain string


@pytest.mark.parametrize(("model", "frm", "to"), [
    (model, frm, to) for model, statuses, table in MACHINES for frm in statuses for to in statuses
    if to not in table[frm]])
def test_every_other_transition_is_refused(model, frm, to):
    row = model(status=frm.value)
    with pytest.raises(Conflict) as e:
        transition(row, to)
    assert row.status == frm.value
    assert e.value.reason == "status_transition" and e.value.params == {"current": frm.value, "to": to.value}


def test_a_completed_task_cannot_reopen_and_unknown_statuses_are_refused():
    t = HumanTask(status="open")
    transition(t, TaskStatus.APPROVED)
    with pytest.raises(Conflict, match="this task is approved; it cannot become open"):
        transition(t, TaskStatus.OPEN)
    with pytest.raises(Conflict):
        transition(HumanTask(status="open"), "suspended")
    with pytest.raises(Conflict):
        transition(ProcessInstance(status="running"), "open")  # a task status, not an instance's
