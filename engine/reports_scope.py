"""Who may see which reports (issue 14) and the filters of every report.

Admins and process admins see everything (and the SLA view); a department head sees the tree of
the departments they head (those departments and every department below them): the requests
started by its people and its people's tasks. Everyone else: 403.

Filters (all optional, as strings from the query): `from` / `to` (dates, YYYY-MM-DD, both days
included, on when the request was started or the task arrived), `process` (a deployed process
key), `department` (a department id inside the viewer's tree). A bad one is refused with 422 at
that field; a department outside the viewer's tree with 403.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, Msg, ValidationFailed
from core.ids import as_id
from crm import org
from crm.models import Department, User
from engine.models import ProcessDefinition

FILTERS = ("from", "to", "process", "department")


@dataclass(frozen=True)
class Scope:
    admin: bool
    users: frozenset[int] | None  # None: everybody (admins without a department filter)
    departments: frozenset[int] | None  # the departments the viewer may look at (None: all)


@dataclass(frozen=True)
class Filters:
    start: datetime | None
    end: datetime | None  # exclusive: the day after `to`
    process: str | None
    users: frozenset[int] | None  # the people whose requests and tasks count (None: everybody)


def _tree(s: Session, roots: set[int]) -> set[int]:
    """The departments `roots` and every department below them."""
    parents = dict(s.execute(select(Department.id, Department.parent_id)).all())
    out = set(roots)
    changed = True
    while changed:
        more = {d for d, p in parents.items() if p in out and d not in out}
        out |= more
        changed = bool(more)
    return out


def _people(s: Session, departments: set[int]) -> frozenset[int]:
    return frozenset(s.scalars(select(User.id).where(User.department_id.in_(departments))))


def scope_of(s: Session, actor_id: int) -> Scope | None:
    """What the viewer may see, or None when they may see no report."""
    user = org.get_user(s, actor_id)
    if user.is_admin or org.PROCESS_ADMIN_ROLE in user.role_keys:
        return Scope(True, None, None)
    headed = set(s.scalars(select(Department.id).where(Department.head_id == actor_id)))
    if not headed:
        return None
    tree = _tree(s, headed)
    return Scope(False, _people(s, tree), frozenset(tree))


def require_scope(s: Session, actor_id: int, admin_only: bool = False) -> Scope:
    scope = scope_of(s, actor_id)
    if scope is None or (admin_only and not scope.admin):
        raise Forbidden("reports are for administrators and department heads", reason="reports_forbidden")
    return scope


def _day(fields: dict[str, str], name: str, raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        fields[name] = Msg("report_date", "must be a date like 2026-11-30")
        return None


def parse_filters(s: Session, scope: Scope, raw: dict[str, Any]) -> Filters:
    """The filters from the query string; ValidationFailed naming each bad one."""
    fields: dict[str, str] = {}
    start, end = _day(fields, "from", raw.get("from")), _day(fields, "to", raw.get("to"))
    if start and end and end < start:
        fields["to"] = Msg("report_range", "must not be before from")
    process = (raw.get("process") or "").strip() or None
    if process and s.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == process).limit(1)) is None:
        fields["process"] = Msg("report_process", "no such process")
    users = scope.users
    dept_raw = (raw.get("department") or "").strip()
    dept: int | None = None
    if dept_raw:
        dept = as_id(dept_raw)
        if dept is None or s.get(Department, dept) is None:
            fields["department"] = Msg("report_department", "no such department")
    if fields:
        raise ValidationFailed("invalid report filter", fields, reason="report_filter")
    if dept is not None:
        if scope.departments is not None and dept not in scope.departments:
            raise Forbidden("this department is outside yours", reason="reports_forbidden")
        users = _people(s, _tree(s, {dept}))
    return Filters(start=datetime.combine(start, time(), UTC) if start else None,
                   end=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
                   process=process, users=users)


def departments_for(s: Session, scope: Scope) -> list[dict[str, Any]]:
    """The departments the viewer may pick in the filter."""
    stmt = select(Department.id, Department.name).order_by(Department.name)
    if scope.departments is not None:
        stmt = stmt.where(Department.id.in_(scope.departments))
    return [{"id": i, "name": n} for i, n in s.execute(stmt).all()]
