"""The running instance: load under lock, advance, activate human nodes, count votes, save.

The invariant this module keeps: the open `human_task` rows of an instance are exactly the
assignees of the open activations, and the open activations are exactly the READY human
tasks of the workflow. `advance()` restores it after every change by reconciling the two
(cancelling activations whose SpiffWorkflow task disappeared, activating new READY tasks).
"""
from __future__ import annotations

import json
import keyword
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bpmn.lz import NodeConfig, ProcessConfig, parse_xml, read_definitions
from core.errors import DomainError, NotFound
from crm import org
from crm.models import User
from db.base import iso, utcnow
from db.session import lock_for_update
from engine import assignees, audit, functions, spiff, votes
from engine.models import CarbonCopy, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance, Timer

MAX_SETTLE_ROUNDS = 10_000
VOTED = ("approved", "rejected")


@lru_cache(maxsize=256)
def _configs(definition_id: int, checksum: str, xml: str) -> dict[str, ProcessConfig]:
    configs, _problems = read_definitions(parse_xml(xml.encode()))
    return configs


def configs_of(d: ProcessDefinition) -> dict[str, ProcessConfig]:
    return _configs(d.id, d.checksum, d.bpmn_xml)


def node_config(d: ProcessDefinition, process_id: str, node_id: str) -> NodeConfig | None:
    cfgs = configs_of(d)
    cfg = cfgs.get(process_id)
    if cfg is not None and node_id in cfg.nodes:
        return cfg.nodes[node_id]
    for c in cfgs.values():
        if node_id in c.nodes:
            return c.nodes[node_id]
    return None


@dataclass
class Ctx:
    s: Session
    inst: ProcessInstance
    definition: ProcessDefinition
    wf: Any
    _initiator: User | None = None

    @property
    def initiator(self) -> User:
        """Loaded on first use: most actions never resolve assignees."""
        if self._initiator is None:
            self._initiator = org.get_user(self.s, self.inst.initiator_id)
        return self._initiator


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Process data as stored for queries (dates and decimals become strings)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def load(s: Session, instance_id: int, lock: bool = True) -> Ctx:
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
    if lock:
        # the row as of our lock, never an identity-map copy from before it
        stmt = lock_for_update(stmt, s).execution_options(populate_existing=True)
    inst = s.scalars(stmt).first()
    if inst is None:
        raise NotFound(f"process instance {instance_id} not found")
    d = s.get(ProcessDefinition, inst.definition_id)
    assert d is not None
    spec, subs = spiff.SPECS.get(d.id, d.checksum, d.spec_json)
    wf = spiff.load_state(inst.state, spec, subs)
    return Ctx(s, inst, d, wf)


def save(ctx: Ctx) -> None:
    ctx.inst.state = spiff.dump_state(ctx.wf)
    ctx.inst.data = json_safe(spiff.data_of(ctx.wf))
    ctx.inst.revision += 1
    ctx.inst.updated_at = utcnow()
    ctx.inst.error = None  # a step went through: an earlier failure is history (it stays in the audit trail)
    schedule_bpmn_timer(ctx)
    ctx.s.flush()


def schedule_bpmn_timer(ctx: Ctx) -> None:
    """Keep one pending 'bpmn' timer row per instance, at its earliest waiting timer event."""
    if "timerEventDefinition" not in ctx.definition.bpmn_xml:
        return
    ctx.s.execute(delete(Timer).where(Timer.instance_id == ctx.inst.id, Timer.kind == "bpmn",
                                      Timer.fired_at.is_(None)))
    due = spiff.next_timer_due(ctx.wf) if ctx.inst.status == "running" else None
    if due is not None:
        ctx.s.add(Timer(instance_id=ctx.inst.id, kind="bpmn", due_at=due))


def warn(ctx: Ctx, message: str, node_id: str | None = None) -> None:
    ctx.inst.warnings = [*(ctx.inst.warnings or []), message]
    audit.record(ctx.s, ctx.inst.id, "warning", None, node_id=node_id, comment=message)


