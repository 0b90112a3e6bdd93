"""Use cases on process instances: start (also again from a rejected or withdrawn one), withdraw, read.
Each owns its transaction. Comments, urging and taking back: engine/collab.py."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, EngineFailure, Forbidden, Msg, NotFound, ValidationFailed
from core.ids import as_id
from crm import org, pickers
from crm.models import User
from db.base import iso
from db.session import Database, lock_for_update
from engine import attachments, audit, compensation, driver, free_flows, keys, redaction, runtime, spiff, starters
from engine.design import definitions
from engine.lifecycle import InstanceStatus, Outcome, TaskStatus
from engine.models import (
    AuditEvent,
    CarbonCopy,
    HumanTask,
    InstanceReader,
    NodeActivation,
    ProcessDefinition,
    ProcessInstance,
)
from forms import validate as form_validation
from forms.schema import values_keys

T = TypeVar("T")
APPROVER_ACTIONS = ("approve", "reject", "complete", "return", "transfer", "add_signer")
MAX_DATA_BYTES = 1024 * 1024
MAX_DATA_DEPTH = 20
MAX_COMMENT = 2000


def in_instance(db: Database, instance: int | runtime.TaskOf, body: Callable[[runtime.Ctx], T]) -> T:
    """Run `body` with the instance locked, then advance and save it, all in one transaction.

    `instance` is the instance id, or `runtime.TaskOf(task id)`: the instance of that task.
    """
    instance_id: int | None = instance if isinstance(instance, int) else None
    try:
        with db.uow(write=True) as s:
            ctx = runtime.load(s, instance) if isinstance(instance, int) else runtime.load_for_task(s, instance.task_id)
            instance_id = ctx.inst.id
            result = body(ctx)
            driver.advance(ctx)
            runtime.save(ctx)
            return result
    except spiff.WorkflowFailed as e:
        # A registered function refusing (it names fields) is a business answer, not an engine
        # fault: the caller hears which field; only real failures are recorded on the instance.
        # It answers 422 naming those fields, like a form error at start; 409 is for real failures.
        if e.fields:
            raise ValidationFailed(f"the step was refused: {e}", e.fields) from e
        if instance_id is not None:
            record_failure(db, instance_id, str(e))
        raise EngineFailure(f"the process could not continue: {e}") from e


def record_failure(db: Database, instance_id: int, message: str) -> None:
    """The failed step was rolled back; leave a trace for the admins on the instance."""
    with db.uow(write=True) as s:  # under the instance lock, like every writer of audit events
        inst = s.scalars(lock_for_update(select(ProcessInstance).where(ProcessInstance.id == instance_id), s)
                         .execution_options(populate_existing=True)).first()
        if inst is not None:
            audit.mark_locked(s, inst.id)
            inst.error = message
            audit.record(s, instance_id, "engine_error", None, comment=message)


def check_data(data: Any, name: str = "data") -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(f"{name} must be a JSON object", {name: "must be an object"})
    bad = [k for k in data if not isinstance(k, str) or not k.isidentifier() or k.startswith("_")]
    if bad:
        raise ValidationFailed(f"invalid {name} field names", {f"{name}.{k}": "field names must be identifiers "
                                                               "not starting with '_'" for k in bad})
    if _depth(data) > MAX_DATA_DEPTH:
        raise ValidationFailed(f"{name} is nested too deeply", {name: f"at most {MAX_DATA_DEPTH} levels"})
    try:
        size = len(json.dumps(data, allow_nan=False))
    except (ValueError, TypeError) as e:
        raise ValidationFailed(f"{name} must be plain JSON", {name: f"not plain JSON: {e}"}) from e
    if size > MAX_DATA_BYTES:
        raise ValidationFailed(f"{name} is too large", {name: "at most 1 MB"})
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DATA_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def validate_form(s: Session, user_id: int, schema: dict[str, Any], data: dict[str, Any],
                  instance_id: int | None = None, **rules: Any) -> dict[str, Any]:
    """Server-side form validation (forms/); errors name the fields as `data.<path>`. Selects fed by
    a CRM picker (`valuesKey`) accept only what that picker offers this user; file fields hold
    references to stored files (engine/attachments.py: bound to the instance by `bind_pending`)."""
    data = attachments.resolve(s, user_id, schema, data, instance_id)
    options = pickers.options_for(s, user_id, values_keys(schema))
    try:
        return form_validation.validate(schema, data, options=options, **rules)
    except form_validation.FormInvalid as e:
        fields = {(f"data.{path}" if path else "data"): why for path, why in e.fields.items()}
        raise ValidationFailed("the form has errors: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                               fields) from e


def start_form(d: ProcessDefinition) -> dict[str, Any] | None:
    cfg = runtime.configs_of(d).get(d.key)
    key = cfg.start_form_key if cfg else None
    return (d.forms or {}).get(key) if key else None


def check_comment(comment: Any, required: bool = False) -> str | None:
    if comment is None or (isinstance(comment, str) and not comment.strip()):
        if required:
            raise ValidationFailed("a comment is required", {"comment": Msg("required", "required")})
        return None
    if not isinstance(comment, str):
        raise ValidationFailed("comment must be text", {"comment": Msg("text", "must be a string")})
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed("comment too long", {"comment": f"at most {MAX_COMMENT} characters"})
    return comment.strip()


TITLE_MAX = 300  # process_instance.title


def instance_title(data: dict[str, Any], initiator: str, process_name: str) -> str:
    """What the clerk typed as 标题 (a start form's `title` field), else "<name>的<process>"."""
    typed = data.get("title")
    if isinstance(typed, str) and typed.strip():
        return " ".join(typed.split())[:TITLE_MAX]
    return f"{initiator}的{process_name}"[:TITLE_MAX]


def resubmittable(s: Session, actor_id: int, instance_id: Any) -> ProcessInstance:
    """The instance `actor_id` may start again from (再次提交): their own, rejected or withdrawn, and not
    submitted again yet (Conflict `already_resubmitted` naming the newer request otherwise)."""
    inst = s.get(ProcessInstance, instance_id) if as_id(instance_id) is not None else None
    if inst is None:
        raise NotFound(f"process instance {instance_id} not found")
    if inst.initiator_id != actor_id:
        raise Forbidden("only the initiator can submit it again")
    if inst.outcome not in (Outcome.REJECTED, Outcome.WITHDRAWN) and inst.status != InstanceStatus.WITHDRAWN:
        raise Conflict("only a rejected or withdrawn request can be submitted again", reason="not_resubmittable",
                       status=inst.status)
    again = s.scalar(select(ProcessInstance.business_key).where(ProcessInstance.resubmitted_from_id == inst.id)
                     .limit(1))
    if again is not None:  # once: the corrected request is the newer one (and starters are not bypassed twice)
        raise Conflict(f"this request was already submitted again as {again}", reason="already_resubmitted",
                       business_key=again)
    return inst


def start_process(db: Database, actor_id: int, process: Any, data: Any, chosen: Any = None,
                  resubmitted_from: Any = None, steps: Any = None, *, system: bool = False) -> dict[str, Any]:
    """Start the latest version of `process`; `resubmitted_from`: the caller's rejected or withdrawn
    instance of the same process this one submits again (再次提交); `steps`: the approval steps the
    initiator lays out for a free flow (engine/free_flows.py), which then runs on the BPMN generated
    from them. A start by hand is refused (Forbidden) to a user the process's `starters` leave out;
    `system=True`: the system starts it on the user's behalf (routines/), which the rule does not
    limit; nor does it limit submitting one's own request again (engine/starters.py)."""
    if not isinstance(process, str) or not process:
        raise ValidationFailed("name the process to start", {"process": "required"})
    if resubmitted_from is not None and (not isinstance(resubmitted_from, int) or isinstance(resubmitted_from, bool)):
        raise ValidationFailed("resubmitted_from is an instance id", {"resubmitted_from": "must be an instance id"})
    data = check_data(data)
    try:
        with db.uow(write=True) as s:
            source = resubmittable(s, actor_id, resubmitted_from) if resubmitted_from is not None else None
            if source is not None and source.process_key != process:
                raise ValidationFailed("a request is submitted again as the same process",
                                       {"resubmitted_from": f"is an instance of {source.process_key}"})
            d = definitions.require_latest(s, process)
            # held for the whole start: the session's identity map is weak, and a user read for the
            # starters check alone was gone (and read again) by the time it was the initiator
            initiator = org.get_user(s, actor_id)
            if not system and source is None:
                starters.require(initiator, d)
            if d.mode == "free":
                d = free_flows.instance_definition(s, d, steps)
            elif steps is not None:
                raise ValidationFailed("only a free flow takes steps", {"steps": "this process is not a free flow"})
            schema = start_form(d)
            if schema is not None:
                data = validate_form(s, actor_id, schema, data)
            redaction.check_writes(s, initiator, d, data)  # field permissions: what the start writes back
            picked = free_flows.check_chosen(s, d, chosen)
            spec, subs = spiff.SPECS.get(d.id, d.checksum, d.spec_json)
            wf = spiff.new_workflow(spec, subs, data)
            inst = ProcessInstance(  # the key in its own short transaction: scripts must not hold its lock
                definition_id=d.id, process_key=d.free_of or d.key, business_key=keys.take(db, s, d.prefix),
                status=InstanceStatus.RUNNING.value, initiator_id=initiator.id,
                title=instance_title({} if "title" in redaction.shared(s, d).paths else data,
                                     initiator.display_name, d.name),
                data=runtime.json_safe(data), state="", chosen=picked, warnings=[],
                resubmitted_from_id=source.id if source is not None else None,
            )
            s.add(inst)
            s.flush()
            audit.mark_locked(s, inst.id)  # a new row: no other transaction sees it yet
            audit.record(s, inst.id, "start", initiator.id, detail={"version": d.version, **(
                {"resubmitted_from": source.business_key} if source is not None else {})})
            attachments.bind_pending(s, inst.id, initiator.id)
            ctx = runtime.Ctx(s, inst, d, wf, initiator)
            driver.advance(ctx)
            runtime.save(ctx)
            return {"id": inst.id, "business_key": inst.business_key, "status": inst.status}
    except spiff.WorkflowFailed as e:
        raise ValidationFailed(f"the process could not start: {e}", e.fields or {"data": str(e)}) from e


def withdraw(db: Database, actor_id: int, instance_id: int, comment: Any = None) -> dict[str, Any]:
    comment = check_comment(comment)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        if ctx.inst.initiator_id != actor_id:
            raise Forbidden("only the initiator can withdraw an instance")
        runtime.require_running(ctx.inst)
        # the initiator's own steps (revise, resubmit, a first step of their own) are not an approver acting
        if audit.count(ctx.s, ctx.inst.id, APPROVER_ACTIONS, except_actor=ctx.inst.initiator_id):
            raise Conflict("an approver has already acted; the instance can no longer be withdrawn",
                           reason="already_acted")
        # what the start step did to CRM records is undone in this transaction (a refusal rolls it all back)
        compensation.undo_withdrawn(ctx.s, ctx.inst.id, ctx.inst.business_key, ctx.inst.initiator_id,
                                    dict(ctx.inst.data or {}), actor_id)
        spiff.cancel(ctx.wf)
        audit.record(ctx.s, ctx.inst.id, "withdraw", actor_id, comment=comment)
        runtime.finish_instance(ctx, InstanceStatus.WITHDRAWN)
        return {"id": ctx.inst.id, "status": ctx.inst.status}

    return in_instance(db, instance_id, body)


# ---------------------------------------------------------------- reading


def is_running(s: Session, instance_id: int) -> bool:
    """Whether process instance `instance_id` is still running, read in the caller's transaction
    (app.py gives it to crm.records, which must not read the engine's tables)."""
    return s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id)) == "running"


