"""The task inbox (todo / done / started / cc): reads the human_task table, never a workflow."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, load_only

from core.errors import Forbidden, NotFound, ValidationFailed
from crm.models import User
from db.base import iso, utcnow
from db.session import Database
from engine import redaction
from engine.inbox_filters import RecordFilters, keyword_ids
from engine.inbox_keyset import Cursor, after, ordered
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


def _summary(s: Any, actor_id: int, d: ProcessDefinition, data: dict[str, Any] | None,
             everything: bool = False) -> str | None:
    """A line that tells one instance from another of the same process (its title or reason
    field), never a field hidden at any node of the process (engine/redaction.py), except in the
    initiator's own 我发起的 box (`everything`), nor one the reader's roles may not see."""
    hidden = set() if everything else set(redaction.hidden_anywhere(d).paths)
    if redaction.carried(d):
        hidden |= redaction.by_rules(s, s.get(User, actor_id), d)
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


# The inbox loads only the columns it shows: never a workflow's state, a version's BPMN or spec
# (runtime.configs_of reads the BPMN once per version, cached), nor a user's password hash.
LIGHT = (load_only(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.title, ProcessInstance.data,
                   ProcessInstance.status, ProcessInstance.outcome, ProcessInstance.created_at,
                   ProcessInstance.next_due_at),
         load_only(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.name_en,
                   ProcessDefinition.checksum),
         load_only(User.id, User.username, User.display_name))
COUNT_CAP = 1000  # the inbox page counts up to here and shows "999+" beyond


@dataclass
class InboxPage:
    items: list[dict[str, Any]]
    total: int  # exact, or COUNT_CAP when counted with a cap and there are at least that many
    next_cursor: str | None = None
    prev_cursor: str | None = None


def list_box(db: Database, actor_id: int, box: Any, offset: int, limit: int, **kw: Any
             ) -> tuple[list[dict[str, Any]], int]:
    """One page of a box as (rows, total): list_page without the cursors."""
    page = list_page(db, actor_id, box, offset, limit, **kw)
    return page.items, page.total


def _count(s: Any, stmt: Any, cap: int | None) -> int:
    return s.scalar(select(func.count()).select_from((stmt.limit(cap) if cap else stmt).subquery())) or 0


def list_page(db: Database, actor_id: int, box: Any, offset: int, limit: int, **kw: Any) -> InboxPage:
    """One page of a box, newest first (or by due time, earliest first, with `sort="due"`).

    Optional filters: `process` (definition key), `q` (substring of the title or business key, or
    of the number / name of the contract, customer or agent the instance is about; case-insensitive),
    received in [`received_from`, `received_before`) — for todo/done the time the task arrived, for
    started the start, for cc the copy — and `records` (customer / contract / agent ids, overdue:
    engine/inbox_filters.py). Each row names the initiator (`initiator`, `initiator_name`).

    Paging: `cursor` (a next_cursor / prev_cursor of an earlier page of the same box and sort; then
    `offset` is not used) or `offset`. The total is counted once, from human_task alone for
    todo/done unless a filter looks at the instance; `count_cap` stops counting there."""
    with db.uow() as s:
        return read_page(s, actor_id, box, offset, limit, **kw)


def read_page(s: Any, actor_id: int, box: Any, offset: int, limit: int, *,
              process: str | None = None, q: str | None = None, received_from: datetime | None = None,
              received_before: datetime | None = None, sort: str = "received",
              records: RecordFilters | None = None, cursor: str | None = None,
              count_cap: int | None = None, total: int | None = None) -> InboxPage:
    """list_page in the caller's transaction `s`; `total`: the box's count when the caller has it
    (then not counted again)."""
    if box not in BOXES:
        raise ValidationFailed("unknown box", {"box": f"one of {', '.join(BOXES)}"})
    needle = _check_filters(sort, q, received_from, received_before)
    at = Cursor.decode(cursor, box, sort) if cursor is not None else None
    now = utcnow()

    words: list[Any] = []  # the keyword's conditions, known once the session looked the records up

    def filtered(stmt: Any, received: Any, instance_level: bool = True) -> Any:
        if process and instance_level:
            stmt = stmt.where(ProcessInstance.process_key == process)
        if words and instance_level:
            stmt = stmt.where(or_(*words))
        if records is not None:
            stmt = records.apply(stmt, box, now) if instance_level else records.apply_late(stmt, box, now)
        if received_from is not None:
            stmt = stmt.where(received >= received_from)
        if received_before is not None:
            stmt = stmt.where(received < received_before)
        return stmt

    task_only = not process and not needle and (records is None or not records.about_records)
    if needle:
        like = _like(needle)
        records_named = keyword_ids(s, like)
        words += [func.lower(ProcessInstance.title).like(like, escape="\\"),
                  func.lower(ProcessInstance.business_key).like(like, escape="\\"),
                  *([records_named] if records_named is not None else [])]
    if box in ("todo", "done"):
        return _task_box(s, actor_id, box, sort, filtered, task_only, at, offset, limit, count_cap, total)
    return _instance_box(s, actor_id, box, sort, filtered, at, offset, limit, count_cap, total)


def _window(rows: list[Any], at: Cursor | None, offset: int, limit: int, key: Any, box: str, sort: str
            ) -> tuple[list[Any], str | None, str | None]:
    """The page's rows (fetched limit + 1 in the query's direction) and its neighbours' cursors."""
    more = len(rows) > limit
    rows = rows[:limit]
    backwards = at is not None and at.backwards
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_prev = more if backwards else (at is not None or offset > 0)
    nxt = Cursor(box, sort, key(rows[-1])).encode() if rows and has_next else None
    prev = Cursor(box, sort, key(rows[0]), backwards=True).encode() if rows and has_prev else None
    return rows, nxt, prev


