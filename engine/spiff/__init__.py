"""The SpiffWorkflow adapter: the one subpackage that knows SpiffWorkflow's classes (with
engine/sandbox.py, the sandbox its script engine runs conditions and scripts in).

Everything the rest of engine/ needs from the library goes through the names below: parsing
(parsing.py), the serializer that stores the spec once per definition version (serialization.py),
the sandboxed script engine and the service-task handler (scripting.py), running engine steps,
the READY human tasks, completing and resetting tasks (running.py), and keeping a looping
workflow's task tree shallow (tree.py). What leaves it is plain data, ids and WorkflowFailed.
"""
from __future__ import annotations

from engine.spiff.base import EngineError, WorkflowFailed, node_of
from engine.spiff.moving import Position, has_node, in_parallel_region, jump, missing_nodes, position, rebuild
from engine.spiff.parsing import Parsed, parse
from engine.spiff.running import (
    MAX_AUTOMATIC_STEPS,
    HumanStep,
    TraceStep,
    cancel,
    complete,
    data_of,
    descendants,
    end_event,
    get_task,
    held_start_events,
    is_bpmn_task,
    is_completed,
    is_service_task,
    new_workflow,
    next_timer_due,
    ready_human_steps,
    reset_to,
    returnable_nodes,
    run,
    start_event_before,
    task_count,
    trace,
)
from engine.spiff.scripting import SERVICE_HANDLER, evaluate, script_engine
from engine.spiff.serialization import SPECS, dump_state, load_state, spec_to_json
from engine.spiff.tree import COMPACT_AT_DEPTH, KEEP_LEVELS, compact

__all__ = ["COMPACT_AT_DEPTH", "KEEP_LEVELS", "MAX_AUTOMATIC_STEPS", "SERVICE_HANDLER", "SPECS", "EngineError",
           "HumanStep", "Parsed", "Position", "TraceStep", "WorkflowFailed", "cancel", "compact", "complete",
           "data_of", "descendants", "dump_state", "end_event", "evaluate", "get_task", "has_node",
           "held_start_events", "in_parallel_region", "is_bpmn_task", "is_completed", "is_service_task", "jump",
           "load_state",
           "missing_nodes", "new_workflow", "next_timer_due", "node_of", "parse", "position", "ready_human_steps",
           "rebuild", "reset_to", "returnable_nodes", "run", "script_engine", "spec_to_json", "start_event_before",
           "task_count", "trace"]