def participants(s: Session, inst: ProcessInstance) -> set[int]:
    ids = {inst.initiator_id}
    ids |= set(s.scalars(select(HumanTask.assignee_id).where(HumanTask.instance_id == inst.id)))
    ids |= set(s.scalars(select(CarbonCopy.user_id).where(CarbonCopy.instance_id == inst.id)))
    ids |= set(s.scalars(select(InstanceReader.user_id).where(InstanceReader.instance_id == inst.id)))  # @mentioned
    return ids


def can_view(s: Session, user: User, inst: ProcessInstance) -> bool:
    if user.is_admin or org.PROCESS_ADMIN_ROLE in user.role_keys:  # they administer instances (§8)
        return True
    people = participants(s, inst)
    if user.id in people:
        return True
    return any(user.id in {sup.id for sup in org.supervisor_chain(org.get_user(s, uid))} for uid in people)


def viewed(s: Session, actor_id: int, instance_id: int) -> tuple[User, ProcessInstance]:
    """The viewer and the instance they may see (NotFound / Forbidden otherwise)."""
    inst = s.get(ProcessInstance, instance_id)
    if inst is None:
        raise NotFound(f"process instance {instance_id} not found")
    viewer = org.get_user(s, actor_id)
    if not can_view(s, viewer, inst):
        raise Forbidden("you are not a participant of this instance")
    return viewer, inst


