"""Sending an instance back (驳回/退回) and taking a step back (拿回), inside the caller's locked
instance (engine/tasks.py `return_task`, engine/collab.py `take_back`).

* return to an earlier node of the task's path, to `"previous"` (the nearest one) or to
  `"initiator"`: the workflow is reset to its start event and held there (engine/driver.py
  `held_for_initiator`) while the initiator revises the start form in a task of kind
  `resubmit`; approving that task with corrected data runs the flow again from the first step
  after the start event. What the current pass's registered functions did to CRM records is
  undone at the return (engine/compensation.py), so the start steps can run again.
* The tasks opened at the target carry `returned: {by, comment, from_node}`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.errors import Conflict, Forbidden, Msg, ValidationFailed
from crm import org
from db.base import utcnow
from engine import attachments, audit, compensation, driver, redaction, runtime, spiff
from engine.driver import RESUBMIT
from engine.instances import start_form, validate_form
from engine.lifecycle import ActivationStatus, TaskStatus, transition
from engine.models import AuditEvent, HumanTask, NodeActivation
from engine.task_reads import returnable
from forms.components import components

INITIATOR = "initiator"
PREVIOUS = "previous"
# what an assignee of a step does that makes a take-back (拿回) of the step before it too late
ACTING = ("approve", "reject", "complete", "return", "transfer", "delegate", "add_signer", "remove_signer",
          "claim", "resolve")


# ---------------------------------------------------------------- return (驳回/退回)


def return_task(ctx: runtime.Ctx, t: HumanTask, act: NodeActivation, actor_id: int, to_node: str,
                comment: str) -> str:
    """`t`'s assignee sends the instance back; returns the node it went to."""
    if to_node == INITIATOR:
        return _to_initiator(ctx, t, act, actor_id, comment)
    targets = returnable(ctx, act)
    if to_node == PREVIOUS:
        if not targets:
            raise ValidationFailed("there is no earlier step to return to",
                                   {"to_node": Msg("no_previous", "there is no earlier step on this path")})
        to_node = targets[0][0]
    found = dict(targets)
    if to_node not in found:
        possible = [*found, *([PREVIOUS] if found else []), INITIATOR]
        raise ValidationFailed(f"cannot return to '{to_node}'",
                               {"to_node": "not an earlier node of this instance's path; possible: "
                                           + ", ".join(possible)})
    _close_returned(ctx, t, act, actor_id, comment, to_node)
    spiff.reset_to(ctx.wf, found[to_node], spiff.data_of(ctx.wf))
    driver.advance(ctx)  # the target opens now, so its tasks can say who returned them
    mark_returned(ctx, to_node, actor_id, comment, t.node_id)
    return to_node


def _close_returned(ctx: runtime.Ctx, t: HumanTask, act: NodeActivation, actor_id: int, comment: str,
                    to_node: str) -> None:
    transition(t, TaskStatus.RETURNED)
    t.comment, t.acted_at = comment, utcnow()
    runtime.close_activation(ctx, act, ActivationStatus.RETURNED)
    audit.record(ctx.s, ctx.inst.id, "return", actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                 detail={"to_node": to_node})


def mark_returned(ctx: runtime.Ctx, node_id: str, actor_id: int, comment: str | None, from_node: str) -> None:
    """The open tasks at `node_id` say who sent the instance back to them, and why."""
    by = org.get_user(ctx.s, actor_id).username
    rows = ctx.s.scalars(select(HumanTask).join(NodeActivation, NodeActivation.id == HumanTask.activation_id).where(
        HumanTask.instance_id == ctx.inst.id, HumanTask.status == TaskStatus.OPEN,
        NodeActivation.status == ActivationStatus.OPEN, NodeActivation.node_id == node_id))
    for row in rows:
        row.returned = {"by": by, "comment": comment, "from_node": from_node}


def _to_initiator(ctx: runtime.Ctx, t: HumanTask, act: NodeActivation, actor_id: int, comment: str) -> str:
    start = spiff.start_event_before(ctx.wf, act.spiff_task_id)
    if start is None:
        raise Conflict("the start of this instance is no longer in its kept history",
                       reason="start_not_reachable")
    node_id, start_task, name = start
    _close_returned(ctx, t, act, actor_id, comment, INITIATOR)
    for other in runtime.open_activations(ctx):  # parallel branches: everything after the start goes
        runtime.close_activation(ctx, other, ActivationStatus.CANCELLED)
    last = ctx.s.scalar(select(AuditEvent.seq).where(AuditEvent.instance_id == ctx.inst.id,
                                                     AuditEvent.action == "resubmit")
                        .order_by(AuditEvent.seq.desc()).limit(1))
    data = spiff.data_of(ctx.wf)
    compensation.undo_withdrawn(ctx.s, ctx.inst.id, ctx.inst.business_key, ctx.inst.initiator_id, data, actor_id,
                                since_seq=last or 0)
    spiff.reset_to(ctx.wf, start_task, data)
    held = NodeActivation(instance_id=ctx.inst.id, node_id=node_id, node_name=name, spiff_task_id=start_task,
                          kind=RESUBMIT, mode="any", assignee_ids=[ctx.inst.initiator_id],
                          status=ActivationStatus.OPEN.value)
    ctx.s.add(held)
    ctx.s.flush()
    audit.record(ctx.s, ctx.inst.id, "enter", None, node_id=node_id,
                 detail={"assignees": [ctx.initiator.username], "mode": RESUBMIT})
    task = runtime.open_task(ctx, held, ctx.inst.initiator_id)
    task.returned = {"by": org.get_user(ctx.s, actor_id).username, "comment": comment, "from_node": t.node_id}
    return INITIATOR


