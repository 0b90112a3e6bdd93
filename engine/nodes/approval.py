"""The approval node (DESIGN.md §2) and the single-person handle task (办理), in one place: the
node paired with its activation (`node_activation`) and its people (`human_task`).

* activate: entered by the workflow, the node resolves its assignees, opens their tasks (one at a
  time when sequential), records its deadline and casts the automatic approvals it allows;
* vote / evaluate / decide: each decision is counted by the node's rule (`decide`, a pure function
  of the mode, the number of assignees and the decisions so far); once the outcome is certain the
  node closes, cancels the remaining open tasks and completes its SpiffWorkflow task with
  `<node_id>.outcome` and `<node_id>.votes`;
* the people of an open node change: transfer and escalate (`hand_over`), add signers;
* deadline: remind, approve, reject or escalate when `lz:deadline` passes.

Every status change goes through engine.lifecycle.transition.
"""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam, select

from bpmn.lz import NodeConfig
from core.errors import Conflict
from crm.models import User
from db.base import iso, utcnow
from engine import assignees, audit, runtime, signatures, spiff
from engine.lifecycle import ActivationStatus, InstanceStatus, TaskStatus, transition
from engine.models import HumanTask, NodeActivation, Timer
from engine.nodes.ballot import NodeRows, decision, node_rows, voted_rows, voters
from engine.nodes.rules import APPROVED, READ, REJECTED, decide, describe, needed, vote_summary, weight_of

__all__ = ["APPROVED", "READ", "REJECTED", "decide", "describe", "needed", "vote_summary"]


# ---------------------------------------------------------------- entering the node


def activate(ctx: runtime.Ctx, step: spiff.HumanStep) -> bool:
    """Enter a READY human task as a node activation. True when automatic votes decided it at once."""
    cfg = runtime.node_config(ctx.definition, step.process_id, step.node_id) or NodeConfig(
        node_id=step.node_id, name=step.node_name, kind="handle")
    found = _assignees_of(ctx, step, cfg)
    act = _open_activation(ctx, step, cfg, found)
    if cfg.cc:
        runtime.copy_to(ctx, cfg)
    due = utcnow() + cfg.deadline.delta if cfg.deadline else None
    if due is not None and cfg.deadline is not None:
        ctx.s.add(Timer(instance_id=ctx.inst.id, kind="deadline", node_id=step.node_id, activation_id=act.id,
                        action=cfg.deadline.action, due_at=due))
    auto = _auto_approve(ctx, act, cfg, found)
    # A fresh node can only be decided by automatic votes; a sequential one opens its first task.
    if (auto or act.mode == "sequential") and evaluate(ctx, act):
        return True
    if act.mode != "sequential":
        for u in found:
            if u.id not in auto:
                runtime.open_task(ctx, act, u.id, due, flush=False)  # flushed with the instance
    return False


def _assignees_of(ctx: runtime.Ctx, step: spiff.HumanStep, cfg: NodeConfig) -> list[User]:
    """The node's assignees (its warnings recorded on the instance); the process admins when nobody
    could be resolved."""
    found: list[User] = []
    if cfg.assignees is not None:
        res = assignees.resolve(ctx.s, cfg.assignees, lambda: ctx.initiator, spiff.data_of(ctx.wf),
                                ctx.inst.chosen or {}, step.node_id)
        found = res.users
        ctx.held.extend(found)
        for w in res.warnings:
            runtime.warn(ctx, f"{step.node_name}: {w}", step.node_id)
    if not found:
        found = assignees.process_admins(ctx.s)
        runtime.warn(ctx, f"{step.node_name}: no assignee could be resolved; assigned to the process admins "
                          f"({', '.join(u.username for u in found) or 'none'})", step.node_id)
        if not found:
            raise spiff.WorkflowFailed(f"node {step.node_id}: no assignee and no process admin")
    return found


def _open_activation(ctx: runtime.Ctx, step: spiff.HumanStep, cfg: NodeConfig, found: list[User]) -> NodeActivation:
    """The open activation of the node for `found` (flushed, its entry audited)."""
    rule = cfg.approval
    act = NodeActivation(
        instance_id=ctx.inst.id, node_id=step.node_id, node_name=step.node_name, spiff_task_id=step.task_id,
        kind="approval" if rule else "handle", mode=rule.mode if rule else "any",
        threshold=str(rule.threshold) if rule and rule.threshold is not None else None,
        assignee_ids=[u.id for u in found], status=ActivationStatus.OPEN.value,
        weights=_weights(cfg, found),
    )
    ctx.s.add(act)
    ctx.s.flush()
    audit.record(ctx.s, ctx.inst.id, "enter", None, node_id=step.node_id,
                 detail={"assignees": [u.username for u in found], "mode": act.mode})
    return act