def _task_box(s: Any, actor_id: int, box: str, sort: str, filtered: Any, task_only: bool, at: Cursor | None,
              offset: int, limit: int, cap: int | None, total: int | None = None) -> InboxPage:
    # Every open task belongs to a running or suspended instance (an ending cancels its tasks:
    # runtime.finish_instance), so 待办 needs no look at the instance's status; a suspended
    # instance's tasks stay, marked by instance_status.
    cond = (HumanTask.assignee_id == actor_id) & (
        HumanTask.status == TaskStatus.OPEN if box == "todo"
        else (HumanTask.status != TaskStatus.OPEN) & HumanTask.status.in_(DONE_STATES) & HumanTask.auto.is_(False))
    if total is None and task_only:
        total = _count(s, filtered(select(HumanTask.id).where(cond), HumanTask.created_at, False), cap)
    elif total is None:  # the filters look at the instance: counted over the two tables they need, no more
        pairs = select(HumanTask.id).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(cond)
        total = _count(s, filtered(pairs, HumanTask.created_at), cap)
    base = (select(HumanTask, ProcessInstance, ProcessDefinition, User)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .join(User, User.id == ProcessInstance.initiator_id).where(cond))
    base = filtered(base, HumanTask.created_at)
    if sort == "due":
        keys: list[Any] = [(HumanTask.due_at.is_(None), True), (HumanTask.due_at, True),
                           (HumanTask.created_at, False), (HumanTask.id, False)]

        def key(r: Any) -> tuple[Any, ...]:
            return (r[0].due_at is None, r[0].due_at, r[0].created_at, r[0].id)
    else:
        sorted_by = HumanTask.created_at if box == "todo" else HumanTask.acted_at
        keys = [(sorted_by, False), (HumanTask.id, False)]

        def key(r: Any) -> tuple[Any, ...]:
            return (r[0].created_at if box == "todo" else r[0].acted_at, r[0].id)
    stmt = (base.options(*LIGHT, defer(HumanTask.comment))
            .order_by(*ordered(keys, at is not None and at.backwards)).limit(limit + 1))
    stmt = stmt.where(after(keys, at.values, at.backwards)) if at else stmt.offset(offset)
    rows, nxt, prev = _window(s.execute(stmt).all(), at, offset, limit, key, box, sort)
    items = [{"id": t.id, "instance_id": i.id, "process": d.key, "process_name": d.name,
              "process_name_en": d.name_en, "business_key": i.business_key, "node_id": t.node_id,
              "node_name": t.node_name, "title": i.title, "summary": _summary(s, actor_id, d, i.data),
              "status": t.status,
              "instance_status": i.status, "outcome": i.outcome,
              "initiator": u.username, "initiator_name": u.display_name,
              "created_at": _iso(t.created_at), "acted_at": _iso(t.acted_at), "due_at": _iso(t.due_at),
              "read_at": _iso(t.read_at), "returned": t.returned}
             for t, i, d, u in rows]
    return InboxPage(items, total, nxt, prev)


