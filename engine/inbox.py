"""The task inbox (todo / done / started / cc): reads the human_task table, never a workflow."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer

from core.errors import Forbidden, NotFound, ValidationFailed
from crm.models import User
from db.base import iso, utcnow
from db.session import Database
from engine import redaction
from engine.inbox_filters import RecordFilters, keyword
from engine.lifecycle import ACTED, InstanceStatus, TaskStatus
from engine.models import CarbonCopy, HumanTask, ProcessDefinition, ProcessInstance

BOXES = ("todo", "done", "started", "cc")
DONE_STATES = ACTED  # what the 已办 box lists
SORTS = ("received", "due")
MAX_Q = 100
LIVE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)  # instances whose open tasks are in 待办


SUMMARY_KEYS = ("title", "reason", "content", "period")
SUMMARY_LEN = 60


def _iso(v: Any) -> str | None:
    return iso(v)


def _summary(d: ProcessDefinition, data: dict[str, Any] | None, everything: bool = False) -> str | None:
    """A line that tells one instance from another of the same process (its title or reason
    field), never a field hidden at any node of the process (engine/redaction.py), except in the
    initiator's own 我发起的 box (`everything`)."""
    hidden = frozenset() if everything else redaction.hidden_anywhere(d).paths
    for key in SUMMARY_KEYS:
        value = (data or {}).get(key)
        if key not in hidden and isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= SUMMARY_LEN else text[:SUMMARY_LEN - 1] + "…"
    return None


def _check_filters(sort: Any, q: Any, received_from: Any, received_before: Any) -> str | None:
    fields: dict[str, str] = {}
    if sort not in SORTS:
        fields["sort"] = f"one of {', '.join(SORTS)}"
    if q is not None and (not isinstance(q, str) or len(q) > MAX_Q):
        fields["q"] = f"at most {MAX_Q} characters"
    for name, value in (("received_from", received_from), ("received_before", received_before)):
        if value is not None and not isinstance(value, datetime):
            fields[name] = "a date and time"
    if fields:
        raise ValidationFailed("invalid inbox filter", fields)
    return q.strip() if isinstance(q, str) and q.strip() else None


def day_bounds(first: date | None, last: date | None, zone: str) -> tuple[datetime | None, datetime | None]:
    """Received "from `first` to `last`" (whole days in the reader's time zone `zone`, e.g.
    Asia/Shanghai) as the UTC bounds [first 00:00, the day after `last` 00:00) that list_box takes.
    SQLite stores UTC wall-clock times and compares them as text, so the bounds are UTC."""
    tz = ZoneInfo(zone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return (midnight(first) if first else None, midnight(last + timedelta(days=1)) if last else None)


def _like(q: str) -> str:
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The inbox never needs a workflow's serialized state or a version's BPMN and spec: not loaded.
LIGHT = (defer(ProcessInstance.state), defer(ProcessInstance.error), defer(ProcessDefinition.bpmn_xml),
         defer(ProcessDefinition.spec_json))


def list_box(db: Database, actor_id: int, box: Any, offset: int, limit: int, *,
             process: str | None = None, q: str | None = None, received_from: datetime | None = None,
             received_before: datetime | None = None, sort: str = "received",
             records: RecordFilters | None = None) -> tuple[list[dict[str, Any]], int]:
    """One page of a box, newest first (or by due time, earliest first, with `sort="due"`).

    Optional filters: `process` (definition key), `q` (substring of the title or business key, or
    of the number / name of the contract, customer or agent the instance is about; case-insensitive),
    received in [`received_from`, `received_before`) — for todo/done the time the task arrived, for
    started the start, for cc the copy — and `records` (customer / contract / agent ids, overdue:
    engine/inbox_filters.py). Each row names the initiator (`initiator`, `initiator_name`)."""
    if box not in BOXES:
        raise ValidationFailed("unknown box", {"box": f"one of {', '.join(BOXES)}"})
    needle = _check_filters(sort, q, received_from, received_before)
    now = utcnow()

    def filtered(stmt: Any, received: Any) -> Any:
        if process:
            stmt = stmt.where(ProcessInstance.process_key == process)
        if needle:
            like = _like(needle)
            stmt = stmt.where(or_(func.lower(ProcessInstance.title).like(like, escape="\\"),
                                  func.lower(ProcessInstance.business_key).like(like, escape="\\"),
                                  keyword(like)))
        if records is not None:
            stmt = records.apply(stmt, box, now)
        if received_from is not None:
            stmt = stmt.where(received >= received_from)
        if received_before is not None:
            stmt = stmt.where(received < received_before)
        return stmt

    with db.uow() as s:
        if box in ("todo", "done"):
            cond = (HumanTask.assignee_id == actor_id) & (
                HumanTask.status == TaskStatus.OPEN if box == "todo"
                else HumanTask.status.in_(DONE_STATES) & HumanTask.auto.is_(False))
            base = (select(HumanTask, ProcessInstance, ProcessDefinition, User)
                    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                    .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                    .join(User, User.id == ProcessInstance.initiator_id).where(cond))
            if box == "todo":  # a suspended instance's tasks stay, marked by instance_status
                base = base.where(ProcessInstance.status.in_(LIVE))
            base = filtered(base, HumanTask.created_at)
            total = s.scalar(select(func.count()).select_from(base.with_only_columns(HumanTask.id).subquery())) or 0
            if sort == "due":
                order: list[Any] = [HumanTask.due_at.is_(None), HumanTask.due_at.asc(), HumanTask.created_at.desc()]
            else:
                order = [HumanTask.created_at.desc() if box == "todo" else HumanTask.acted_at.desc()]
            task_rows = s.execute(base.options(*LIGHT).order_by(*order, HumanTask.id.desc())
                                  .offset(offset).limit(limit)).all()
            return [{"id": t.id, "instance_id": i.id, "process": d.key, "process_name": d.name,
                     "process_name_en": d.name_en, "business_key": i.business_key, "node_id": t.node_id,
                     "node_name": t.node_name, "title": i.title, "summary": _summary(d, i.data),
                     "status": t.status,
                     "instance_status": i.status, "outcome": i.outcome,
                     "initiator": u.username, "initiator_name": u.display_name,
                     "created_at": _iso(t.created_at), "acted_at": _iso(t.acted_at), "due_at": _iso(t.due_at),
                     "read_at": _iso(t.read_at), "returned": t.returned}
                    for t, i, d, u in task_rows], total
        due = (select(func.min(HumanTask.due_at)).where(HumanTask.instance_id == ProcessInstance.id,
                                                        HumanTask.status == TaskStatus.OPEN)
               .correlate(ProcessInstance).scalar_subquery())
        if box == "started":
            inst_q: Any = (select(ProcessInstance, ProcessDefinition, User)
                           .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                           .join(User, User.id == ProcessInstance.initiator_id)
                           .where(ProcessInstance.initiator_id == actor_id))
            received = ProcessInstance.created_at
        else:
            inst_q = (select(ProcessInstance, ProcessDefinition, User, CarbonCopy)
                      .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                      .join(User, User.id == ProcessInstance.initiator_id)
                      .join(CarbonCopy, CarbonCopy.instance_id == ProcessInstance.id)
                      .where(CarbonCopy.user_id == actor_id))
            received = CarbonCopy.created_at
        inst_q = filtered(inst_q, received)
        total = s.scalar(select(func.count()).select_from(
            inst_q.with_only_columns(ProcessInstance.id, maintain_column_froms=True).subquery())) or 0
        if sort == "due":
            order = [due.is_(None), due.asc(), received.desc()]
        else:
            order = [received.desc()]
        rows = s.execute(inst_q.options(*LIGHT).order_by(*order, ProcessInstance.id.desc())
                         .offset(offset).limit(limit)).all()
        ids = [r[0].id for r in rows]
        current: dict[int, list[HumanTask]] = {}
        for t in s.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids), HumanTask.status == TaskStatus.OPEN)
                           .order_by(HumanTask.id)):
            current.setdefault(t.instance_id, []).append(t)
        out = []
        for r in rows:
            i, d, u = r[0], r[1], r[2]
            cc = r[3] if box == "cc" else None
            open_ = current.get(i.id, [])
            nodes = list(dict.fromkeys(t.node_id for t in open_))
            row = {"id": cc.id if cc else i.id, "instance_id": i.id, "process": d.key,
                   "summary": _summary(d, i.data, box == "started"), "process_name": d.name,
                   "process_name_en": d.name_en, "business_key": i.business_key,
                   "title": i.title, "status": i.status, "instance_status": i.status, "outcome": i.outcome,
                   "node_id": ",".join(nodes) or None,
                   "node_name": ",".join(dict.fromkeys(t.node_name for t in open_)) or None,
                   "initiator": u.username, "initiator_name": u.display_name,
                   "created_at": _iso(cc.created_at if cc else i.created_at),
                   "due_at": _iso(min((t.due_at for t in open_ if t.due_at), default=None))}
            if cc is not None:
                row["read_at"] = _iso(cc.read_at)
            out.append(row)
        return out, total


