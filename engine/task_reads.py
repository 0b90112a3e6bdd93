"""Reading one human task: what its page and the API show (`get_task`), and around it
(`task_context`). Only the task's assignee or an admin may read it.

`TaskRead` loads the rows once per session (task, activation, instance, definition, the instance's
activations, the node's tasks, its history, the people named) so that `task_view` and
`context_view` together, as the task page reads them (engine/task_page.py), cost one query each.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.errors import Forbidden, NotFound
from crm import org
from crm.models import User
from db.base import iso, utcnow
from db.read_guard import allow_in_reads
from db.session import Database
from engine import instances, redaction, runtime, spiff
from engine.driver import RESUBMIT
from engine.lifecycle import InstanceStatus, TaskStatus
from engine.models import AuditEvent, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance
from engine.nodes import approval, ballot, people
from forms import validate as form_validation
from forms.components import components as form_components

# what a task that closed its node may have been (a transfer hands the task on, it decides nothing)
DECIDING = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.DONE, TaskStatus.RETURNED)


def returnable(ctx: runtime.Ctx, act: NodeActivation, human: set[str] | None = None) -> list[tuple[str, str]]:
    """(node id, task id) of the earlier human nodes on `act`'s path it may return to; `human`: the
    node ids of the instance's activations, when read already."""
    if human is None:
        human = set(ctx.s.scalars(select(NodeActivation.node_id).where(NodeActivation.instance_id == ctx.inst.id,
                                                                       NodeActivation.kind != RESUBMIT)))
    return spiff.returnable_nodes(ctx.wf, act.spiff_task_id, human)


# 已阅 is marked while the task is read (one UPDATE the first time the assignee opens it): the one
# write a read unit of work may make (db/read_guard.py)
allow_in_reads(HumanTask, "read_at")


class TaskRead:
    """One task's rows, read once in session `s` (authorization checked on construction)."""

    def __init__(self, s: Session, actor_id: int, task_id: int):
        self.s, self.actor_id = s, actor_id
        # the task with its activation, instance and definition: one statement, not four
        found = s.execute(select(HumanTask, NodeActivation, ProcessInstance, ProcessDefinition)
                          .join(NodeActivation, NodeActivation.id == HumanTask.activation_id)
                          .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                          .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                          .where(HumanTask.id == task_id)).one_or_none()
        if found is None:
            raise NotFound(f"task {task_id} not found")
        self.t, self.act, self.inst, self.d = found
        if self.t.assignee_id != actor_id and not org.get_user(s, actor_id).is_admin:
            raise Forbidden("you are not the assignee of this task")
        self._users: dict[int, User] = {}

    def mark_read(self) -> None:
        """已阅: the assignee opens their open task the first time (one UPDATE, then never again);
        an admin looking at it does not count."""
        if self.t.read_at is None and self.t.assignee_id == self.actor_id and self.t.status == TaskStatus.OPEN:
            self.t.read_at = utcnow()

    @cached_property
    def hidden(self) -> redaction.Hidden:
        """What this task shows its viewer (engine/redaction.py): the node's hidden fields and the
        viewer's; the initiator's resubmission shows everything to them."""
        if not redaction.hidden_anywhere(self.d) and not redaction.carried(self.d):
            return redaction.NOTHING  # (no query: most processes hide nothing)
        viewer = self.users([self.actor_id])[self.actor_id]
        if self.act.kind == RESUBMIT:
            return redaction.hidden_for(self.s, viewer, self.inst, self.d)
        cfg = runtime.node_config(self.d, self.d.key, self.t.node_id)
        return redaction.for_task(self.s, viewer, self.inst, self.d, cfg.hidden if cfg else ())

    @cached_property
    def activations(self) -> list[NodeActivation]:
        return list(self.s.scalars(select(NodeActivation).where(NodeActivation.instance_id == self.inst.id)
                                   .order_by(NodeActivation.id)))

    @cached_property
    def rows(self) -> list[HumanTask]:
        """The node's tasks (every person it had), by id."""
        return list(self.s.scalars(select(HumanTask).where(HumanTask.activation_id == self.act.id)
                                   .order_by(HumanTask.id)))

    @cached_property
    def events(self) -> list[AuditEvent]:
        return list(self.s.scalars(select(AuditEvent).where(AuditEvent.instance_id == self.inst.id)
                                   .order_by(AuditEvent.seq)))

    def users(self, ids: Iterable[int | None]) -> dict[int, User]:
        """Users by id (those of `ids` not read yet in one query)."""
        missing = {i for i in ids if i is not None and i not in self._users}
        if missing:
            # with their roles (the viewer's decide what they may see and change: no lazy load later)
            self._users.update({u.id: u for u in self.s.scalars(
                select(User).options(joinedload(User.roles)).where(User.id.in_(missing))).unique()})
        return self._users

    def people(self, with_history: bool) -> dict[int, User]:
        """Everyone the views name: the node's people, the initiator, the viewer (their roles decide
        what they may change) and (with_history) the actors."""
        ids: set[int | None] = {self.inst.initiator_id, self.t.assignee_id, self.actor_id, *self.act.assignee_ids,
                                *(r.assignee_id for r in self.rows)}
        if with_history:
            ids |= {e.actor_id for e in self.events}
        return self.users(ids)