def _weights(cfg: NodeConfig, found: list[User]) -> dict[str, int] | None:
    """票签: the weights of the node's assignees other than 1, by str(user id); a weight given for
    someone who is not an assignee is ignored. None when nobody weighs other than 1."""
    given = dict(cfg.assignees.weights) if cfg.assignees else {}
    weights = {str(u.id): given[u.username] for u in found if given.get(u.username, 1) != 1}
    return weights or None


def _auto_approve(ctx: runtime.Ctx, act: NodeActivation, cfg: NodeConfig, found: list[User]) -> set[int]:
    """The automatic approvals the rule allows (skip the initiator, skip who already approved an
    earlier node), each cast as an approved task; returns the ids of those assignees."""
    rule = cfg.approval
    auto: set[int] = set()
    if not (rule and (rule.skip_initiator or rule.skip_repeated)):
        return auto
    prior = set()
    if rule.skip_repeated:
        prior = set(ctx.s.scalars(select(HumanTask.assignee_id).where(
            HumanTask.instance_id == ctx.inst.id, HumanTask.status == TaskStatus.APPROVED,
            HumanTask.node_id != act.node_id)))
    for u in found:
        why = ("is the initiator" if rule.skip_initiator and u.id == ctx.inst.initiator_id
               else "already approved an earlier node" if u.id in prior else None)
        if why:
            auto.add(u.id)
            t = HumanTask(instance_id=ctx.inst.id, activation_id=act.id, node_id=act.node_id,
                          node_name=act.node_name, assignee_id=u.id, status=TaskStatus.OPEN.value, auto=True,
                          comment=f"auto-approved: {u.display_name} {why}", acted_at=utcnow())
            transition(t, TaskStatus.APPROVED)
            ctx.s.add(t)
            audit.record(ctx.s, ctx.inst.id, "auto_approve", u.id, node_id=act.node_id, comment=why)
    ctx.s.flush()
    return auto


# ---------------------------------------------------------------- votes and the decision


def vote(ctx: runtime.Ctx, act: NodeActivation, t: HumanTask, actor_id: int, approve: bool,
         comment: str | None, signature: dict[str, Any] | None = None) -> None:
    """`t`'s assignee approves (completes, on a handle task; confirms, on a read-only node) or rejects;
    the node counts it. A delegate's task (委派) records an opinion instead (`resolve`); a claim
    node must be claimed first; a read-only node has no rejection."""
    signed = {"signature": signature} if signature else {}
    if t.delegated_from_id is not None:
        resolve(ctx, t, actor_id, approve, comment, signed)
        return
    if act.mode == "claim":
        raise Conflict("claim this task first: it is offered to several people", reason="claim_first")
    if act.mode == "read" and not approve:
        raise Conflict("this step only asks you to confirm that you have read it: there is nothing to reject",
                       reason="read_only_node")
    if act.kind == "approval":
        status, action = (TaskStatus.APPROVED, "read" if act.mode == "read" else "approve") if approve \
            else (TaskStatus.REJECTED, "reject")
    else:
        status, action = TaskStatus.DONE, "complete"
    transition(t, status)
    t.comment, t.acted_at = comment, utcnow()
    audit.record(ctx.s, ctx.inst.id, action, actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                 detail=signed or None)
    if not evaluate(ctx, act):
        ctx.undecided_vote = True  # counted, not decided: the workflow does not move (driver.settled)


def resolve(ctx: runtime.Ctx, t: HumanTask, actor_id: int, approve: bool, comment: str | None,
            signed: dict[str, Any] | None = None) -> None:
    """委派: the delegate gives their opinion (not a vote); the delegator's task comes back to them."""
    back = ctx.s.get(HumanTask, t.delegated_from_id)
    assert back is not None
    transition(t, TaskStatus.RESOLVED)
    t.comment, t.acted_at = comment, utcnow()
    transition(back, TaskStatus.OPEN)
    ctx.s.flush()
    audit.record(ctx.s, ctx.inst.id, "resolve", actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                 detail={"opinion": "approve" if approve else "reject", "to_task": back.id, **(signed or {})})


_USERS = select(User).where(User.id.in_(bindparam("ids", expanding=True)))


