"""The recycle bin (回收站, requirements 001 客户分类管理(回收站功能)).

Deleting a CRM record through `records.delete` moves it here: its columns (and, for a customer,
the contacts, contact records and owner history that go with it) as JSON, the record's owner at
the time (a customer's salesperson; for what hangs off a customer, that customer's; otherwise who
entered it) and who deleted it. The record leaves every list, search and page at once.

Restoring puts the rows back with their ids: allowed to an admin and to the owner's supervisors
(anyone above the owner in the supervisor tree) — not to the owner alone, so a salesperson cannot
quietly undo a deletion their supervisor made, nor hide a record from them by deleting it. A number
taken meanwhile by another record is a Conflict (409) naming the field. Entries older than the
configured time (`LIUZHUAN_RECYCLE_DAYS`, core/config.py) are purged by the scheduler tick.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, delete, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, NotFound, Unauthenticated
from crm.admin import syslog
from crm.admin.models import RecycledRecord
from crm.models import User
from db.base import iso, utcnow
from db.session import Database
from files import service as file_service

DEFAULT_DAYS = 30


def columns(row: Any) -> dict[str, Any]:
    """The row's column values as JSON values."""
    out: dict[str, Any] = {}
    for attr in inspect(type(row)).column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        out[attr.key] = value
    return out


def rebuild(model: type, data: dict[str, Any]) -> Any:
    """A new instance of `model` from `columns()` output."""
    values: dict[str, Any] = {}
    for attr in inspect(model).column_attrs:
        if attr.key not in data:
            continue
        value, col_type = data[attr.key], attr.columns[0].type
        if value is not None:
            if isinstance(col_type, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(col_type, Date):
                value = date.fromisoformat(value)
            elif isinstance(col_type, Numeric):
                value = Decimal(value)
        values[attr.key] = value
    return model(**values)


def put(s: Session, kind: str, label: str, row: Any, owner_id: int | None, actor: User,
        children: dict[str, tuple[type, list[Any]]]) -> RecycledRecord:
    """Move `row` (and `children`: name -> (model, rows) deleted with it) into the bin; the caller
    deletes them. Inside the delete's transaction."""
    kept = {name: [columns(r) for r in rows] for name, (_m, rows) in children.items()}
    entry = RecycledRecord(kind=kind, record_id=row.id, label=label[:300], owner_id=owner_id,
                           data={"row": columns(row), "children": kept}, deleted_by_id=actor.id, deleted_at=utcnow())
    s.add(entry)
    syslog.record(s, actor, "record.delete", "record", f"{kind}:{row.id}", {"label": label})
    return entry


def _actor(s: Session, actor_id: int) -> User:
    user = s.get(User, actor_id) if isinstance(actor_id, int) else None
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    return user


def _above(s: Session, owner_id: int | None) -> set[int]:
    """Everyone above `owner_id` in the supervisor tree."""
    out: set[int] = set()
    current = s.get(User, owner_id) if owner_id is not None else None
    while current is not None and current.supervisor_id is not None and current.supervisor_id not in out:
        out.add(current.supervisor_id)
        current = s.get(User, current.supervisor_id)
    return out


def _may_restore(s: Session, actor: User, entry: RecycledRecord) -> bool:
    return actor.is_admin or actor.id in _above(s, entry.owner_id)


def _visible(s: Session, actor: User) -> Any:
    """The entries the actor may restore (admins: all; others: those owned by people below them)."""
    stmt = select(RecycledRecord)
    if actor.is_admin:
        return stmt
    below = _below(s, actor.id)
    return stmt.where(RecycledRecord.owner_id.in_(sorted(below)))


def _below(s: Session, user_id: int) -> set[int]:
    kids: dict[int, list[int]] = {}
    for uid, sup in s.execute(select(User.id, User.supervisor_id)):
        if sup is not None:
            kids.setdefault(sup, []).append(uid)
    seen: set[int] = set()
    todo = [user_id]
    while todo:
        for child in kids.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _entry_dict(s: Session, e: RecycledRecord, days: int) -> dict[str, Any]:
    def name(uid: int | None) -> str | None:
        u = s.get(User, uid) if uid is not None else None
        return u.username if u is not None else None

    return {"id": e.id, "kind": e.kind, "record_id": e.record_id, "label": e.label, "owner": name(e.owner_id),
            "deleted_by": name(e.deleted_by_id), "deleted_at": iso(e.deleted_at),
            "purge_after": iso(_aware(e.deleted_at) + timedelta(days=days))}


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at if at.tzinfo else at.replace(tzinfo=UTC)


def list_bin(db: Database, actor_id: int, offset: int = 0, limit: int = 20, days: int = DEFAULT_DAYS
             ) -> tuple[list[dict[str, Any]], int]:
    """What the caller may restore, newest first."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        stmt = _visible(s, actor)
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(RecycledRecord.id.desc()).offset(offset).limit(limit)).all()
        return [_entry_dict(s, e, days) for e in rows], int(total)


# kind -> (model, {child name: model}) for restoring; filled by crm.records (the catalogue's models)
MODELS: dict[str, tuple[type, dict[str, type]]] = {}


def restore(db: Database, actor_id: int, entry_id: int) -> dict[str, Any]:
    """Put a deleted record back (with its ids); NotFound for an entry the caller may not restore."""
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        entry = s.get(RecycledRecord, entry_id) if isinstance(entry_id, int) else None
        if entry is None:
            raise NotFound(f"recycle bin entry {entry_id} not found")
        if not _may_restore(s, actor, entry):
            if actor.id == entry.owner_id or actor.id == entry.deleted_by_id:
                raise Forbidden("only the owner's supervisor or an administrator restores a deleted record")
            raise NotFound(f"recycle bin entry {entry_id} not found")
        model, child_models = MODELS[entry.kind]
        if s.get(model, entry.record_id) is not None:
            raise Conflict(f"a {entry.kind} with id {entry.record_id} exists again")
        s.add(rebuild(model, entry.data["row"]))
        try:
            s.flush()
            for name, rows in entry.data.get("children", {}).items():
                for data in rows:
                    s.add(rebuild(child_models[name], data))
            s.flush()
        except IntegrityError as e:
            raise Conflict("another record now has this record's number; change that one first",
                           {"record": "number taken"}) from e
        syslog.record(s, actor, "record.restore", "record", f"{entry.kind}:{entry.record_id}", {"label": entry.label})
        out = {"kind": entry.kind, "id": entry.record_id, "label": entry.label}
        s.delete(entry)
        return out


def purge(db: Database, days: int = DEFAULT_DAYS, now: datetime | None = None) -> int:
    """Delete the entries older than `days` (the scheduler tick); how many."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.uow(write=True) as s:
        old = RecycledRecord.deleted_at < cutoff
        for data in s.scalars(select(RecycledRecord.data).where(old, RecycledRecord.kind == "contract")):
            row = (data or {}).get("row") or {}
            file_service.release(s, row.get("file_id"))  # gone for good: its contract file goes with it
        result: Any = s.execute(delete(RecycledRecord).where(old))
        return int(result.rowcount or 0)
