"""What every part of the adapter shares: the failures SpiffWorkflow signals, the one exception the
rest of engine/ sees (WorkflowFailed), and the BPMN id of a task."""
from __future__ import annotations

from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task

# SpiffWorkflow signals most failures with its own exceptions, but some paths raise plain
# TypeError/KeyError/AttributeError (e.g. a multi-instance input that is None). Any of them
# means "this step cannot run": the use case rolls back and reports it.
EngineError = (SpiffWorkflowException, WorkflowException, TypeError, KeyError, AttributeError, ValueError,
               IndexError, ZeroDivisionError, NameError, RecursionError, OverflowError)


class WorkflowFailed(Exception):
    """The engine could not continue (a failing condition or script, an inconsistent tree)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = dict(fields or {})  # e.g. a registered function's per-argument refusal


def node_of(task: Task) -> str:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None) or spec.name


def _describe(e: Exception) -> str:
    node = getattr(getattr(e, "task_spec", None), "bpmn_id", None) or getattr(e, "id", None)
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{node}: {text}" if node and str(node) not in text else text
