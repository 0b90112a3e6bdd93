"""A running instance's state and rows: load it under lock, save it, and the row operations
every node kind shares (open and close activations and their tasks, copies, warnings, the end of
the instance). Advancing the workflow is engine/driver.py; what an approval node does is
engine/nodes/approval.py. Status changes go through engine.lifecycle.transition.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, literal_column, select
from sqlalchemy.orm import Session, defer

from bpmn.lz import NodeConfig, ProcessConfig, parse_xml, read_definitions
from core.errors import Conflict, NotFound
from crm import org
from crm.models import User
from db.base import utcnow
from engine import assignees, audit, next_due, spiff  # noqa: F401  (next_due: its session hooks)
from engine.lifecycle import ActivationStatus, InstanceStatus, Outcome, TaskStatus, transition
from engine.models import CarbonCopy, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance, Timer

_CONFIGS: dict[tuple[int, str], dict[str, ProcessConfig]] = {}
_CONFIGS_MAX = 256


def configs_of(d: ProcessDefinition) -> dict[str, ProcessConfig]:
    """The `lz:` configs of a deployed version (immutable), cached by (id, checksum). The BPMN is
    read only on a miss: callers that defer `bpmn_xml` (the inbox) do not load it per row."""
    key = (d.id, d.checksum)
    cached = _CONFIGS.get(key)
    if cached is None:
        cached, _problems = read_definitions(parse_xml(d.bpmn_xml.encode()))
        if len(_CONFIGS) >= _CONFIGS_MAX:
            _CONFIGS.pop(next(iter(_CONFIGS)))
        _CONFIGS[key] = cached
    return cached


_TIMERS: dict[tuple[int, str], bool] = {}


def has_timer_events(d: ProcessDefinition) -> bool:
    """Whether the version's BPMN has timer events (cached like `configs_of`)."""
    key = (d.id, d.checksum)
    found = _TIMERS.get(key)
    if found is None:
        found = "timerEventDefinition" in d.bpmn_xml
        if len(_TIMERS) >= _CONFIGS_MAX:
            _TIMERS.pop(next(iter(_TIMERS)))
        _TIMERS[key] = found
    return found


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
    # the SpiffWorkflow state: deserialized from `inst.state` on first use (`wf`), None until then
    _wf: Any
    _initiator: User | None = None
    # the task (and its activation) an action names, when the locked read returned it as well
    task_row: tuple[HumanTask, NodeActivation] | None = None
    # users read during the action (a node's assignees), held so the session's identity map keeps
    # them until the commit: notify/ finds the new tasks' assignees there instead of reading them again
    held: list[Any] = field(default_factory=list)
    # set by a vote its node's rule counted without deciding (engine/nodes/approval.evaluate): the
    # workflow does not move, so `driver.advance` need not run it (driver.settled)
    undecided_vote: bool = False

    @property
    def wf(self) -> Any:
        """The workflow, deserialized on first use: a vote that does not decide its node never needs it."""
        if self._wf is None:
            d = self.definition
            spec, subs = spiff.SPECS.get(d.id, d.checksum, lambda: d.spec_json)
            self._wf = spiff.load_state(self.inst.state, spec, subs)
        return self._wf

    @wf.setter
    def wf(self, wf: Any) -> None:
        self._wf = wf

    @property
    def wf_loaded(self) -> bool:
        return self._wf is not None

    @property
    def initiator(self) -> User:
        """Loaded on first use: most actions never resolve assignees."""
        if self._initiator is None:
            self._initiator = org.get_user(self.s, self.inst.initiator_id)
        return self._initiator


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Process data as stored for queries (dates and decimals become strings)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


@dataclass(frozen=True)
class TaskOf:
    """The instance of human task `task_id`: found and locked in one read (`load_for_task`)."""
    task_id: int


_DEFERRED = (defer(ProcessDefinition.bpmn_xml), defer(ProcessDefinition.spec_json))