def _instance_box(s: Any, actor_id: int, box: str, sort: str, filtered: Any, at: Cursor | None,
                  offset: int, limit: int, cap: int | None, total: int | None = None) -> InboxPage:
    due = ProcessInstance.next_due_at  # stored (engine/next_due.py): no subquery per instance
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
    if total is None:
        total = _count(s, inst_q.with_only_columns(ProcessInstance.id, maintain_column_froms=True), cap)
    keys: list[Any] = [(received, False), (ProcessInstance.id, False)]
    if sort == "due":
        keys = [(due.is_(None), True), (due, True), *keys]
    stmt = inst_q.options(*LIGHT).order_by(*ordered(keys, at is not None and at.backwards)).limit(limit + 1)
    stmt = stmt.where(after(keys, at.values, at.backwards)) if at else stmt.offset(offset)
    fetched = s.execute(stmt).all()
    ids = [r[0].id for r in fetched]
    current: dict[int, list[HumanTask]] = {}
    for t in s.scalars(select(HumanTask).options(defer(HumanTask.comment))
                       .where(HumanTask.instance_id.in_(ids), HumanTask.status == TaskStatus.OPEN)
                       .order_by(HumanTask.id)):
        current.setdefault(t.instance_id, []).append(t)

    def next_due(i: ProcessInstance) -> datetime | None:
        return min((t.due_at for t in current.get(i.id, []) if t.due_at), default=None)

    def key(r: Any) -> tuple[Any, ...]:
        got = (r[3].created_at if box == "cc" else r[0].created_at, r[0].id)
        return (r[0].next_due_at is None, r[0].next_due_at, *got) if sort == "due" else got

    rows, nxt, prev = _window(fetched, at, offset, limit, key, box, sort)
    out = []
    for r in rows:
        i, d, u = r[0], r[1], r[2]
        cc = r[3] if box == "cc" else None
        open_ = current.get(i.id, [])
        nodes = list(dict.fromkeys(t.node_id for t in open_))
        row = {"id": cc.id if cc else i.id, "instance_id": i.id, "process": d.key,
               "summary": _summary(s, actor_id, d, i.data, box == "started"),
               "process_name": d.name, "process_name_en": d.name_en, "business_key": i.business_key,
               "title": i.title, "status": i.status, "instance_status": i.status, "outcome": i.outcome,
               "node_id": ",".join(nodes) or None,
               "node_name": ",".join(dict.fromkeys(t.node_name for t in open_)) or None,
               "initiator": u.username, "initiator_name": u.display_name,
               "created_at": _iso(cc.created_at if cc else i.created_at), "due_at": _iso(next_due(i))}
        if cc is not None:
            row["read_at"] = _iso(cc.read_at)
        out.append(row)
    return InboxPage(out, total, nxt, prev)


def counts(db: Database, actor_id: int, cap: int | None = None) -> dict[str, int]:
    """Open tasks and unread copies. From human_task alone: an open task's instance runs or is
    suspended (runtime.finish_instance cancels the tasks of an ending instance). `cap`: count up to it."""
    with db.uow() as s:
        todo = _count(s, select(HumanTask.id).where(HumanTask.assignee_id == actor_id,
                                                     HumanTask.status == TaskStatus.OPEN), cap)
        cc = _count(s, select(CarbonCopy.id).where(CarbonCopy.user_id == actor_id, CarbonCopy.read_at.is_(None)), cap)
        return {"todo": todo, "cc_unread": cc}


def box_totals(db: Database, actor_id: int, cap: int | None = None, known: dict[str, int] | None = None
               ) -> dict[str, int]:
    """How many rows each box holds (unfiltered), plus the unread copies: the numbers on the tabs.
    `cap`: count each up to it (the page shows "999+"); `known`: totals the caller counted already."""
    with db.uow() as s:
        return count_boxes(s, actor_id, cap, known)


def count_boxes(s: Any, actor_id: int, cap: int | None = None, known: dict[str, int] | None = None
                ) -> dict[str, int]:
    """box_totals in the caller's transaction `s`: one statement for all the counts it needs."""
    known = dict(known or {})
    queries = {
        "todo": select(HumanTask.id).where(HumanTask.assignee_id == actor_id, HumanTask.status == TaskStatus.OPEN),
        "cc_unread": select(CarbonCopy.id).where(CarbonCopy.user_id == actor_id, CarbonCopy.read_at.is_(None)),
        "done": select(HumanTask.id).where(HumanTask.assignee_id == actor_id, HumanTask.status != TaskStatus.OPEN,
                                           HumanTask.status.in_(DONE_STATES), HumanTask.auto.is_(False)),
        "started": select(ProcessInstance.id).where(ProcessInstance.initiator_id == actor_id),
        "cc": select(CarbonCopy.id).where(CarbonCopy.user_id == actor_id),
    }
    wanted = [name for name in queries if name not in known]
    if wanted:
        counted = s.execute(select(*(
            select(func.count()).select_from((queries[n].limit(cap) if cap else queries[n]).subquery())
            .scalar_subquery().label(n) for n in wanted))).one()
        known.update(zip(wanted, (v or 0 for v in counted), strict=True))
    return {name: known[name] for name in queries}


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
