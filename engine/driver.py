"""Advancing a running instance: run SpiffWorkflow until it waits for people, activating the
human nodes it reaches (engine/nodes/approval.py) and calling the registered functions of service
tasks on the way.

The invariant this module keeps: the open `human_task` rows of an instance are exactly the
assignees of the open activations, and the open activations are exactly the READY human
tasks of the workflow. `advance()` restores it after every change by reconciling the two
(cancelling activations whose SpiffWorkflow task disappeared, activating new READY tasks).
"""
from __future__ import annotations

import json
import keyword
from typing import Any

from sqlalchemy import select

from core.errors import DomainError
from engine import audit, continuation, functions, runtime, spiff
from engine.lifecycle import ActivationStatus, InstanceStatus
from engine.models import NodeActivation
from engine.nodes import approval

MAX_SETTLE_ROUNDS = 10_000


def advance(ctx: runtime.Ctx) -> None:
    """Run the engine until it waits for people; activate and decide human nodes on the way.
    A suspended instance (挂起) does not move: no step, no timer, until it is activated."""
    if ctx.inst.status == InstanceStatus.SUSPENDED or settled(ctx):
        return
    if held_for_initiator(ctx):
        return  # returned to the initiator: nothing runs until they resubmit (engine/returns.py)
    paused, pause_before = False, continuation.pause_before(ctx)
    for _ in range(MAX_SETTLE_ROUNDS):
        finished: list[tuple[str, str]] = []

        def note(t: Any, finished: list[tuple[str, str]] = finished) -> None:
            finished.append((t.workflow.spec.name, spiff.node_of(t)))

        token = spiff.SERVICE_HANDLER.set(lambda task: call_function(ctx, task))
        try:
            paused = spiff.run(ctx.wf, on_completed=note, pause_before=pause_before) or paused
        finally:
            spiff.SERVICE_HANDLER.reset(token)
        for process_id, node_id in finished:
            cfg = runtime.node_config(ctx.definition, process_id, node_id)
            if cfg is not None and cfg.cc and not cfg.is_human:
                runtime.copy_to(ctx, cfg)
        if not reconcile(ctx):
            break
    else:
        raise spiff.WorkflowFailed("the process did not settle (an automatic loop without a wait state?)")
    if paused:  # scaled mode: a worker continues past the service task after the commit
        continuation.schedule(ctx)
    if ctx.inst.status == InstanceStatus.RUNNING and spiff.is_completed(ctx.wf):
        runtime.finish_instance(ctx, InstanceStatus.COMPLETED, spiff.end_event(ctx.wf))


def settled(ctx: runtime.Ctx) -> bool:
    """Whether advancing can be skipped: the action was a vote its node's rule counted without
    deciding, and nothing deserialized the workflow (so nothing changed it, and the last step left
    it settled, waiting for people). Not when the definition has timer events (running the workflow
    fires those now due) nor in scaled mode (running it re-sends a pending continuation)."""
    return (ctx.undecided_vote and not ctx.wf_loaded and not runtime.has_timer_events(ctx.definition)
            and not continuation.deferring())


def held_for_initiator(ctx: runtime.Ctx) -> bool:
    """The workflow waits at its start event for the initiator's resubmission (an open activation of
    kind "resubmit" holds it); a READY start event is never saved otherwise."""
    if not spiff.held_start_events(ctx.wf):
        return False
    return ctx.s.scalar(select(NodeActivation.id).where(
        NodeActivation.instance_id == ctx.inst.id, NodeActivation.status == ActivationStatus.OPEN,
        NodeActivation.kind == RESUBMIT)) is not None


RESUBMIT = "resubmit"  # the kind of the initiator's activation after a return to the initiator


def reconcile(ctx: runtime.Ctx) -> bool:
    """Match activations to READY human tasks. True if a node was decided on entry (run again)."""
    steps = {st.task_id: st for st in spiff.ready_human_steps(ctx.wf)}
    acts = runtime.open_activations(ctx)
    active = set()
    for act in acts:
        if act.spiff_task_id in steps:
            active.add(act.spiff_task_id)
        else:
            runtime.close_activation(ctx, act, ActivationStatus.CANCELLED)
    changed = False
    for tid, step in steps.items():
        if tid not in active and ctx.inst.status == InstanceStatus.RUNNING:
            changed = approval.activate(ctx, step) or changed
    return changed


def _missing_name(expr: str, data: dict[str, Any]) -> bool:
    name = expr.strip()
    return name.isidentifier() and not keyword.iskeyword(name) and name not in data


def call_function(ctx: runtime.Ctx, task: Any) -> dict[str, Any]:
    """Run a service task's registered function (lz:call) with its sandboxed arguments."""
    node_id = spiff.node_of(task)
    cfg = runtime.node_config(ctx.definition, task.workflow.spec.name, node_id)
    if cfg is None or cfg.call is None:
        raise spiff.WorkflowFailed(f"{node_id}: a service task needs lz:call naming a registered function")
    fn = functions.get(cfg.call.function)
    if fn is None:
        raise spiff.WorkflowFailed(f"{node_id}: {functions.unknown_function(cfg.call.function, list_known=False)}")
    # An argument naming an optional form field the client left out is None, not a NameError.
    args = {a.name: None if _missing_name(a.expr, task.data) else spiff.evaluate(task, a.expr)
            for a in cfg.call.args}
    call = functions.Call(ctx.s, ctx.inst.id, ctx.inst.business_key, ctx.inst.initiator_id, node_id)
    try:
        result = fn(call, **args)
    except DomainError as e:  # the function refused (e.g. a record in the wrong state)
        # a refused argument is named by the data field it was read from (`received_at` <- `invoice_received_at`)
        source = {a.name: a.expr.strip() for a in cfg.call.args if a.expr.strip().isidentifier()}
        raise spiff.WorkflowFailed(f"{node_id}: {cfg.call.function}: {e.message}",
                                   {f"data.{source.get(k, k)}": v for k, v in e.fields.items()}) from e
    audit.record(ctx.s, ctx.inst.id, "call", None, node_id=node_id,
                 detail={"function": cfg.call.function, "args": runtime.json_safe(args)})
    return {"result": json.loads(json.dumps(result, default=str))}  # becomes <node_id> in the process data
