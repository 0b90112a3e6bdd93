"""Moving the tokens of a workflow by hand: jump (跳转) to any user task, and re-creating a
workflow from another version's spec at the same user tasks (迁移).

SpiffWorkflow can only reset to a task that exists in the tree (`reset_from_task_id`). To go
anywhere, we cancel the unfinished work of the top-level process (its READY, WAITING and
STARTED tasks with what hangs below them: predictions, sub-processes) and hang a new task for
the target under a completed task of the tree; SpiffWorkflow then runs on from there as if the
flow had arrived. A migrated workflow is a new workflow of the new spec whose start is completed
and under which the same human tasks are placed, with the process data carried over.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway, ParallelGateway
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.spiff.base import EngineError, WorkflowFailed, _describe, node_of
from engine.spiff.running import new_workflow, run
from engine.spiff.scripting import _engine


def _spec_of(wf: BpmnWorkflow, node_id: str) -> TaskSpec | None:
    for spec in wf.spec.task_specs.values():
        if getattr(spec, "bpmn_id", None) == node_id:
            return spec
    return None


def has_node(wf: BpmnWorkflow, node_id: str) -> bool:
    """Whether the top-level process of `wf` has an element `node_id`."""
    return _spec_of(wf, node_id) is not None


def in_parallel_region(wf: BpmnWorkflow, node_id: str) -> bool:
    """Whether `node_id` lies between a parallel (or inclusive) split and its join: going forward
    from it reaches a joining gateway before any split. A token placed there alone would leave the
    join waiting for branches that no longer run."""
    start = _spec_of(wf, node_id)
    seen: set[str] = set()
    stack = list(start.outputs) if start is not None else []
    while stack:
        s = stack.pop()
        if s.name in seen:
            continue
        seen.add(s.name)
        if isinstance(s, (ParallelGateway, InclusiveGateway)):
            if len(s.inputs) > 1:
                return True  # a join reached before any split: we are inside its region
            if len(s.outputs) > 1:
                continue  # a split: what lies beyond is a region of its own
        stack.extend(s.outputs)
    return False


def _frontier(wf: BpmnWorkflow) -> list[Task]:
    """The top-level tasks where unfinished work begins: not finished, with a finished parent."""
    return [t for t in wf.tasks.values()
            if t.has_state(TaskState.NOT_FINISHED_MASK)
            and (t.parent is None or t.parent.has_state(TaskState.FINISHED_MASK))]


def _anchor(wf: BpmnWorkflow, frontier: list[Task]) -> Task:
    """A completed task to hang the new work under: the latest finished parent of the frontier."""
    parents = [t.parent for t in frontier if t.parent is not None and t.parent.state == TaskState.COMPLETED]
    if parents:
        return max(parents, key=lambda t: t.last_state_change)
    done = [t for t in wf.tasks.values() if t.state == TaskState.COMPLETED]
    if not done:
        raise WorkflowFailed("the workflow has no completed step to continue from")
    return max(done, key=lambda t: t.last_state_change)


def _entry_spec(spec: TaskSpec) -> TaskSpec:
    """What to create for a task: a task with boundary events is entered through their split."""
    if len(spec.inputs) == 1 and isinstance(spec.inputs[0], BoundaryEventSplit):
        return spec.inputs[0]
    return spec


def _place(anchor: Task, spec: TaskSpec, data: dict[str, Any]) -> Task:
    child = anchor._add_child(_entry_spec(spec), TaskState.FUTURE)
    child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)  # its paths onward
    child.task_spec._update(child)
    child.data = deepcopy(data)
    return child


def jump(wf: BpmnWorkflow, node_id: str, data: dict[str, Any]) -> None:
    """Cancel all unfinished work and continue from the user task `node_id` with `data`."""
    spec = _spec_of(wf, node_id)
    if spec is None:
        raise WorkflowFailed(f"{node_id}: not a task of this process")
    try:
        frontier = _frontier(wf)
        anchor = _anchor(wf, frontier)
        for t in frontier:
            t.cancel()
        _place(anchor, spec, data)
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e


@dataclass(frozen=True)
class Position:
    """Where a running workflow stands: its READY human tasks (node ids, in tree order) and, per
    waiting join, the inputs that already arrived there."""

    human: tuple[str, ...]
    joins: tuple[tuple[str, tuple[str, ...]], ...]
    nested: tuple[str, ...] = ()  # human tasks inside a sub-process (not moved)

    def nodes(self) -> set[str]:
        return set(self.human) | {j for j, _ in self.joins} | {i for _, ins in self.joins for i in ins}


def position(wf: BpmnWorkflow) -> Position:
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    human = [t for t in ready if t.workflow is wf]
    nested = tuple(node_of(t) for t in ready if t.workflow is not wf)
    joins: dict[str, list[str]] = {}
    for t in wf.tasks.values():
        if t.state == TaskState.WAITING and isinstance(t.task_spec, (ParallelGateway, InclusiveGateway)):
            arrived = _arrived(wf, t.task_spec)
            joins[node_of(t)] = arrived
    return Position(tuple(node_of(t) for t in human), tuple((k, tuple(v)) for k, v in joins.items()), nested)


def _arrived(wf: BpmnWorkflow, join: TaskSpec) -> list[str]:
    out = []
    for t in wf.tasks.values():
        if t.task_spec is join and t.parent is not None and t.parent.state == TaskState.COMPLETED \
                and t.has_state(TaskState.WAITING | TaskState.CANCELLED | TaskState.READY):
            nid = node_of(t.parent)
            if nid not in out:
                out.append(nid)
    return out


def missing_nodes(pos: Position, spec: Any) -> list[str]:
    """The nodes of `pos` that the process spec `spec` does not have (where a migration is blocked)."""
    ids = {getattr(s, "bpmn_id", None) for s in spec.task_specs.values()}
    return sorted({n for n in pos.nodes() if n not in ids} | set(pos.nested))


def rebuild(spec: Any, subs: dict[str, Any], pos: Position, data: dict[str, Any]) -> BpmnWorkflow:
    """A new workflow of `spec` standing at `pos`: the same human tasks READY (and the same inputs
    already arrived at each waiting join), with `data` as the process data."""
    wf = new_workflow(spec, subs, data)
    wf.script_engine = _engine()
    try:
        frontier = _frontier(wf)
        for t in frontier:
            t.cancel()
        anchor = _complete_root(wf)
        for join_id, inputs in pos.joins:
            join_spec = _spec_of(wf, join_id)
            assert join_spec is not None, "checked by missing_nodes"
            for input_id in inputs:
                input_spec = _spec_of(wf, input_id)
                assert input_spec is not None
                arrived = anchor._add_child(input_spec, TaskState.COMPLETED)
                arrived.data = deepcopy(data)
                waiting = arrived._add_child(join_spec, TaskState.FUTURE)
                waiting.task_spec._predict(waiting, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
                waiting.task_spec._update(waiting)
        for node_id in pos.human:
            spec_ = _spec_of(wf, node_id)
            assert spec_ is not None
            _place(anchor, spec_, data)
        run(wf)  # a task with boundary events is entered through their split: let it open the task
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e
    return wf


def _complete_root(wf: BpmnWorkflow) -> Task:
    root = wf.task_tree
    if root.state != TaskState.COMPLETED:
        root._set_state(TaskState.COMPLETED)
    return root