def resubmit(ctx: runtime.Ctx, t: HumanTask, act: NodeActivation, actor_id: int, comment: str | None,
             data: dict[str, Any]) -> None:
    """The initiator approves their returned task: the corrected start form (validated, 422 naming
    the fields) becomes the data, and the flow runs again from the first step after the start event."""
    current = spiff.data_of(ctx.wf)
    schema = start_form(ctx.definition)
    if schema is not None:
        keys = [c["key"] for c in components(schema) if isinstance(c.get("key"), str)]
        data = validate_form(ctx.s, actor_id, schema, {**{k: current[k] for k in keys if k in current}, **data},
                             ctx.inst.id)
        redaction.check_writes(ctx.s, org.get_user(ctx.s, actor_id), ctx.definition, data, current)
        attachments.bind_pending(ctx.s, ctx.inst.id, actor_id, t.node_id, t.id)
    transition(t, TaskStatus.DONE)
    t.comment, t.acted_at = comment, utcnow()
    runtime.close_activation(ctx, act, ActivationStatus.COMPLETED)
    audit.record(ctx.s, ctx.inst.id, "resubmit", actor_id, node_id=t.node_id, task_id=t.id, comment=comment)
    start = spiff.get_task(ctx.wf, act.spiff_task_id)
    if start is None:
        raise Conflict("the start of this instance is no longer in its kept history", reason="start_not_reachable")
    start.data.update(data)  # driver.advance (in_instance) runs the flow again from here


# ---------------------------------------------------------------- take back (拿回)


def take_back(ctx: runtime.Ctx, actor_id: int, comment: str | None) -> str:
    """The user who completed the step before the current one reopens it, while nobody of the
    current step has acted; returns the node reopened."""
    node_id, spiff_task, at_stake = check_take_back(ctx, actor_id)
    for a in at_stake:
        if a.status == ActivationStatus.OPEN:
            runtime.close_activation(ctx, a, ActivationStatus.CANCELLED)
    audit.record(ctx.s, ctx.inst.id, "take_back", actor_id, node_id=node_id, comment=comment,
                 detail={"from_nodes": sorted({a.node_id for a in at_stake})})
    spiff.reset_to(ctx.wf, spiff_task, spiff.data_of(ctx.wf))
    return node_id


def check_take_back(ctx: runtime.Ctx, actor_id: int) -> tuple[str, str, list[NodeActivation]]:
    """(node to reopen, its SpiffWorkflow task, the activations after it that the take-back drops);
    Forbidden for anyone but who completed the step before the current one, Conflict once someone
    of the current step acted."""
    found = _previous_of_current(ctx, actor_id)
    if found is None:
        raise Forbidden("only the user who completed the step before the current one may take it back",
                        reason="not_previous_actor")
    node_id, spiff_task, prev_act = found
    below = spiff.descendants(ctx.wf, spiff_task)
    at_stake = [a for a in ctx.s.scalars(select(NodeActivation).where(
        NodeActivation.instance_id == ctx.inst.id, NodeActivation.id > prev_act.id))
        if a.spiff_task_id in below or a.status == ActivationStatus.OPEN]
    if _someone_acted(ctx, [a.id for a in at_stake]):
        raise Conflict("someone of the current step has already acted; it can no longer be taken back",
                       reason="next_step_acted")
    return node_id, spiff_task, at_stake


def _previous_of_current(ctx: runtime.Ctx, actor_id: int) -> tuple[str, str, NodeActivation] | None:
    """(node, its completed SpiffWorkflow task, its activation) of the step before a current step
    that `actor_id` completed (approved or handled it themselves)."""
    for act in runtime.open_activations(ctx):
        if act.kind == RESUBMIT:
            continue
        earlier = returnable(ctx, act)
        if not earlier:
            continue
        node_id, spiff_task = earlier[0]
        prev = ctx.s.scalar(select(NodeActivation).where(NodeActivation.instance_id == ctx.inst.id,
                                                         NodeActivation.spiff_task_id == spiff_task)
                            .order_by(NodeActivation.id.desc()).limit(1))
        if prev is None:
            continue
        mine = ctx.s.scalar(select(HumanTask.id).where(
            HumanTask.activation_id == prev.id, HumanTask.assignee_id == actor_id, HumanTask.auto.is_(False),
            HumanTask.status.in_((TaskStatus.APPROVED, TaskStatus.DONE))).limit(1))
        if mine is not None:
            return node_id, spiff_task, prev
    return None


def _someone_acted(ctx: runtime.Ctx, activation_ids: list[int]) -> bool:
    if not activation_ids:
        return False
    rows = list(ctx.s.scalars(select(HumanTask).where(HumanTask.activation_id.in_(activation_ids))))
    if any(r.status not in (TaskStatus.OPEN, TaskStatus.CANCELLED) and not r.auto for r in rows):
        return True
    ids = [r.id for r in rows]
    return bool(ids) and ctx.s.scalar(select(AuditEvent.id).where(
        AuditEvent.instance_id == ctx.inst.id, AuditEvent.task_id.in_(ids), AuditEvent.action.in_(ACTING))
        .limit(1)) is not None
