"""The SpiffWorkflow adapter: the one module that knows SpiffWorkflow's classes.

Everything the rest of engine/ needs from the library goes through here: parsing, the
serializer that stores the spec once per definition version, running engine steps, the
READY human tasks, completing and resetting tasks, and the two fixes Liuzhuan applies:

* The task iterators stop at depth 1000, after which a workflow that loops back through a
  gateway looks completed while a task is still READY (SPIFFWORKFLOW-NOTES.md, "Loops").
  We lift that limit and, more importantly, keep the tree shallow: `compact()` re-roots the
  task tree when a loop has made it deep, dropping history older than `KEEP_LEVELS`
  (Liuzhuan's own audit trail keeps the full history).
* Conditions and scripts run in the RestrictedPython sandbox (engine/sandbox.py).
"""
from __future__ import annotations

import contextvars
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.util import task as _bpmn_task_util
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import ServiceTask as SpiffServiceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util import task as _task_util
from SpiffWorkflow.util.task import TaskState

from core.errors import Problem
from engine import sandbox

# Depth beyond which compact() re-roots the tree, and how many levels of history it keeps.
COMPACT_AT_DEPTH = 100
KEEP_LEVELS = 40
_UNLIMITED = 10**9
BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _lift_iterator_depth_limit() -> None:
    """The iterators' max_depth=1000 default silently truncates deep trees; make it unlimited."""
    for cls in (_task_util.TaskIterator, _bpmn_task_util.BpmnTaskIterator):
        defaults = list(cls.__init__.__defaults__ or ())
        if len(defaults) >= 2 and defaults[1] == 1000:
            defaults[1] = _UNLIMITED
            cls.__init__.__defaults__ = tuple(defaults)


_lift_iterator_depth_limit()

# SpiffWorkflow signals most failures with its own exceptions, but some paths raise plain
# TypeError/KeyError/AttributeError (e.g. a multi-instance input that is None). Any of them
# means "this step cannot run": the use case rolls back and reports it.
EngineError = (SpiffWorkflowException, WorkflowException, TypeError, KeyError, AttributeError, ValueError,
               IndexError, ZeroDivisionError, NameError, RecursionError)


class WorkflowFailed(Exception):
    """The engine could not continue (a failing condition or script, an inconsistent tree)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = dict(fields or {})  # e.g. a registered function's per-argument refusal


# ---------------------------------------------------------------- parsing


@dataclass
class Parsed:
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


_LZ_CALL = "{urn:liuzhuan:bpmn:1}call"


class _ServiceTaskParser(ServiceTaskParser):
    """A serviceTask with <lz:call> is run by Liuzhuan's function registry (engine/functions.py):
    it becomes a SpiffWorkflow ServiceTask whose operation is the function's name."""

    def create_task(self) -> Any:
        call = self.node.find(f"{{{BPMN_MODEL_NS}}}extensionElements/{_LZ_CALL}")
        if call is None:
            return super().create_task()
        return self.spec_class(self.spec, self.bpmn_id, operation_name=call.get("function") or "",
                               operation_params={}, result_variable=self.bpmn_id, **self.bpmn_attributes)


class _Parser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (_ServiceTaskParser, SpiffServiceTask),
    }


def _parser() -> SpiffBpmnParser:
    return _Parser(validator=VALIDATOR)


def parse(xml: bytes) -> tuple[Parsed | None, list[Problem]]:
    """Parse one BPMN file and pick its top-level executable process. Never raises."""
    parser = _parser()
    try:
        parser.add_bpmn_str(xml, filename="definition.bpmn")
        ids = parser.get_process_ids()
    except ValidationException as e:
        return None, [Problem(e.id or None, _clean(e), "parser")]
    except Exception as e:  # the parser has crash paths on unusual input; they are problems, not 500s
        return None, [Problem(None, f"the BPMN parser could not read this file: {type(e).__name__}: {e}", "parser")]
    if not ids:
        return None, [Problem(None, "no executable process in this file", "parser")]
    called = _called_process_ids(xml)
    top = [pid for pid in ids if pid not in called] or ids
    pid = top[0]
    try:
        spec = parser.get_spec(pid)
        subs = parser.get_subprocess_specs(pid)
    except ValidationException as e:
        return None, [Problem(e.id or pid, _clean(e), "parser")]
    except Exception as e:
        return None, [Problem(pid, f"the BPMN parser could not build process '{pid}': {type(e).__name__}: {e}",
                              "parser")]
    return Parsed(pid, spec.description or pid, spec, subs), []


def _called_process_ids(xml: bytes) -> set[str]:
    from lxml import etree

    from bpmn.lz import BPMN_NS, parse_xml

    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        return set()
    return {el.get("calledElement") for el in root.iter(f"{{{BPMN_NS}}}callActivity") if el.get("calledElement")}


def _clean(e: Exception) -> str:
    msg = str(getattr(e, "msg", None) or (e.args[0] if e.args else "")).strip()
    return msg.splitlines()[0] if msg else type(e).__name__


# ---------------------------------------------------------------- serialization