def load(s: Session, instance_id: int, lock: bool = True) -> Ctx:
    return _load(s, "instance", instance_id, lock, f"process instance {instance_id} not found")


def load_for_task(s: Session, task_id: int) -> Ctx:
    """The locked instance of human task `task_id` (404 when there is no such task), in one statement."""
    return _load(s, "task", task_id, True, f"task {task_id} not found")


# The statements of the hot path are built once (building one costs more than running it on SQLite).
_LOADS: dict[tuple[str, bool, str], Any] = {}
# PostgreSQL: whether the locked instance row is the version of the statement's snapshot (the
# subquery reads the snapshot's; the locked row is re-read at its newest once the lock is granted).
# Every transaction that locks the row and changes a task or an activation also writes the row (a
# use case saves it, `revision`; every audit event moves its chain head), so the same version means
# that the task and activation read with it are current too; another version: read them again.
_FRESH: Any = literal_column("process_instance.xmin = (SELECT p2.xmin FROM process_instance AS p2 "
                             "WHERE p2.id = process_instance.id)").label("fresh")


def _load_stmt(by: str, lock: bool, dialect: str) -> Any:
    """The load statement. Its row: the instance (with its audit chain's head, engine/audit.py), its
    definition, then on SQLite for a task its task and activation."""
    key = (by, lock, dialect)
    stmt = _LOADS.get(key)
    if stmt is None:
        stmt = select(ProcessInstance, ProcessDefinition)
        if by == "task" and (dialect == "sqlite" or lock):
            # The task and its activation in the same statement. SQLite: the write transaction is
            # serialized (BEGIN IMMEDIATE), so they are as of the lock. PostgreSQL: rows joined to a
            # FOR UPDATE row are those of the statement's snapshot, older than the lock when it had
            # to wait; the row then is a newer version than the snapshot's (`_FRESH` is false) and
            # `_load` leaves the task to a second read (see `_FRESH`).
            stmt = (select(ProcessInstance, ProcessDefinition, HumanTask, NodeActivation)
                    .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
                    .join(NodeActivation, NodeActivation.id == HumanTask.activation_id)
                    .where(HumanTask.id == bindparam("ref")))
            if dialect != "sqlite":
                stmt = stmt.add_columns(_FRESH)
        elif by == "task":
            stmt = (stmt.join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
                    .where(HumanTask.id == bindparam("ref")))
        else:
            stmt = stmt.where(ProcessInstance.id == bindparam("ref"))
        stmt = stmt.join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id).options(*_DEFERRED)
        if lock:
            # the row as of our lock, never an identity-map copy from before it
            stmt = stmt.execution_options(populate_existing=True)
            if dialect != "sqlite":  # SQLite is serialized by BEGIN IMMEDIATE (db/session.py)
                stmt = stmt.with_for_update(of=ProcessInstance)
        _LOADS[key] = stmt
    return stmt


def _load(s: Session, by: str, ref: int, lock: bool, missing: str) -> Ctx:
    """The instance with its definition in one read (the definition's large columns, BPMN and spec,
    only when a cache misses), locked FOR UPDATE OF the instance row alone: definitions are shared."""
    row = s.execute(_load_stmt(by, lock, s.get_bind().dialect.name), {"ref": ref}).first()
    if row is None:
        raise NotFound(missing)
    inst, d = row[0], row[1]
    if lock:
        audit.mark_locked(s, inst.id)
    # the task as of the lock (on PostgreSQL when the row is the snapshot's: `_FRESH`), else None:
    # the caller reads it again (tasks._my_open_task, populating the stale copies)
    current = len(row) == 4 or (len(row) == 5 and row[4])
    # the workflow is deserialized on first use (Ctx.wf)
    return Ctx(s, inst, d, None, task_row=(row[2], row[3]) if current else None)


