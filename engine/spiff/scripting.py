"""The script engine: conditions and scripts run in the RestrictedPython sandbox
(engine/sandbox.py); service tasks go to the handler of the running use case.

Values that size the work are checked against core/limits.py as soon as they are computed, before
SpiffWorkflow uses them (bpmn/limits.py): a timer's duration, date or cycle, a multi-instance
cardinality read from the process data, and a multi-instance input collection (checked when the
multi-instance task starts, before it creates one child per item: `_check_input_collection`).
"""
from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task

from bpmn import limits as bpmn_limits
from engine import sandbox
from engine.spiff.base import EngineError, WorkflowFailed, _describe, node_of

# The handler for service tasks of the running use case (set by driver.advance around run()).
SERVICE_HANDLER: contextvars.ContextVar[Callable[[Task], Any] | None] = contextvars.ContextVar(
    "liuzhuan_service_handler", default=None)


_TIMER_KINDS = {"TimeDateEventDefinition": "timeDate", "DurationTimerEventDefinition": "timeDuration",
                "CycleTimerEventDefinition": "timeCycle"}


def _limit_problem(task: Task, expression: str, value: Any) -> str | None:
    spec = task.task_spec
    event = getattr(spec, "event_definition", None)
    kind = _TIMER_KINDS.get(type(event).__name__) if event is not None else None
    if kind is not None and getattr(event, "expression", None) == expression:
        return bpmn_limits.timer_problem(kind, value)
    if expression == getattr(spec, "cardinality", None):
        return bpmn_limits.cardinality_problem(value)
    return None


_multi_instance_update_hook = MultiInstanceTask._update_hook


def _check_input_collection(spec: MultiInstanceTask, my_task: Task) -> Any:
    """MultiInstanceTask._update_hook (which gives the task its data), then the input collection's
    size checked: the parallel and sequential kinds call it before they create a child per item
    (SpiffWorkflow has no hook for this, so the method is wrapped once, here in the adapter)."""
    ready = _multi_instance_update_hook(spec, my_task)
    data_input = spec.data_input
    if data_input is not None and data_input.exists(my_task):
        if why := bpmn_limits.collection_problem(data_input.get(my_task)):
            raise WorkflowFailed(f"{node_of(my_task)}: {why}")
    return ready


MultiInstanceTask._update_hook = _check_input_collection  # type: ignore[method-assign]


class _ScriptEngine(PythonScriptEngine):
    """The sandboxed engine; service tasks go to Liuzhuan's registered functions."""

    def evaluate(self, task: Task, expression: str, external_context: Any = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        if why := _limit_problem(task, expression, value):
            raise WorkflowFailed(f"{node_of(task)}: {why}")
        return value

    def call_service(self, task: Task, **kwargs: Any) -> str:
        handler = SERVICE_HANDLER.get()
        if handler is None:
            raise WorkflowFailed(f"{node_of(task)}: service tasks run only inside a Liuzhuan use case")
        # SpiffWorkflow stores the JSON we return in the task's result variable, which is the node id.
        return json.dumps(handler(task), ensure_ascii=False, default=str)


def script_engine() -> Any:
    return _ScriptEngine(environment=sandbox.RestrictedEnvironment())


def evaluate(task: Task, expression: str) -> Any:
    """Evaluate a sandboxed expression over a task's data (lz:arg)."""
    try:
        return task.workflow.script_engine.evaluate(task, expression)
    except EngineError as e:
        raise WorkflowFailed(f"{node_of(task)}: {_describe(e)}") from e


_ENGINE = None


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = script_engine()
    return _ENGINE
