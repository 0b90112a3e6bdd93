"""What the organisation pages show an administrator (worklist/org_admin.py): the user list with
its search, one user, the choices for supervisor and head, the department tree, one department and
the member count of each role. Each read is one unit of work that checks the caller first; the
writes are crm/directory.py's."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.errors import NotFound
from crm import org
from crm.directory import _actor, _require_admin, user_dict  # the package's own checks
from crm.models import Department, Role, User, user_roles
from db.session import Database


def _user_row(u: User) -> dict[str, Any]:
    return {**user_dict(u), "supervisor_name": u.supervisor.display_name if u.supervisor else None}


def search_users(db: Database, actor_id: int, q: Any = None, department: Any = None, active: Any = None,
                 offset: int = 0, limit: int = 20) -> tuple[list[dict[str, Any]], int]:
    """Users for the admin list: `q` matches user name or display name, `department` an id (its
    sub-departments included), `active` True/False; ordered by department, then user name."""
    with db.uow() as s:
        _require_admin(s, actor_id)
        stmt = select(User)
        if isinstance(q, str) and q.strip():
            pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(or_(User.username.ilike(pattern, escape="\\"),
                                  User.display_name.ilike(pattern, escape="\\")))
        if isinstance(department, int) and not isinstance(department, bool):
            ids = _subtree(list(s.execute(select(Department.id, Department.parent_id))), department)
            stmt = stmt.where(User.department_id.in_(sorted(ids)))
        if isinstance(active, bool):
            stmt = stmt.where(User.active.is_(active))
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.options(selectinload(User.roles)).order_by(User.department_id, User.username)
                         .offset(max(0, offset)).limit(max(1, min(limit, 200))))
        return [_user_row(u) for u in rows], total


def _subtree(pairs: list[Any], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in pairs:
        children.setdefault(parent_id, []).append(dept_id)
    out, stack = set(), [root]
    while stack:
        cur = stack.pop()
        if cur in out:
            continue
        out.add(cur)
        stack.extend(children.get(cur, []))
    return out


def get_user(db: Database, actor_id: int, user_id: int) -> dict[str, Any]:
    with db.uow() as s:
        _require_admin(s, actor_id)
        return _user_row(org.get_user(s, user_id))


def user_choices(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """Every user as {username, display_name, active} (for supervisor / head choices), by name."""
    with db.uow() as s:
        _require_admin(s, actor_id)
        return [{"username": u.username, "display_name": u.display_name, "active": u.active}
                for u in s.scalars(select(User).order_by(User.username))]


def department_tree(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """Every department in tree order (parents before children) with its depth, head and head count."""
    with db.uow() as s:
        _actor(s, actor_id)
        depts = list(s.scalars(select(Department).order_by(Department.name)))
        counts = dict(s.execute(select(User.department_id, func.count()).where(User.active.is_(True))
                                .group_by(User.department_id)).all())
        known = {d.id for d in depts}
        children: dict[int | None, list[Any]] = {}
        for d in depts:
            children.setdefault(d.parent_id if d.parent_id in known else None, []).append(d)
        out: list[dict[str, Any]] = []
        seen: set[int] = set()

        def row(d: Department, depth: int) -> dict[str, Any]:
            return {**org.department_dict(d), "depth": depth, "parent_name": d.parent.name if d.parent else None,
                    "head_name": d.head.display_name if d.head else None, "members": counts.get(d.id, 0)}

        def walk(parent: int | None, depth: int) -> None:
            for d in children.get(parent, []):
                if d.id in seen:
                    continue
                seen.add(d.id)
                out.append(row(d, depth))
                walk(d.id, depth + 1)

        walk(None, 0)
        for d in depts:  # a cycle (never created through update_department) still lists every department
            if d.id not in seen:
                seen.add(d.id)
                out.append(row(d, 0))
        return out


def get_department(db: Database, actor_id: int, dept_id: int) -> dict[str, Any]:
    with db.uow() as s:
        _require_admin(s, actor_id)
        d = s.get(Department, dept_id)
        if d is None:
            raise NotFound(f"department {dept_id} not found")
        return org.department_dict(d)


def role_member_counts(db: Database, actor_id: int) -> dict[str, int]:
    """Role key -> number of active users holding it."""
    with db.uow() as s:
        _require_admin(s, actor_id)
        rows = s.execute(select(Role.key, func.count(User.id)).join(user_roles, user_roles.c.role_id == Role.id)
                         .join(User, User.id == user_roles.c.user_id).where(User.active.is_(True))
                         .group_by(Role.key))
        return {key: n for key, n in rows}
