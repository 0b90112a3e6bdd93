"""Running a workflow: engine steps, the READY human tasks, completing, resetting and cancelling
tasks, the process data, the end reached, waiting timers and the trace the progress view draws."""
from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, StartEvent
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.spiff.base import EngineError, WorkflowFailed, _describe, node_of
from engine.spiff.scripting import _engine
from engine.spiff.tree import compact


def new_workflow(spec: Any, subs: dict[str, Any], data: dict[str, Any]) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec, subs, script_engine=_engine())
    wf.task_tree.data.update(deepcopy(data))
    for t in wf.get_tasks(state=TaskState.READY):
        t.data.update(deepcopy(data))
    return wf


MAX_AUTOMATIC_STEPS = 1_000


class _Paused(Exception):
    """`pause_before` stopped the run before a task (which stays READY)."""


def run(wf: BpmnWorkflow, on_completed: Callable[[Task], None] | None = None,
        pause_before: Callable[[Task], bool] | None = None) -> bool:
    """Run engine steps until only human or waiting work is left, then keep the tree shallow.
    Returns True when `pause_before` said to stop before a READY task (it stays READY: the next
    run starts with it), False when the workflow waits for people, timers or its end.

    A process that loops through automatic steps without ever waiting would run forever inside
    SpiffWorkflow; it is stopped after MAX_AUTOMATIC_STEPS with a clear error instead.
    """
    steps = 0

    def count(task: Task) -> None:
        nonlocal steps
        if pause_before is not None and pause_before(task):
            raise _Paused
        steps += 1
        if steps > MAX_AUTOMATIC_STEPS:
            raise WorkflowFailed(f"more than {MAX_AUTOMATIC_STEPS} automatic steps without waiting for a person "
                                 f"(last: {node_of(task)}): an endless loop or recursion in the process?")

    paused = False
    try:
        wf.refresh_timers()
        wf.do_engine_steps(will_complete_task=count, did_complete_task=on_completed)
    except _Paused:
        paused = True
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e
    compact(wf)
    return paused


def is_service_task(task: Task) -> bool:
    """A service task (lz:call): what the scaled mode runs after the commit (engine/continuation.py)."""
    return isinstance(task.task_spec, ServiceTask)


@dataclass(frozen=True)
class HumanStep:
    """A READY human task, as the rest of engine/ sees it."""

    task_id: str
    node_id: str
    node_name: str
    process_id: str


def ready_human_steps(wf: BpmnWorkflow) -> list[HumanStep]:
    steps = []
    for t in wf.get_tasks(state=TaskState.READY, manual=True):
        spec = t.task_spec
        steps.append(HumanStep(str(t.id), node_of(t), getattr(spec, "bpmn_name", None) or node_of(t),
                               t.workflow.spec.name))
    return steps