# ---------------------------------------------------------------- advancing


def advance(ctx: Ctx) -> None:
    """Run the engine until it waits for people; activate and decide human nodes on the way."""
    for _ in range(MAX_SETTLE_ROUNDS):
        finished: list[tuple[str, str]] = []

        def note(t: Any, finished: list[tuple[str, str]] = finished) -> None:
            finished.append((t.workflow.spec.name, spiff.node_of(t)))

        token = spiff.SERVICE_HANDLER.set(lambda task: call_function(ctx, task))
        try:
            spiff.run(ctx.wf, on_completed=note)
        finally:
            spiff.SERVICE_HANDLER.reset(token)
        for process_id, node_id in finished:
            cfg = node_config(ctx.definition, process_id, node_id)
            if cfg is not None and cfg.cc and not cfg.is_human:
                copy_to(ctx, cfg)
        if not reconcile(ctx):
            break
    else:
        raise spiff.WorkflowFailed("the process did not settle (an automatic loop without a wait state?)")
    if ctx.inst.status == "running" and spiff.is_completed(ctx.wf):
        finish_instance(ctx, "completed", spiff.end_event(ctx.wf))


def _missing_name(expr: str, data: dict[str, Any]) -> bool:
    name = expr.strip()
    return name.isidentifier() and not keyword.iskeyword(name) and name not in data


def call_function(ctx: Ctx, task: Any) -> dict[str, Any]:
    """Run a service task's registered function (lz:call) with its sandboxed arguments."""
    node_id = spiff.node_of(task)
    cfg = node_config(ctx.definition, task.workflow.spec.name, node_id)
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
        raise spiff.WorkflowFailed(f"{node_id}: {cfg.call.function}: {e.message}",
                                   {f"data.{k}": v for k, v in e.fields.items()}) from e
    audit.record(ctx.s, ctx.inst.id, "call", None, node_id=node_id,
                 detail={"function": cfg.call.function, "args": json_safe(args)})
    return {"result": json.loads(json.dumps(result, default=str))}  # becomes <node_id> in the process data


def finish_instance(ctx: Ctx, status: str, end_event: str | None = None, outcome: str | None = None) -> None:
    ctx.inst.status = status
    ctx.inst.end_event = end_event
    ctx.inst.outcome = outcome
    ctx.inst.ended_at = utcnow()
    for act in open_activations(ctx):
        close_activation(ctx, act, "cancelled")
    audit.record(ctx.s, ctx.inst.id, status, None, node_id=end_event,
                 detail={"outcome": outcome} if outcome else {})


def open_activations(ctx: Ctx) -> list[NodeActivation]:
    return list(ctx.s.scalars(select(NodeActivation).where(
        NodeActivation.instance_id == ctx.inst.id, NodeActivation.status == "open").order_by(NodeActivation.id)))


def open_tasks(s: Session, activation_id: int) -> list[HumanTask]:
    return list(s.scalars(select(HumanTask).where(
        HumanTask.activation_id == activation_id, HumanTask.status == "open").order_by(HumanTask.id)))


def reconcile(ctx: Ctx) -> bool:
    """Match activations to READY human tasks. True if a node was decided on entry (run again)."""
    steps = {st.task_id: st for st in spiff.ready_human_steps(ctx.wf)}
    acts = open_activations(ctx)
    active = set()
    for act in acts:
        if act.spiff_task_id in steps:
            active.add(act.spiff_task_id)
        else:
            close_activation(ctx, act, "cancelled")
    changed = False
    for tid, step in steps.items():
        if tid not in active and ctx.inst.status == "running":
            changed = activate(ctx, step) or changed
    return changed