def view_of(s: Session, viewer: User, inst: ProcessInstance) -> dict[str, Any]:
    """The instance as `viewer` (who may see it) is shown it: values hidden from them left out."""
    out = instance_dict(s, inst)
    hidden = redaction.hidden_for(s, viewer, inst)  # one rule for every channel (engine/redaction.py)
    if hidden:
        out["data"] = hidden.data(out["data"])
        out["history"] = hidden.history(out["history"])
    return out


def get_instance(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    with db.uow() as s:
        return view_of(s, *viewed(s, actor_id, instance_id))


def hidden_for(s: Session, viewer: User, inst: ProcessInstance) -> set[str]:
    """The schema paths hidden from `viewer` (engine/redaction.py has the rule)."""
    return set(redaction.hidden_for(s, viewer, inst).paths)


def instance_dict(s: Session, inst: ProcessInstance) -> dict[str, Any]:
    d = s.get(ProcessDefinition, inst.definition_id)
    assert d is not None
    open_rows = list(s.scalars(select(HumanTask)
                               .where(HumanTask.instance_id == inst.id, HumanTask.status == TaskStatus.OPEN)
                               .order_by(HumanTask.id)))
    events = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == inst.id).order_by(AuditEvent.seq)))
    ids = {t.assignee_id for t in open_rows} | {e.actor_id for e in events if e.actor_id} | {inst.initiator_id}
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(ids)))}

    def name(uid: int | None) -> str | None:
        return users[uid].username if uid in users else None

    return {
        "id": inst.id, "process": inst.process_key, "process_name": d.name, "version": d.version,
        "free_flow": d.free_of is not None,  # runs on the steps its initiator laid out (engine/free_flows.py)
        "business_key": inst.business_key, "title": inst.title, "status": inst.status,
        "end_event": inst.end_event, "outcome": inst.outcome, "initiator": name(inst.initiator_id),
        "created_at": iso(inst.created_at), "ended_at": iso(inst.ended_at),
        "data": inst.data, "warnings": inst.warnings or [], "error": inst.error,
        "open_tasks": [{"id": t.id, "node_id": t.node_id, "node_name": t.node_name, "assignee": name(t.assignee_id),
                        "read_at": iso(t.read_at)} for t in open_rows],
        "resubmitted_from": _source_of(s, inst),
        "history": [{"seq": e.seq, "at": iso(e.at), "actor": name(e.actor_id), "action": e.action,
                     "node_id": e.node_id, "comment": e.comment, "detail": e.detail} for e in events],
    }


