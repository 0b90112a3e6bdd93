"""Working together on an instance without deciding it: 沟通 comments with @mentions (a mention lets
the person read the instance), 催办 urging the current approvers, 拿回 taking a step back
(engine/returns.py does the work) and 再次提交 starting again from a rejected or withdrawn instance.

Each use case is one transaction with the instance row locked and one audit event.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Msg, NotFound, TooManyRequests, ValidationFailed
from crm import org
from crm.models import User
from db.base import utcnow
from db.session import Database, lock_for_update
from engine import audit, events, free_flows, redaction, returns, runtime
from engine.design import definitions
from engine.instances import can_view, check_comment, in_instance, resubmittable, start_form
from engine.lifecycle import InstanceStatus, TaskStatus
from engine.models import AuditEvent, CarbonCopy, HumanTask, InstanceReader, ProcessDefinition, ProcessInstance
from forms import validate as form_validation
from forms.components import components

MAX_TEXT = 2000
MAX_MENTIONS = 20
URGE_EVERY = timedelta(minutes=10)
MENTION = "mention"  # instance_reader.reason, and the node of the copy (抄送) a mention puts in the inbox


def _locked(s: Session, instance_id: int) -> ProcessInstance:
    inst = s.scalars(lock_for_update(select(ProcessInstance).where(ProcessInstance.id == instance_id), s)
                     .execution_options(populate_existing=True)).first()
    if inst is None:
        raise NotFound(f"process instance {instance_id} not found")
    audit.mark_locked(s, inst.id)
    return inst


# ---------------------------------------------------------------- 沟通 comments and @mentions


def _check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("write a comment", {"text": Msg("required", "required")})
    if len(text) > MAX_TEXT:
        raise ValidationFailed("comment too long", {"text": Msg("max_length", f"at most {MAX_TEXT} characters",
                                                                max=MAX_TEXT)})
    return text.strip()


def _check_mentions(mentions: Any) -> list[str]:
    if mentions is None:
        return []
    if (not isinstance(mentions, list) or len(mentions) > MAX_MENTIONS
            or not all(isinstance(m, str) and m for m in mentions)):
        raise ValidationFailed("mentions must be a list of usernames",
                               {"mentions": f"a list of at most {MAX_MENTIONS} usernames"})
    return list(dict.fromkeys(mentions))


def comment(db: Database, actor_id: int, instance_id: int, text: Any, mentions: Any = None) -> dict[str, Any]:
    """Anyone who may read the instance comments on it; each mentioned user may read it from now on
    (an `instance_reader` row, reason "mention") and finds it in their 抄送 box."""
    text, names = _check_text(text), _check_mentions(mentions)
    with db.uow(write=True) as s:
        inst = _locked(s, instance_id)
        if not can_view(s, org.get_user(s, actor_id), inst):
            raise Forbidden("you may not read this instance")
        found = org.users_by_usernames(s, names) if names else {}
        bad = [n for n in names if n not in found or not found[n].active]
        if bad:
            raise ValidationFailed("unknown user", {"mentions": f"unknown or inactive user(s): {', '.join(bad)}"})
        ev = audit.record(s, inst.id, "comment", actor_id, comment=text, detail={"mentions": names})
        for name in names:
            user = found[name]
            if user.id == actor_id:
                continue
            _add_reader(s, inst.id, user.id)
        return {"seq": ev.seq, "instance_id": inst.id, "text": text, "mentions": names}


def _add_reader(s: Session, instance_id: int, user_id: int) -> None:
    if s.scalar(select(InstanceReader.id).where(InstanceReader.instance_id == instance_id,
                                                InstanceReader.user_id == user_id,
                                                InstanceReader.reason == MENTION)) is None:
        s.add(InstanceReader(instance_id=instance_id, user_id=user_id, reason=MENTION))
    copy = s.scalar(select(CarbonCopy).where(CarbonCopy.instance_id == instance_id, CarbonCopy.user_id == user_id,
                                             CarbonCopy.node_id == MENTION))
    if copy is None:
        s.add(CarbonCopy(instance_id=instance_id, user_id=user_id, node_id=MENTION))
    else:
        copy.read_at = None  # mentioned again: unread again
    s.flush()


# ---------------------------------------------------------------- 催办 urge


def urge(db: Database, actor_id: int, instance_id: int, comment: Any = None) -> dict[str, Any]:
    """The initiator urges the current approvers (催办), at most once per 10 minutes per instance.
    The urge is recorded in the audit trail with who was urged; notify/ (when wired: `notified`)
    turns that event into a message to each of them in the same transaction."""
    comment = check_comment(comment)
    with db.uow(write=True) as s:
        inst = _locked(s, instance_id)
        if inst.initiator_id != actor_id:
            raise Forbidden("only the initiator can urge the approvers")
        if inst.status != InstanceStatus.RUNNING:
            raise Conflict(f"the instance is {inst.status}", reason="instance_ended", status=inst.status)
        last = s.scalar(select(AuditEvent.at).where(AuditEvent.instance_id == inst.id, AuditEvent.action == "urge")
                        .order_by(AuditEvent.seq.desc()).limit(1))
        if last is not None:
            wait = URGE_EVERY - (_utc(utcnow()) - _utc(last))
            if wait > timedelta(0):
                raise TooManyRequests("this instance was urged less than 10 minutes ago", int(wait.total_seconds()) + 1,
                                      reason="urged_recently")
        ids = sorted({t.assignee_id for t in s.scalars(select(HumanTask).where(
            HumanTask.instance_id == inst.id, HumanTask.status == TaskStatus.OPEN))})
        users = list(s.scalars(select(User).where(User.id.in_(ids)).order_by(User.username))) if ids else []
        audit.record(s, inst.id, "urge", actor_id, comment=comment, detail={"users": [u.username for u in users]})
        return {"id": inst.id, "urged": len(users), "recorded": True, "notified": events.listening() and bool(users),
                "users": [{"username": u.username, "display_name": u.display_name} for u in users]}


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


# ---------------------------------------------------------------- 拿回 take back


def take_back(db: Database, actor_id: int, instance_id: int, comment: Any = None) -> dict[str, Any]:
    """拿回: the user who completed the step before the current one reopens it while nobody of the
    current step has acted (403 for anyone else, 409 `next_step_acted` once someone did)."""
    comment = check_comment(comment)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        runtime.require_running(ctx.inst)  # 409 instance_suspended / instance_ended
        node = returns.take_back(ctx, actor_id, comment)
        return {"id": ctx.inst.id, "to_node": node}

    return in_instance(db, instance_id, body)


def can_take_back(db: Database, actor_id: int, instance_id: int) -> bool:
    """Whether the instance page offers 拿回 to `actor_id` (the same checks as `take_back`). Only
    someone who completed a step of the instance themselves can take one back: anyone else is
    answered without loading the workflow (half a second for the largest definition allowed)."""
    with db.uow() as s:
        return take_back_offered(s, actor_id, instance_id)


def take_back_offered(s: Session, actor_id: int, instance_id: int) -> bool:
    """can_take_back in the caller's transaction."""
    completed_one = s.scalar(select(HumanTask.id).where(
        HumanTask.instance_id == instance_id, HumanTask.assignee_id == actor_id, HumanTask.auto.is_(False),
        HumanTask.status.in_((TaskStatus.APPROVED, TaskStatus.DONE))).limit(1))
    if completed_one is None:
        return False
    ctx = runtime.load(s, instance_id, lock=False)
    if ctx.inst.status != InstanceStatus.RUNNING:
        return False
    try:
        returns.check_take_back(ctx, actor_id)
    except (Forbidden, Conflict):
        return False
    return True