def task_view(r: TaskRead) -> dict[str, Any]:
    """The task: its form (schema, editable and hidden fields), the data without the node's hidden
    fields, the actions its assignee may take while it is open, and the node's vote status."""
    t, act, inst, d = r.t, r.act, r.inst, r.d
    r.people(with_history=False)  # the viewer among the node's people: one read of the users
    if act.kind == RESUBMIT:
        return _resubmit_view(r)
    cfg = runtime.node_config(d, d.key, t.node_id)
    data = r.hidden.data(inst.data)
    is_open = t.status == TaskStatus.OPEN and inst.status == InstanceStatus.RUNNING and t.assignee_id == r.actor_id
    actions: list[str] = []
    returnable_nodes: list[str] = []
    if is_open:
        actions = approval.actions(act, t)
        if "return" in actions:  # (a delegate's task offers none)
            ctx = runtime.Ctx(r.s, inst, d, spiff.load_state(inst.state,
                                                             *spiff.SPECS.get(d.id, d.checksum, d.spec_json)))
            returnable_nodes = [n for n, _ in returnable(ctx, act, {a.node_id for a in r.activations
                                                                     if a.kind != RESUBMIT})]
            # "return" stays without earlier nodes: the initiator can always be returned to
    form_key = cfg.form_key if cfg else None
    return {
        "id": t.id, "instance_id": inst.id, "business_key": inst.business_key, "title": inst.title,
        "process": d.key, "process_name": d.name, "node_id": t.node_id, "node_name": t.node_name,
        "kind": act.kind, "status": t.status, "created_at": iso(t.created_at),
        "due_at": iso(t.due_at),
        # the form without its hidden components: the task lists none of them, not even by name
        "form": {"key": form_key, "schema": form_validation.redact_schema(
                     (d.forms or {}).get(form_key) if form_key else None, r.hidden.paths),
                 # nor those the viewer's roles may not change (field permissions, engine/redaction.py)
                 "editable": redaction.editable_for(r.s, r.users([r.actor_id])[r.actor_id], d, [
                     k for k in (cfg.editable if cfg else ()) if k not in r.hidden.paths])},
        "data": data, "actions": actions, "returnable_nodes": returnable_nodes,
        "signature_required": bool(cfg and cfg.approval and cfg.approval.signature),
        "vote": ballot.vote_status(r.s, act, r.rows, r.people(with_history=False)),
        "read_at": iso(t.read_at), "returned": t.returned,
        **people.task_options(act, t, r.rows, r.people(with_history=False), actions, lambda: r.events),
    }