def _source_of(s: Session, inst: ProcessInstance) -> dict[str, Any] | None:
    if inst.resubmitted_from_id is None:
        return None
    key = s.scalar(select(ProcessInstance.business_key).where(ProcessInstance.id == inst.resubmitted_from_id))
    return {"id": inst.resubmitted_from_id, "business_key": key}


def activations(s: Session, instance_id: int) -> list[NodeActivation]:
    return list(s.scalars(select(NodeActivation).where(NodeActivation.instance_id == instance_id)
                          .order_by(NodeActivation.id)))


def verify_audit(db: Database, instance_id: int) -> bool:
    with db.uow() as s:
        ok, _ = audit.verify(s, instance_id)
        return ok



def engine_open_nodes(db: Database, instance_id: int) -> list[tuple[str, str]]:
    """(node_id, spiff task id) of the READY human tasks in the saved workflow: the engine's view,
    for checking that the inbox agrees with it."""
    with db.uow() as s:
        ctx = runtime.load(s, instance_id, lock=False)
        held = spiff.held_start_events(ctx.wf)  # returned to the initiator: the start event waits for them
        return sorted([(st.node_id, st.task_id) for st in spiff.ready_human_steps(ctx.wf)] + held)


def inbox_open_nodes(db: Database, instance_id: int) -> list[tuple[str, str]]:
    """(node_id, spiff task id) of the open activations that have open inbox rows."""
    with db.uow() as s:
        rows = s.execute(select(NodeActivation.node_id, NodeActivation.spiff_task_id)
                         .join(HumanTask, HumanTask.activation_id == NodeActivation.id)
                         .where(NodeActivation.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)
                         .distinct()).all()
        return sorted((r[0], r[1]) for r in rows)