def save(ctx: Ctx) -> None:
    """Store the workflow's state and data, and count a revision. When the action never looked at
    the workflow (a vote that did not decide its node: driver.settled), its state and data are those
    stored, and stay; the revision, `updated_at` and `error` change as for any other step."""
    if ctx.wf_loaded:
        ctx.inst.state = spiff.dump_state(ctx.wf)
        ctx.inst.data = json_safe(spiff.data_of(ctx.wf))
    ctx.inst.revision += 1
    ctx.inst.updated_at = utcnow()
    ctx.inst.error = None  # a step went through: an earlier failure is history (it stays in the audit trail)
    if ctx.wf_loaded:  # (not loaded: driver.settled said the definition has no timer events)
        schedule_bpmn_timer(ctx)
    ctx.s.flush()



def schedule_bpmn_timer(ctx: Ctx) -> None:
    """Keep one pending 'bpmn' timer row per instance, at its earliest waiting timer event."""
    if not has_timer_events(ctx.definition):
        return
    ctx.s.execute(delete(Timer).where(Timer.instance_id == ctx.inst.id, Timer.kind == "bpmn",
                                      Timer.fired_at.is_(None)))
    due = spiff.next_timer_due(ctx.wf) if ctx.inst.status == InstanceStatus.RUNNING else None
    if due is not None:
        ctx.s.add(Timer(instance_id=ctx.inst.id, kind="bpmn", due_at=due))


def warn(ctx: Ctx, message: str, node_id: str | None = None) -> None:
    ctx.inst.warnings = [*(ctx.inst.warnings or []), message]
    audit.record(ctx.s, ctx.inst.id, "warning", None, node_id=node_id, comment=message)


# ---------------------------------------------------------------- rows of the instance


def finish_instance(ctx: Ctx, status: str, end_event: str | None = None, outcome: str | None = None) -> None:
    """End the instance with `status`; its outcome (DESIGN.md §8) is set here and nowhere else:
    `outcome` when the caller knows it, else what the status and the end reached say."""
    transition(ctx.inst, status)
    ctx.inst.end_event = end_event
    ctx.inst.outcome = outcome or outcome_of(ctx, status, end_event)
    ctx.inst.ended_at = utcnow()
    for act in open_activations(ctx):
        close_activation(ctx, act, ActivationStatus.CANCELLED)
    audit.record(ctx.s, ctx.inst.id, str(status), None, node_id=end_event,
                 detail={"outcome": ctx.inst.outcome} if ctx.inst.outcome else {})


def outcome_of(ctx: Ctx, status: str, end_event: str | None) -> str | None:
    """withdrawn / terminated by the status; a completed instance by its end event's
    `<lz:end outcome=.../>`, else by the last approval node decided (approved when none was)."""
    if status == InstanceStatus.WITHDRAWN:
        return Outcome.WITHDRAWN.value
    if status == InstanceStatus.CANCELLED:
        return Outcome.TERMINATED.value
    if status != InstanceStatus.COMPLETED:
        return None
    cfg = configs_of(ctx.definition).get(ctx.definition.key)
    declared = cfg.end_outcomes.get(end_event) if cfg is not None and end_event else None
    if declared:
        return declared
    ctx.s.flush()
    last = ctx.s.scalar(select(NodeActivation.status).where(
        NodeActivation.instance_id == ctx.inst.id, NodeActivation.kind == "approval",
        NodeActivation.status.in_((ActivationStatus.APPROVED, ActivationStatus.REJECTED)))
        .order_by(NodeActivation.decided_at.desc(), NodeActivation.id.desc()).limit(1))
    return (Outcome.REJECTED if last == ActivationStatus.REJECTED else Outcome.APPROVED).value


def require_running(inst: ProcessInstance) -> None:
    """409 unless the instance runs: `instance_suspended` (挂起) or `instance_ended`. Every task action
    and every instance action that moves the flow checks this first."""
    if inst.status == InstanceStatus.SUSPENDED:
        raise Conflict("the instance is suspended; activate it first", reason="instance_suspended",
                       status=inst.status)
    if inst.status != InstanceStatus.RUNNING:
        raise Conflict(f"the instance is {inst.status}; it has ended", reason="instance_ended", status=inst.status)