class _SpecByReference(BpmnWorkflowConverter):
    """Serialize a workflow without its spec; the spec lives once on the definition row."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReference
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()
_SPEC_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def spec_to_json(parsed: Parsed) -> str:
    reg = _SPEC_SERIALIZER.registry
    return json.dumps({
        "spec": reg.convert(parsed.spec),
        "subprocess_specs": {k: reg.convert(v) for k, v in parsed.subprocess_specs.items()},
    })


class _SpecCache:
    """Deserialized specs by definition id. Specs are read-only at run time, so workflows share them."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict[tuple[int, str], tuple[Any, dict[str, Any]]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, definition_id: int, checksum: str, spec_json: str) -> tuple[Any, dict[str, Any]]:
        key = (definition_id, checksum)  # the checksum guards against a different database reusing ids
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        dct = json.loads(spec_json)
        reg = _SPEC_SERIALIZER.registry
        value = (reg.restore(dct["spec"]), {k: reg.restore(v) for k, v in dct["subprocess_specs"].items()})
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


SPECS = _SpecCache()


# The handler for service tasks of the running use case (set by runtime.advance around run()).
SERVICE_HANDLER: contextvars.ContextVar[Callable[[Task], Any] | None] = contextvars.ContextVar(
    "liuzhuan_service_handler", default=None)


class _ScriptEngine(PythonScriptEngine):
    """The sandboxed engine; service tasks go to Liuzhuan's registered functions."""

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


def new_workflow(spec: Any, subs: dict[str, Any], data: dict[str, Any]) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec, subs, script_engine=_engine())
    wf.task_tree.data.update(deepcopy(data))
    for t in wf.get_tasks(state=TaskState.READY):
        t.data.update(deepcopy(data))
    return wf


def dump_state(wf: BpmnWorkflow) -> str:
    return _SERIALIZER.serialize_json(wf)


def load_state(state: str, spec: Any, subs: dict[str, Any]) -> BpmnWorkflow:
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = dict(subs)
    wf = _SERIALIZER.from_dict(dct)
    wf.script_engine = _engine()
    return wf


# ---------------------------------------------------------------- running


MAX_AUTOMATIC_STEPS = 1_000


def run(wf: BpmnWorkflow, on_completed: Callable[[Task], None] | None = None) -> None:
    """Run engine steps until only human or waiting work is left, then keep the tree shallow.

    A process that loops through automatic steps without ever waiting would run forever inside
    SpiffWorkflow; it is stopped after MAX_AUTOMATIC_STEPS with a clear error instead.
    """
    steps = 0

    def count(task: Task) -> None:
        nonlocal steps
        steps += 1
        if steps > MAX_AUTOMATIC_STEPS:
            raise WorkflowFailed(f"more than {MAX_AUTOMATIC_STEPS} automatic steps without waiting for a person "
                                 f"(last: {node_of(task)}): an endless loop or recursion in the process?")

    try:
        wf.refresh_timers()
        wf.do_engine_steps(will_complete_task=count, did_complete_task=on_completed)
    except EngineError as e:
        raise WorkflowFailed(_describe(e)) from e
    compact(wf)


def _describe(e: Exception) -> str:
    node = getattr(getattr(e, "task_spec", None), "bpmn_id", None) or getattr(e, "id", None)
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{node}: {text}" if node and str(node) not in text else text


@dataclass(frozen=True)
class HumanStep:
    """A READY human task, as the rest of engine/ sees it."""

    task_id: str
    node_id: str
    node_name: str
    process_id: str


def node_of(task: Task) -> str:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None) or spec.name


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


# ---------------------------------------------------------------- keeping the tree shallow


def _ancestors(task: Task) -> list[Task]:
    chain = []
    cur: Task | None = task
    while cur is not None:
        chain.append(cur)
        cur = cur.parent
    chain.reverse()
    return chain


def compact(wf: BpmnWorkflow, at_depth: int = COMPACT_AT_DEPTH, keep: int = KEEP_LEVELS) -> bool:
    """Re-root the task tree of a deep workflow. Returns True when it did.

    Safe because the new root is a completed ancestor of every unfinished task: joins,
    pending branches and predicted paths all stay below it. Skipped when sub-processes
    are present (their trees hang off tasks that might be dropped).
    """
    if wf.subprocesses:
        return False
    unfinished = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return False
    path = _ancestors(unfinished[0])
    if len(path) <= at_depth:
        return False
    index = {t.id: i for i, t in enumerate(path)}
    lca = len(path) - 1
    for t in unfinished[1:]:
        cur: Task | None = t
        while cur is not None and cur.id not in index:
            cur = cur.parent
        lca = min(lca, index[cur.id]) if cur is not None else 0
    cut = lca - keep
    if cut <= 0:
        return False
    new_root = path[cut]
    if new_root.state != TaskState.COMPLETED:
        return False
    kept = _subtree_ids([new_root])
    for tid in [tid for tid in wf.tasks if tid not in kept]:
        del wf.tasks[tid]
    new_root._parent = None
    wf.task_tree = new_root
    if wf.last_task is not None and wf.last_task.id not in kept:
        wf.last_task = new_root
    return True


def _subtree_ids(roots: Iterable[Task]) -> set[UUID]:
    out: set[UUID] = set()
    stack = list(roots)
    while stack:
        t = stack.pop()
        out.add(t.id)
        stack.extend(t.children)
    return out


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


# ---------------------------------------------------------------- progress (read only)


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
