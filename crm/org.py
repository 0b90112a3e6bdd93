"""Organisation services: users, departments, roles, supervisor chains.

Functions take a session and primitives and return model objects; they raise the domain
errors of core/errors.py. The engine resolves assignees through the lookups here.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from core.errors import Conflict, Msg, NotFound, ValidationFailed
from core.ids import is_id
from crm.models import Department, Role, User
from db.base import utcnow

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")
ROLE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
ADMIN_ROLE = "admin"
PROCESS_ADMIN_ROLE = "process_admin"
MAX_CHAIN = 50  # a supervisor chain longer than this is treated as a cycle
# werkzeug's default (scrypt). Tests lower it to keep building organisations fast.
PASSWORD_METHOD = "scrypt"
# Field messages carry a code (core.errors.Msg) so pages show them in the user's language.
EXISTS = Msg("exists", "already exists")
PASSWORD_TOO_SHORT = Msg("min_length", "at least 8 characters", min=8)


# ---------------------------------------------------------------- lookups


def get_user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def user_by_username(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username == username))


def users_by_usernames(s: Session, names: Iterable[str]) -> dict[str, User]:
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return {}
    return {u.username: u for u in s.scalars(select(User).where(User.username.in_(names)))}


def users_with_roles(s: Session, keys: Sequence[str]) -> list[User]:
    return list(s.scalars(select(User).join(User.roles).where(Role.key.in_(list(keys)), User.active.is_(True))
                          .order_by(User.id).distinct()))


def department_by_name(s: Session, name: str) -> Department | None:
    return s.scalar(select(Department).where(Department.name == name))


def head_of(s: Session, dept: Department | None) -> User | None:
    """The department's active head, or the nearest parent department's when it has none."""
    seen = set()
    while dept is not None and dept.id not in seen:
        seen.add(dept.id)
        if dept.head is not None and dept.head.active:
            return dept.head
        dept = dept.parent
    return None


def supervisor_at(user: User, levels: int) -> User | None:
    """The supervisor `levels` steps up the chain (1 = direct supervisor)."""
    cur: User | None = user
    for _ in range(min(levels, MAX_CHAIN)):
        cur = cur.supervisor if cur is not None else None
    return cur if cur is not None and cur is not user else None


def supervisor_chain(user: User) -> list[User]:
    chain: list[User] = []
    seen, cur = {user.id}, user.supervisor
    while cur is not None and cur.id not in seen and len(chain) < MAX_CHAIN:
        chain.append(cur)
        seen.add(cur.id)
        cur = cur.supervisor
    return chain


_DUMMY_HASH: str | None = None


def authenticate(s: Session, username: str, password: str) -> User | None:
    global _DUMMY_HASH
    user = user_by_username(s, username or "")
    if user is None:
        # Spend the same time as for a real user, so timing does not reveal which names exist.
        _DUMMY_HASH = _DUMMY_HASH or generate_password_hash("x", method=PASSWORD_METHOD)
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    if user.trial_expires_on is not None and user.trial_expires_on < utcnow().date():
        return None  # a trial account past its last day (the trials routine deactivates it)
    return user


# ---------------------------------------------------------------- management (admin)


def _require_text(fields: dict[str, str], name: str, value: Any, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        fields[name] = Msg("required", "required")
        return ""
    if len(value.strip()) > max_len:
        fields[name] = Msg("max_length", f"at most {max_len} characters", max=max_len)
    return value.strip()


def _department_ref(s: Session, fields: dict[str, str], name: str, value: Any) -> Department | None:
    if value is None:
        return None
    if not is_id(value):
        fields[name] = "must be a department id (positive integer)"
        return None
    dept = s.get(Department, value)
    if dept is None:
        fields[name] = Msg("no_department", f"no department with id {value}", id=value)
    return dept


def _user_ref(s: Session, fields: dict[str, str], name: str, value: Any) -> User | None:
    if value is None:
        return None
    if not isinstance(value, str):
        fields[name] = "must be a username"
        return None
    user = user_by_username(s, value)
    if user is None:
        fields[name] = Msg("no_user", f"no user '{value}'", user=value)
    elif not user.active:
        fields[name] = Msg("user_deactivated", f"user '{value}' is deactivated", user=value)
    return user


def _role_refs(s: Session, fields: dict[str, str], roles: Any) -> list[Role]:
    """The roles named by a list of role keys; problems go to fields["roles"]."""
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        fields["roles"] = "must be a list of role keys"
        return []
    found = list(s.scalars(select(Role).where(Role.key.in_(roles))))
    missing = sorted(set(roles) - {r.key for r in found})
    if missing:
        fields["roles"] = Msg("unknown_role", f"unknown role(s): {', '.join(missing)}", roles=", ".join(missing))
    return found


def _reaches(start: Any, target_id: int, up: Callable[[Any], Any]) -> bool:
    """Does walking `up` from `start` (a department's parents, a user's supervisors) reach `target_id`?"""
    seen: set[int] = set()
    cur = start
    while cur is not None and cur.id not in seen:
        if cur.id == target_id:
            return True
        seen.add(cur.id)
        cur = up(cur)
    return False


def create_role(s: Session, key: Any, name: Any) -> Role:
    fields: dict[str, str] = {}
    if not isinstance(key, str) or not ROLE_KEY.match(key):
        fields["key"] = Msg("role_key_format", "lower-case letters, digits and _ (2-50), starting with a letter")
    name = _require_text(fields, "name", name, 100)
    if not fields and s.scalar(select(Role).where(Role.key == key)) is not None:
        raise Conflict(f"role '{key}' exists", {"key": EXISTS})
    if fields:
        raise ValidationFailed("invalid role", fields)
    role = Role(key=key, name=name)
    s.add(role)
    s.flush()
    return role


def create_department(s: Session, name: Any, parent: Any = None, head: Any = None) -> Department:
    fields: dict[str, str] = {}
    name = _require_text(fields, "name", name, 100)
    parent_dept = _department_ref(s, fields, "parent", parent)
    head_user = _user_ref(s, fields, "head", head)
    if "name" not in fields and department_by_name(s, name) is not None:
        raise Conflict(f"department '{name}' exists", {"name": EXISTS})
    if fields:
        raise ValidationFailed("invalid department", fields)
    dept = Department(name=name, parent=parent_dept, head=head_user)
    s.add(dept)
    s.flush()
    return dept


def update_department(s: Session, dept_id: int, changes: dict[str, Any]) -> Department:
    dept = s.get(Department, dept_id)
    if dept is None:
        raise NotFound(f"department {dept_id} not found")
    fields: dict[str, str] = {}
    unknown = set(changes) - {"name", "parent", "head"}
    for k in unknown:
        fields[k] = "unknown field"
    if "name" in changes:
        name = _require_text(fields, "name", changes["name"], 100)
        other = department_by_name(s, name) if name else None
        if other is not None and other.id != dept.id:
            fields["name"] = Msg("department_name_taken", "another department has this name")
    if "parent" in changes:
        parent = _department_ref(s, fields, "parent", changes["parent"])
        if "parent" not in fields and _reaches(parent, dept.id, lambda d: d.parent):
            fields["parent"] = Msg("department_cycle", "would make the department its own ancestor")
    if "head" in changes:
        head = _user_ref(s, fields, "head", changes["head"])
    if fields:
        raise ValidationFailed("invalid department change", fields)
    if "name" in changes:
        dept.name = name
    if "parent" in changes:
        dept.parent = parent
    if "head" in changes:
        dept.head = head
    s.flush()
    return dept


def create_user(s: Session, username: Any, display_name: Any, password: Any, department: Any = None,
                supervisor: Any = None, roles: Any = None, *, password_hash: str | None = None) -> User:
    """`password_hash`: the hash of `password` when the caller has one already (the demo company's
    users share one password: one scrypt, ~0.2 s, instead of one per user)."""
    fields: dict[str, str] = {}
    if not isinstance(username, str) or not USERNAME.match(username):
        fields["username"] = Msg("username_format", "2-64 letters, digits, '_', '.', '-', starting with a letter")
    display_name = _require_text(fields, "display_name", display_name, 100)
    if not isinstance(password, str) or len(password) < 8:
        fields["password"] = PASSWORD_TOO_SHORT
    dept = _department_ref(s, fields, "department", department)
    sup = _user_ref(s, fields, "supervisor", supervisor)
    role_objs = _role_refs(s, fields, roles) if roles is not None else []
    if "username" not in fields and user_by_username(s, username) is not None:
        raise Conflict(f"user '{username}' exists", {"username": EXISTS})
    if fields:
        raise ValidationFailed("invalid user", fields)
    user = User(username=username, display_name=display_name,
                password_hash=password_hash or generate_password_hash(password, method=PASSWORD_METHOD),
                department=dept, supervisor=sup, roles=role_objs, active=True)
    s.add(user)
    s.flush()
    return user


USER_CHANGES = ("display_name", "password", "department", "supervisor", "roles", "active", "locale")


def update_user(s: Session, user_id: int, changes: dict[str, Any]) -> User:
    """Change a user; `active: false` deactivates (no login, no new tasks; history kept)."""
    user = s.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    fields: dict[str, str] = {k: "unknown field" for k in set(changes) - set(USER_CHANGES)}
    new = _user_changes(s, user, changes, fields)
    if fields:
        raise ValidationFailed("invalid user change", fields)
    for name, value in new.items():  # in the order of USER_CHANGES
        if name == "password":
            set_password(user, value)
        else:
            if name == "active" and value is False and user.active:
                revoke_sessions(user)  # deactivated: every session and token ends now
            setattr(user, name, value)
    s.flush()
    return user


def _user_changes(s: Session, user: User, changes: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The new value of each changed attribute (the password in clear); a problem in `fields` for each bad one."""
    new: dict[str, Any] = {}
    if "display_name" in changes:
        new["display_name"] = _require_text(fields, "display_name", changes["display_name"], 100)
    if "password" in changes:
        if not isinstance(changes["password"], str) or len(changes["password"]) < 8:
            fields["password"] = PASSWORD_TOO_SHORT
        new["password"] = changes["password"]
    if "department" in changes:
        new["department"] = _department_ref(s, fields, "department", changes["department"])
    if "supervisor" in changes:
        sup = _user_ref(s, fields, "supervisor", changes["supervisor"])
        if "supervisor" not in fields and _reaches(sup, user.id, lambda u: u.supervisor):
            fields["supervisor"] = Msg("supervisor_cycle", "would make the user their own supervisor (a cycle)")
        new["supervisor"] = sup
    if "roles" in changes:
        new["roles"] = _role_refs(s, fields, changes["roles"])
    if "active" in changes and not isinstance(changes["active"], bool):
        fields["active"] = "must be true or false"
    if "locale" in changes and changes["locale"] not in ("zh", "en"):
        fields["locale"] = "zh or en"
    new.update({k: changes[k] for k in ("active", "locale") if k in changes})
    return new