def get_task(wf: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        return wf.get_task_from_id(UUID(task_id))
    except (ValueError, TypeError):
        return None


def complete(wf: BpmnWorkflow, task_id: str, updates: dict[str, Any]) -> None:
    task = get_task(wf, task_id)
    if task is None or task.state != TaskState.READY:
        # Running a CANCELLED task would silently complete it (SPIFFWORKFLOW-NOTES.md).
        raise WorkflowFailed(f"task {task_id} is not ready")
    task.data.update(deepcopy(updates))
    try:
        task.run()
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e


def data_of(wf: BpmnWorkflow) -> dict[str, Any]:
    """The current process data: final data when completed, else the data of the open work."""
    # Parallel branches each carry their own copy until a join merges them, and a task that
    # waits at a join has no data yet: replay every live task's data in the order it changed.
    merged: dict[str, Any] = {}
    live = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED
    for t in sorted((t for t in wf.tasks.values() if t.has_state(live)), key=lambda t: t.last_state_change):
        merged.update(t.data)
    if wf.is_completed():
        merged.update(wf.data)  # filled at a normal end; empty when the workflow was cancelled
    merged.pop("data_objects", None)
    return merged


def returnable_nodes(wf: BpmnWorkflow, task_id: str, human: set[str]) -> list[tuple[str, str]]:
    """Earlier human nodes on this task's path (nearest first): (node_id, task_id)."""
    task = get_task(wf, task_id)
    seen: set[str] = set()
    out = []
    cur = task.parent if task else None
    while cur is not None:
        nid = node_of(cur)
        if nid in human and cur.state == TaskState.COMPLETED and nid not in seen and nid != node_of(task):
            seen.add(nid)
            out.append((nid, str(cur.id)))
        cur = cur.parent
    return out


def reset_to(wf: BpmnWorkflow, target_task_id: str, data: dict[str, Any]) -> None:
    """Re-open an earlier task, dropping everything after it; it keeps the latest data."""
    target = get_task(wf, target_task_id)
    if target is None:
        raise WorkflowFailed(f"task {target_task_id} not found")
    try:
        wf.reset_from_task_id(target.id)
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e
    target = get_task(wf, target_task_id)
    if target is not None:
        target.data = deepcopy(data)


def start_event_before(wf: BpmnWorkflow, task_id: str) -> tuple[str, str, str] | None:
    """(node_id, task_id, name) of the top-level start event on `task_id`'s path, if still in the tree."""
    cur = get_task(wf, task_id)
    while cur is not None:
        if isinstance(cur.task_spec, StartEvent) and cur.workflow is wf:
            return node_of(cur), str(cur.id), getattr(cur.task_spec, "bpmn_name", None) or node_of(cur)
        cur = cur.parent
    return None


def held_start_events(wf: BpmnWorkflow) -> list[tuple[str, str]]:
    """(node_id, task_id) of READY top-level start events: a workflow reset to its start and held
    there while the initiator revises (a returned instance); never otherwise saved."""
    return [(node_of(t), str(t.id)) for t in wf.get_tasks(state=TaskState.READY)
            if isinstance(t.task_spec, StartEvent) and t.workflow is wf]


def descendants(wf: BpmnWorkflow, task_id: str) -> set[str]:
    """Ids of the tasks below `task_id` in the tree (what a reset to it drops)."""
    task = get_task(wf, task_id)
    return {str(t.id) for t in task if t is not task} if task is not None else set()


def cancel(wf: BpmnWorkflow) -> None:
    wf.cancel()


def is_completed(wf: BpmnWorkflow) -> bool:
    """Completed, checked against the task table itself so a truncated tree walk cannot fake it."""
    if not wf.is_completed():
        return False
    pending = [t for t in wf.tasks.values() if t.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED)]
    if pending:
        raise WorkflowFailed(f"the engine reports the process completed while {node_of(pending[0])} is still "
                             f"{TaskState.get_name(pending[0].state)}: refusing to end it silently")
    return True


def end_event(wf: BpmnWorkflow) -> str | None:
    """The end event the top-level process reached (the latest one if several)."""
    best = None
    for t in wf.tasks.values():
        if isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED:
            if best is None or t.last_state_change >= best.last_state_change:
                best = t
    return node_of(best) if best else None


def task_count(wf: BpmnWorkflow) -> int:
    return len(wf.tasks) + sum(len(sp.tasks) for sp in wf.subprocesses.values())


def is_bpmn_task(task: Task) -> bool:
    return isinstance(task.task_spec, BpmnTaskSpec)


def next_timer_due(wf: BpmnWorkflow) -> datetime | None:
    """When the earliest BPMN timer event this workflow waits for becomes due (UTC), if any."""
    due: list[datetime] = []
    for ev in wf.waiting_events():
        value = ev.value
        if isinstance(value, dict):  # cycle timer
            value = value.get("next")
        if not isinstance(value, str) or "Timer" not in str(ev.event_type):
            continue
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            continue
        due.append(at if at.tzinfo else at.replace(tzinfo=UTC))
    return min(due) if due else None


@dataclass(frozen=True)
class TraceStep:
    """One task of the workflow's tree as the progress view needs it: its BPMN element, its state
    (COMPLETED, READY, WAITING, STARTED, CANCELLED, ERROR, or a prediction: FUTURE, LIKELY, MAYBE),
    and the element and state of the task it came from."""

    node_id: str
    state: str
    parent_node_id: str | None
    parent_state: str | None


def trace(wf: BpmnWorkflow) -> list[TraceStep]:
    """Every task of the workflow (sub-processes included), parents before children."""
    out = []
    for t in wf.get_tasks():
        parent = t.parent
        out.append(TraceStep(node_of(t), TaskState.get_name(t.state),
                             node_of(parent) if parent is not None else None,
                             TaskState.get_name(parent.state) if parent is not None else None))
    return out