def counts(db: Database, actor_id: int) -> dict[str, int]:
    with db.uow() as s:
        todo = s.scalar(select(func.count()).select_from(HumanTask).join(
            ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            HumanTask.assignee_id == actor_id, HumanTask.status == TaskStatus.OPEN,
            ProcessInstance.status.in_(LIVE))) or 0
        cc = s.scalar(select(func.count()).select_from(CarbonCopy).where(
            CarbonCopy.user_id == actor_id, CarbonCopy.read_at.is_(None))) or 0
        return {"todo": todo, "cc_unread": cc}


def box_totals(db: Database, actor_id: int) -> dict[str, int]:
    """How many rows each box holds (unfiltered), plus the unread copies: the numbers on the tabs."""
    with db.uow() as s:
        done = s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.assignee_id == actor_id, HumanTask.status.in_(DONE_STATES), HumanTask.auto.is_(False))) or 0
        started = s.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.initiator_id == actor_id)) or 0
        cc = s.scalar(select(func.count()).select_from(CarbonCopy).where(CarbonCopy.user_id == actor_id)) or 0
    return {**counts(db, actor_id), "done": done, "started": started, "cc": cc}


def open_copy(db: Database, actor_id: int, cc_id: int) -> int:
    """The recipient opens a copy (抄送): marked read the first time; returns its instance id."""
    with db.uow(write=True) as s:
        cc = s.get(CarbonCopy, cc_id)
        if cc is None:
            raise NotFound(f"copy {cc_id} not found")
        if cc.user_id != actor_id:
            raise Forbidden("this copy was sent to someone else")
        if cc.read_at is None:
            cc.read_at = utcnow()
        return cc.instance_id


def read_copies(db: Database, actor_id: int, instance_id: int) -> int:
    """The viewer opened an instance: their unread copies (抄送) of it are read now. Returns how many.
    A page view without unread copies takes no write lock."""
    unread_q = select(CarbonCopy).where(CarbonCopy.instance_id == instance_id, CarbonCopy.user_id == actor_id,
                                        CarbonCopy.read_at.is_(None))
    with db.uow() as s:
        if s.scalar(select(func.count()).select_from(unread_q.subquery())) == 0:
            return 0
    with db.uow(write=True) as s:
        unread = list(s.scalars(unread_q))
        for cc in unread:
            cc.read_at = utcnow()
        return len(unread)