def _resubmit_view(r: TaskRead) -> dict[str, Any]:
    """The initiator's task after a return to them: the start form, every field editable, with the
    current data; its one action resubmits (approve)."""
    t, act, inst, d = r.t, r.act, r.inst, r.d
    schema = instances.start_form(d)
    is_open = t.status == TaskStatus.OPEN and inst.status == InstanceStatus.RUNNING and t.assignee_id == r.actor_id
    keys = [c["key"] for c in form_components(schema) if isinstance(c.get("key"), str)] if schema else []
    return {
        "id": t.id, "instance_id": inst.id, "business_key": inst.business_key, "title": inst.title,
        "process": d.key, "process_name": d.name, "node_id": t.node_id, "node_name": t.node_name,
        "kind": act.kind, "status": t.status, "created_at": iso(t.created_at), "due_at": iso(t.due_at),
        "form": {"key": None, "schema": form_validation.redact_schema(schema, r.hidden.paths),
                 "editable": redaction.editable_for(r.s, r.users([r.actor_id])[r.actor_id], d,
                                                    [k for k in keys if k not in r.hidden.paths])},
        "data": r.hidden.data(inst.data), "actions": ["approve"] if is_open else [], "returnable_nodes": [],
        "vote": ballot.vote_status(r.s, act, r.rows, r.people(with_history=False)),
        "read_at": iso(t.read_at), "returned": t.returned,
        **people.task_options(act, t, r.rows, r.people(with_history=False),
                              ["approve"] if is_open else [], lambda: r.events),
    }


def context_view(r: TaskRead) -> dict[str, Any]:
    """Around the task: the instance (status, initiator, start time), the node's assignees with
    display names, who closed the node when this task is no longer open, and the instance's history
    with comments. Never any process data."""
    t, act, inst = r.t, r.act, r.inst
    users = r.people(with_history=True)
    nodes = {n.node_id: n.node_name for n in r.activations}

    def who(uid: int | None) -> dict[str, Any] | None:
        u = users.get(uid) if uid is not None else None
        return {"username": u.username, "display_name": u.display_name} if u else None

    decided = sorted((x for x in r.rows if x.id != t.id and x.status in DECIDING),
                     key=lambda x: (x.acted_at is not None, x.acted_at or 0, x.id))
    decided_by = [who(x.assignee_id) for x in decided] if t.status == TaskStatus.CANCELLED else []
    return {
        "id": t.id, "status": t.status, "assignee": who(t.assignee_id), "acted_at": iso(t.acted_at),
        "comment": t.comment,
        "instance": {"id": inst.id, "status": inst.status, "outcome": inst.outcome,
                     "created_at": iso(inst.created_at), "ended_at": iso(inst.ended_at),
                     "initiator": who(inst.initiator_id)},
        "node": {"status": act.status, "decided_at": iso(act.decided_at),
                 "assignees": [who(uid) for uid in act.assignee_ids if uid in users]},
        "decided_by": [u for u in decided_by if u], "node_names": nodes,
        # a node without a form of its own shows what was submitted at the start (read-only)
        "start_form": form_validation.redact_schema(instances.start_form(r.d), r.hidden.paths),
        "history": [{"seq": e.seq, "at": iso(e.at), "actor": who(e.actor_id), "action": e.action,
                     "node_id": e.node_id, "node_name": nodes.get(e.node_id or "", e.node_id),
                     "comment": e.comment,
                     "to_user": (e.detail or {}).get("to_user"), "to_node": (e.detail or {}).get("to_node"),
                     "users": (e.detail or {}).get("users"),
                     "mentions": (e.detail or {}).get("mentions"),
                     "signature": (e.detail or {}).get("signature")} for e in r.events],
    }


def get_task(db: Database, actor_id: int, task_id: int) -> dict[str, Any]:
    """The task; its assignee opening it the first time marks it read (已阅)."""
    with db.uow() as s:
        r = TaskRead(s, actor_id, task_id)
        r.mark_read()
        return task_view(r)


def task_context(db: Database, actor_id: int, task_id: int) -> dict[str, Any]:
    """What the task page shows around `get_task` (same permission: the assignee or an admin)."""
    with db.uow() as s:
        return context_view(TaskRead(s, actor_id, task_id))