def close_activation(ctx: Ctx, act: NodeActivation, status: str) -> None:
    now = utcnow()
    act.status = status
    act.decided_at = now
    for t in open_tasks(ctx.s, act.id):
        t.status = "cancelled"
        t.acted_at = now
    for timer in ctx.s.scalars(select(Timer).where(Timer.activation_id == act.id, Timer.fired_at.is_(None))):
        timer.fired_at = now  # obsolete; never fires
    ctx.s.flush()


# ---------------------------------------------------------------- activating a node


def activate(ctx: Ctx, step: spiff.HumanStep) -> bool:
    cfg = node_config(ctx.definition, step.process_id, step.node_id) or NodeConfig(
        node_id=step.node_id, name=step.node_name, kind="handle")
    rule = cfg.approval
    found: list[User] = []
    if cfg.assignees is not None:
        res = assignees.resolve(ctx.s, cfg.assignees, ctx.initiator, spiff.data_of(ctx.wf), ctx.inst.chosen or {},
                                step.node_id)
        found = res.users
        for w in res.warnings:
            warn(ctx, f"{step.node_name}: {w}", step.node_id)
    if not found:
        found = assignees.process_admins(ctx.s)
        warn(ctx, f"{step.node_name}: no assignee could be resolved; assigned to the process admins "
                  f"({', '.join(u.username for u in found) or 'none'})", step.node_id)
        if not found:
            raise spiff.WorkflowFailed(f"node {step.node_id}: no assignee and no process admin")
    act = NodeActivation(
        instance_id=ctx.inst.id, node_id=step.node_id, node_name=step.node_name, spiff_task_id=step.task_id,
        kind="approval" if rule else "handle", mode=rule.mode if rule else "any",
        threshold=str(rule.threshold) if rule and rule.threshold is not None else None,
        assignee_ids=[u.id for u in found], status="open",
    )
    ctx.s.add(act)
    ctx.s.flush()
    audit.record(ctx.s, ctx.inst.id, "enter", None, node_id=step.node_id,
                 detail={"assignees": [u.username for u in found], "mode": act.mode})
    if cfg.cc:
        copy_to(ctx, cfg)
    due = utcnow() + cfg.deadline.delta if cfg.deadline else None
    if due is not None and cfg.deadline is not None:
        ctx.s.add(Timer(instance_id=ctx.inst.id, kind="deadline", node_id=step.node_id, activation_id=act.id,
                        action=cfg.deadline.action, due_at=due))
    auto: set[int] = set()
    if rule and (rule.skip_initiator or rule.skip_repeated):
        prior = set()
        if rule.skip_repeated:
            prior = set(ctx.s.scalars(select(HumanTask.assignee_id).where(
                HumanTask.instance_id == ctx.inst.id, HumanTask.status == "approved",
                HumanTask.node_id != step.node_id)))
        for u in found:
            why = ("is the initiator" if rule.skip_initiator and u.id == ctx.inst.initiator_id
                   else "already approved an earlier node" if u.id in prior else None)
            if why:
                auto.add(u.id)
                ctx.s.add(HumanTask(instance_id=ctx.inst.id, activation_id=act.id, node_id=act.node_id,
                                    node_name=act.node_name, assignee_id=u.id, status="approved", auto=True,
                                    comment=f"auto-approved: {u.display_name} {why}", acted_at=utcnow()))
                audit.record(ctx.s, ctx.inst.id, "auto_approve", u.id, node_id=act.node_id, comment=why)
        ctx.s.flush()
    # A fresh node can only be decided by automatic votes; a sequential one opens its first task.
    if (auto or act.mode == "sequential") and evaluate(ctx, act):
        return True
    if act.mode != "sequential":
        for u in found:
            if u.id not in auto:
                open_task(ctx, act, u.id, due)
    return False


def open_task(ctx: Ctx, act: NodeActivation, user_id: int, due: datetime | None = None) -> HumanTask:
    t = HumanTask(instance_id=ctx.inst.id, activation_id=act.id, node_id=act.node_id, node_name=act.node_name,
                  assignee_id=user_id, status="open", due_at=due)
    ctx.s.add(t)
    ctx.s.flush()
    return t