_OPEN_ACTIVATIONS = select(NodeActivation).where(
    NodeActivation.instance_id == bindparam("iid"), NodeActivation.status == ActivationStatus.OPEN.value
).order_by(NodeActivation.id)
_OPEN_TASKS = select(HumanTask).where(
    HumanTask.activation_id == bindparam("aid"), HumanTask.status == TaskStatus.OPEN.value).order_by(HumanTask.id)
_WAITING_TASKS = select(HumanTask).where(  # open, or waiting for a delegate (委派)
    HumanTask.activation_id == bindparam("aid"),
    HumanTask.status.in_((TaskStatus.OPEN.value, TaskStatus.DELEGATED.value)))
_PENDING_TIMERS = select(Timer).where(Timer.activation_id == bindparam("aid"), Timer.fired_at.is_(None))


def open_activations(ctx: Ctx) -> list[NodeActivation]:
    return list(ctx.s.scalars(_OPEN_ACTIVATIONS, {"iid": ctx.inst.id}))


def open_tasks(s: Session, activation_id: int) -> list[HumanTask]:
    return list(s.scalars(_OPEN_TASKS, {"aid": activation_id}))


def close_activation(ctx: Ctx, act: NodeActivation, status: str, waiting: list[HumanTask] | None = None,
                     flush: bool = True, timers: bool | None = None) -> None:
    """Close `act` with `status`, cancelling its open and delegated tasks (`waiting`, when the caller
    has just read them under the lock) and its pending timers; `flush=False` leaves the writes to
    the next statement's autoflush (the hot path: one flush fewer); `timers=False`: the caller knows
    the activation has no pending timer (read with `waiting`)."""
    now = utcnow()
    transition(act, status)
    act.decided_at = now
    for t in ctx.s.scalars(_WAITING_TASKS, {"aid": act.id}) if waiting is None else waiting:
        transition(t, TaskStatus.CANCELLED)
        t.acted_at = now
    # read just now (`waiting`): what is pending was flushed by that read, no autoflush needed
    opts = {"autoflush": False} if waiting is not None else {}
    pending = ctx.s.scalars(_PENDING_TIMERS, {"aid": act.id}, execution_options=opts) if timers is not False else ()
    for timer in pending:
        timer.fired_at = now  # obsolete; never fires
    if flush:
        ctx.s.flush()


def open_task(ctx: Ctx, act: NodeActivation, user_id: int, due: datetime | None = None,
              flush: bool = True) -> HumanTask:
    """A new open task of `act` for `user_id` (flushed, so it has its id, unless `flush=False`)."""
    t = HumanTask(instance_id=ctx.inst.id, activation_id=act.id, node_id=act.node_id, node_name=act.node_name,
                  assignee_id=user_id, status=TaskStatus.OPEN.value, due_at=due)
    ctx.s.add(t)
    if flush:
        ctx.s.flush()
    return t


def copy_to(ctx: Ctx, cfg: NodeConfig) -> None:
    data = spiff.data_of(ctx.wf)
    for rule in cfg.cc:
        res = assignees.resolve(ctx.s, rule, lambda: ctx.initiator, data, ctx.inst.chosen or {}, cfg.node_id)
        for u in res.users:
            exists = ctx.s.scalar(select(CarbonCopy.id).where(
                CarbonCopy.instance_id == ctx.inst.id, CarbonCopy.user_id == u.id, CarbonCopy.node_id == cfg.node_id))
            if exists is None:
                ctx.s.add(CarbonCopy(instance_id=ctx.inst.id, user_id=u.id, node_id=cfg.node_id))
                audit.record(ctx.s, ctx.inst.id, "cc", u.id, node_id=cfg.node_id)
    ctx.s.flush()