def evaluate(ctx: runtime.Ctx, act: NodeActivation) -> bool:
    """Decide the node if its rule is satisfied; open the next sequential task otherwise."""
    node = node_rows(ctx.s, act)
    rows = node.voted
    if act.kind == "handle":
        if node.done:
            decide_node(ctx, act, ActivationStatus.COMPLETED, node.done, node)
            return True
        return False
    weights = [weight_of(act.weights, t.assignee_id) for t in rows] if act.weights else None
    total = sum(weight_of(act.weights, uid) for uid in act.assignee_ids) if act.weights else None
    outcome = decide(act.mode, len(act.assignee_ids), [decision(t) for t in rows],
                     Fraction(act.threshold) if act.threshold else None, weights, total)
    if outcome is not None:
        decide_node(ctx, act, outcome, rows, node)
        return True
    if act.mode == "sequential" and not any(t.status == TaskStatus.OPEN for t in node.waiting):
        done_ids = {t.assignee_id for t in rows}
        nxt = next((uid for uid in act.assignee_ids if uid not in done_ids), None)
        if nxt is not None:
            timer = ctx.s.scalar(select(Timer).where(Timer.activation_id == act.id))
            runtime.open_task(ctx, act, nxt, timer.due_at if timer else None)
    return False


def _outcome_is_read(ctx: runtime.Ctx, node_id: str) -> bool:
    return any(node_id in cfg.outcome_readers for cfg in runtime.configs_of(ctx.definition).values())


def decide_node(ctx: runtime.Ctx, act: NodeActivation, outcome: str, rows: list[HumanTask],
                node: NodeRows | None = None) -> None:
    """Close the node with `outcome` from the votes in `rows`; `node`, when the caller has read it,
    spares reading the tasks to cancel and the voters' names again."""
    outcome = str(outcome)  # the plain string, into the process data and the audit trail
    if node is not None:
        runtime.close_activation(ctx, act, outcome, node.waiting, flush=False, timers=node.timers)
    else:
        runtime.close_activation(ctx, act, outcome)
    if node is not None:
        names, signed = node.usernames, node.signed
    else:
        names = {u.id: u.username for u in ctx.s.scalars(_USERS, {"ids": [t.assignee_id for t in rows]})}
        signed = signatures.of_tasks(ctx.s, [t.id for t in rows])
    ballot = [{"user": names[t.assignee_id],
               "decision": "read" if act.mode == "read" else
               {"approved": "approve", "rejected": "reject"}.get(t.status, t.status),
               "comment": t.comment or "", "at": iso(t.acted_at or utcnow()), "auto": t.auto,
               **({"signature": signed[t.id]} if t.id in signed else {})}
              for t in rows]
    audit.record(ctx.s, ctx.inst.id, "decide", None, node_id=act.node_id, detail={"outcome": outcome})
    routed = act.kind == "handle" or outcome != REJECTED or _outcome_is_read(ctx, act.node_id)
    spiff.complete(ctx.wf, act.spiff_task_id, {act.node_id: {"outcome": outcome, "votes": ballot}})
    if not routed:
        # Nothing after this node looks at its outcome: a rejection ends the instance as rejected
        # instead of flowing on as if approved.
        spiff.cancel(ctx.wf)
        runtime.finish_instance(ctx, InstanceStatus.COMPLETED, None, outcome="rejected")


# ---------------------------------------------------------------- the people of an open node


def actions(act: NodeActivation, t: HumanTask | None = None) -> list[str]:
    """What the assignee of open task `t` of this node may do (the API's allowed actions and the
    task page's buttons: engine/task_reads.py narrows them to what applies now)."""
    if t is not None and t.delegated_from_id is not None:
        return ["approve", "reject"] if act.kind == "approval" else ["approve"]  # the delegate's opinion
    if act.mode == "read":
        return ["approve", "transfer"]  # 已阅, or hand the reading to someone else
    if act.mode == "claim":
        return ["claim", "transfer"]
    if act.mode == "claimed":
        return ["approve", "reject", "return", "transfer", "delegate", "unclaim"]
    if act.kind == "approval":
        return ["approve", "reject", "return", "transfer", "add_signer", "delegate", "remove_signer"]
    return ["approve", "return", "transfer", "delegate"]