def copy_to(ctx: Ctx, cfg: NodeConfig) -> None:
    data = spiff.data_of(ctx.wf)
    for rule in cfg.cc:
        res = assignees.resolve(ctx.s, rule, ctx.initiator, data, ctx.inst.chosen or {}, cfg.node_id)
        for u in res.users:
            exists = ctx.s.scalar(select(CarbonCopy.id).where(
                CarbonCopy.instance_id == ctx.inst.id, CarbonCopy.user_id == u.id, CarbonCopy.node_id == cfg.node_id))
            if exists is None:
                ctx.s.add(CarbonCopy(instance_id=ctx.inst.id, user_id=u.id, node_id=cfg.node_id))
                audit.record(ctx.s, ctx.inst.id, "cc", u.id, node_id=cfg.node_id)
    ctx.s.flush()


# ---------------------------------------------------------------- votes


def voted_rows(s: Session, act: NodeActivation) -> list[HumanTask]:
    return list(s.scalars(select(HumanTask).where(HumanTask.activation_id == act.id, HumanTask.status.in_(VOTED))
                          .order_by(HumanTask.acted_at, HumanTask.id)))


def voters(s: Session, act: NodeActivation) -> set[int]:
    return {t.assignee_id for t in voted_rows(s, act)}


def evaluate(ctx: Ctx, act: NodeActivation) -> bool:
    """Decide the node if its rule is satisfied; open the next sequential task otherwise."""
    rows = voted_rows(ctx.s, act)
    if act.kind == "handle":
        done = [t for t in ctx.s.scalars(select(HumanTask).where(HumanTask.activation_id == act.id,
                                                                 HumanTask.status == "done"))]
        if done:
            decide_node(ctx, act, "completed", done)
            return True
        return False
    outcome = votes.decide(act.mode, len(act.assignee_ids), [_decision(t) for t in rows],
                           Fraction(act.threshold) if act.threshold else None)
    if outcome is not None:
        decide_node(ctx, act, outcome, rows)
        return True
    if act.mode == "sequential" and not open_tasks(ctx.s, act.id):
        done_ids = {t.assignee_id for t in rows}
        nxt = next((uid for uid in act.assignee_ids if uid not in done_ids), None)
        if nxt is not None:
            timer = ctx.s.scalar(select(Timer).where(Timer.activation_id == act.id))
            open_task(ctx, act, nxt, timer.due_at if timer else None)
    return False


def _decision(t: HumanTask) -> str:
    return "approve" if t.status == "approved" else "reject"


def _outcome_is_read(ctx: Ctx, node_id: str) -> bool:
    return any(node_id in cfg.outcome_readers for cfg in configs_of(ctx.definition).values())


def decide_node(ctx: Ctx, act: NodeActivation, outcome: str, rows: list[HumanTask]) -> None:
    close_activation(ctx, act, outcome)
    users = {u.id: u for u in ctx.s.scalars(select(User).where(User.id.in_([t.assignee_id for t in rows])))}
    ballot = [{"user": users[t.assignee_id].username,
               "decision": {"approved": "approve", "rejected": "reject"}.get(t.status, t.status),
               "comment": t.comment or "", "at": iso(t.acted_at or utcnow()), "auto": t.auto}
              for t in rows]
    audit.record(ctx.s, ctx.inst.id, "decide", None, node_id=act.node_id, detail={"outcome": outcome})
    routed = act.kind == "handle" or outcome == "approved" or _outcome_is_read(ctx, act.node_id)
    spiff.complete(ctx.wf, act.spiff_task_id, {act.node_id: {"outcome": outcome, "votes": ballot}})
    if not routed:
        # Nothing after this node looks at its outcome: a rejection ends the instance as rejected
        # instead of flowing on as if approved.
        spiff.cancel(ctx.wf)
        finish_instance(ctx, "completed", None, outcome="rejected")