def set_password(user: User, password: str) -> None:
    """A new password (a change or an admin's reset) ends every session and token of the user."""
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    revoke_sessions(user)


def revoke_sessions(user: User) -> None:
    """Every session cookie and bearer token issued to the user so far stops working."""
    user.token_version = (user.token_version or 0) + 1


def list_users(s: Session, offset: int, limit: int) -> tuple[list[User], int]:
    total = s.scalar(select(func.count()).select_from(User)) or 0
    stmt = select(User).options(selectinload(User.roles)).order_by(User.id).offset(offset).limit(limit)
    return list(s.scalars(stmt)), total


def list_departments(s: Session, offset: int, limit: int) -> tuple[list[Department], int]:
    total = s.scalar(select(func.count()).select_from(Department)) or 0
    return list(s.scalars(select(Department).order_by(Department.id).offset(offset).limit(limit))), total


def list_roles(s: Session) -> list[Role]:
    return list(s.scalars(select(Role).order_by(Role.key)))


def ensure_role(s: Session, key: str, name: str) -> Role:
    role = s.scalar(select(Role).where(Role.key == key))
    if role is None:
        role = Role(key=key, name=name)
        s.add(role)
        s.flush()
    return role


def user_dict(u: User) -> dict[str, Any]:
    return {
        "id": u.id, "username": u.username, "display_name": u.display_name, "active": u.active,
        "department": u.department_id, "department_name": u.department.name if u.department else None,
        "supervisor": u.supervisor.username if u.supervisor else None, "roles": u.role_keys,
        "locale": u.locale,
    }


def department_dict(d: Department) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "parent": d.parent_id, "head": d.head.username if d.head else None}
