"""The system log (系统日志, requirements 000 / 002): who changed a user, role, department, field
permission, dictionary entry or process definition, when, and what changed.

`record` is called by the use case that makes the change, in its own transaction (a refused change
leaves no line); `record_in` is for callers outside a crm transaction (the API after deploying a
definition). Only admins read the log. Passwords are never logged, only that one was set.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Forbidden, Unauthenticated, ValidationFailed
from crm.admin.models import AdminLog
from crm.models import User
from db.base import iso, utcnow
from db.session import Database

TARGET_TYPES = ("user", "role", "department", "field_rule", "option", "definition", "record")
SECRET = ("password",)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """{field: [old, new]} of what changed (passwords shown as set, never as text)."""
    before, after = before or {}, after or {}
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = ["***", "***"] if key in SECRET else [_plain(old), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def record(s: Session, actor: User | int | None, action: str, target_type: str, target: str,
           detail: dict[str, Any] | None = None) -> None:
    actor_id = actor.id if isinstance(actor, User) else actor
    s.add(AdminLog(at=utcnow(), actor_id=actor_id, action=action[:40], target_type=target_type,
                   target=str(target)[:200], detail=_plain(detail) if detail else None))


def record_in(db: Database, actor_id: int, action: str, target_type: str, target: str,
              detail: dict[str, Any] | None = None) -> None:
    with db.uow(write=True) as s:
        record(s, actor_id, action, target_type, target, detail)


def entries(db: Database, actor_id: int, target_type: Any = None, offset: int = 0, limit: int = 50
            ) -> tuple[list[dict[str, Any]], int]:
    """The log, newest first (admins only); `target_type` narrows it."""
    with db.uow() as s:
        actor = s.get(User, actor_id) if isinstance(actor_id, int) else None
        if actor is None or not actor.active:
            raise Unauthenticated("unknown user")
        if not actor.is_admin:
            raise Forbidden("only administrators read the system log")
        stmt = select(AdminLog)
        if target_type not in (None, ""):
            if target_type not in TARGET_TYPES:
                raise ValidationFailed("unknown target type", {"type": "one of " + ", ".join(TARGET_TYPES)})
            stmt = stmt.where(AdminLog.target_type == target_type)
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(AdminLog.id.desc()).offset(offset).limit(limit)).all()
        names = dict(s.execute(select(User.id, User.username).where(
            User.id.in_({r.actor_id for r in rows if r.actor_id is not None}))).all())
        return [{"id": r.id, "at": iso(r.at), "actor": names.get(r.actor_id) if r.actor_id else None,
                 "action": r.action, "type": r.target_type, "target": r.target, "detail": r.detail or {}}
                for r in rows], int(total)