# ---------------------------------------------------------------- 再次提交 start again


def resubmit_source(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    """What the start page pre-fills from a rejected or withdrawn instance: the latest version's
    process and the instance's values of that version's start form (fields it no longer has dropped)."""
    with db.uow() as s:
        inst = resubmittable(s, actor_id, instance_id)
        d = definitions.require_latest(s, inst.process_key)
        schema = start_form(d)
        old = inst.data or {}
        if schema is not None:
            keys = [c["key"] for c in components(schema) if isinstance(c.get("key"), str)]
            data = {k: old[k] for k in keys if k in old}
        else:  # a form-less process: its plain values, without the nodes' outcomes
            nodes = {n for cfg in runtime.configs_of(d).values() for n in cfg.nodes}
            data = {k: v for k, v in old.items() if k not in nodes}
        # nothing the initiator's roles may no longer set (field permissions, engine/redaction.py)
        data = form_validation.redact(data, redaction.readonly_for(s, org.get_user(s, actor_id), d))
        ran_on = s.get(ProcessDefinition, inst.definition_id)
        # a free flow starts again with the steps it was laid out with
        steps = free_flows.suggested_steps(ran_on) if ran_on is not None and ran_on.free_of else None
        return {"process": d.key, "version": d.version, "data": data, "steps": steps,
                "from": {"id": inst.id, "business_key": inst.business_key}}