def hand_over(ctx: runtime.Ctx, act: NodeActivation, t: HumanTask, to_user_id: int, comment: str | None,
              now: datetime, due: datetime | None = None) -> HumanTask:
    """`t` moves to another person (转办, or a deadline's escalation): the node keeps its place in the
    assignee list (and its weight) for them and they get an open task."""
    if t.delegated_from_id is not None:
        raise Conflict("a delegate gives an opinion on this task; it cannot be handed on", reason="not_offered",
                       action="transfer")
    holder = t.assignee_id
    transition(t, TaskStatus.TRANSFERRED)
    t.comment, t.acted_at = comment, now
    act.assignee_ids = [to_user_id if uid == holder else uid for uid in act.assignee_ids]
    if act.weights and str(holder) in act.weights:
        act.weights = {(str(to_user_id) if k == str(holder) else k): w for k, w in act.weights.items()}
    return runtime.open_task(ctx, act, to_user_id, due)


def add_signers(ctx: runtime.Ctx, act: NodeActivation, t: HumanTask, user_ids: list[int],
                position: str = "after") -> None:
    """加签: more assignees on the open node (each weighs 1). In a sequential node they come right
    after `t`'s assignee (后加签), or before them (前加签): `t` is then cancelled and its assignee's
    turn comes again once the added signers approved, in order. In the other modes each added
    signer gets a task and counts under the node's rule (on `any`, the first decision of anyone,
    adder or added, decides)."""
    if act.mode == "sequential":
        pos = act.assignee_ids.index(t.assignee_id) + (0 if position == "before" else 1)
        act.assignee_ids = act.assignee_ids[:pos] + user_ids + act.assignee_ids[pos:]
        if position == "before":
            transition(t, TaskStatus.CANCELLED)
            t.acted_at = utcnow()
            ctx.s.flush()
            evaluate(ctx, act)  # opens the first added signer's task
    else:
        act.assignee_ids = [*act.assignee_ids, *user_ids]
        for uid in user_ids:
            runtime.open_task(ctx, act, uid, t.due_at)


# ---------------------------------------------------------------- the deadline (lz:deadline)


def deadline(ctx: runtime.Ctx, act: NodeActivation, action: str, now: datetime) -> None:
    """The node's deadline passed: remind (an audit event naming who was reminded), approve / reject
    (every missing vote is cast automatically, marked auto, so the node decides), escalate (each open
    task moves to its assignee's supervisor). A handle task cannot be rejected: it is reminded."""
    open_rows = runtime.open_tasks(ctx.s, act.id)
    if act.mode == "read":  # 阅办: the deadline completes a read-only node, read or not
        audit.record(ctx.s, ctx.inst.id, "deadline_read", None, node_id=act.node_id,
                     detail={"unread": sorted(t.assignee_id for t in open_rows)})
        decide_node(ctx, act, READ, voted_rows(ctx.s, act))
    elif action == "remind" or (action == "reject" and act.kind == "handle"):
        audit.record(ctx.s, ctx.inst.id, "remind", None, node_id=act.node_id,
                     detail={"users": sorted(t.assignee_id for t in open_rows), "reason": "deadline"})
    elif action in ("approve", "reject"):
        _cast_missing_votes(ctx, act, open_rows, action, now)
    elif action == "escalate":
        _escalate(ctx, act, open_rows, now)
def _cast_missing_votes(ctx: runtime.Ctx, act: NodeActivation, open_rows: list[HumanTask], action: str,
                        now: datetime) -> None:
    status = ((TaskStatus.APPROVED if action == "approve" else TaskStatus.REJECTED) if act.kind == "approval"
              else TaskStatus.DONE)
    note = f"deadline passed: auto-{action}d"
    voted = voters(ctx.s, act)
    by_user = {t.assignee_id: t for t in open_rows}
    for uid in act.assignee_ids:
        if uid in voted:
            continue
        row = by_user.get(uid) or runtime.open_task(ctx, act, uid)
        transition(row, status)
        row.auto, row.comment, row.acted_at = True, note, now
        if act.kind == "handle":
            break  # one completion finishes a handle task
    ctx.s.flush()
    audit.record(ctx.s, ctx.inst.id, f"deadline_{action}", None, node_id=act.node_id, comment=note)
    evaluate(ctx, act)


def _escalate(ctx: runtime.Ctx, act: NodeActivation, open_rows: list[HumanTask], now: datetime) -> None:
    moved = []
    for row in open_rows:
        user = ctx.s.get(User, row.assignee_id)
        sup = user.supervisor if user else None
        if sup is None or not sup.active or sup.id in act.assignee_ids:
            continue
        hand_over(ctx, act, row, sup.id, "deadline passed: escalated", now)
        moved.append({"from": user.username if user else None, "to": sup.username})
    audit.record(ctx.s, ctx.inst.id, "escalate", None, node_id=act.node_id, detail={"moved": moved})
