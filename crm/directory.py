"""Organisation use cases: each owns its transaction, checks who may act, and returns plain dicts.

crm/org.py holds the session-level services (validation, lookups); this module wraps them in
one unit of work per call for the API, the web UI and the command line. Writes are for admins.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from core.errors import Forbidden, Msg, NotFound, Unauthenticated, ValidationFailed
from core.ids import MAX_ID, is_id
from crm import numbering, org, successors
from crm.admin import syslog
from crm.models import Department, User
from db.session import Database

ADMIN_USERNAME = "admin"
ADMIN_DISPLAY_NAME = "系统管理员"
BASE_ROLES = {org.ADMIN_ROLE: "管理员", org.PROCESS_ADMIN_ROLE: "流程管理员"}
MIN_PASSWORD = 8
ID_FIELDS = ("department", "parent")

USER_FIELDS = ("username", "display_name", "password", "department", "supervisor", "roles", "sales_code")
DEPARTMENT_FIELDS = ("name", "parent", "head")
ROLE_FIELDS = ("key", "name")


# ---------------------------------------------------------------- helpers


def _payload(payload: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The payload as a dict; unknown keys are a 422 naming each of them."""
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    unknown = sorted(str(k) for k in payload if k not in allowed)
    if unknown:
        raise ValidationFailed(f"unknown field(s): {', '.join(unknown)}",
                               {k: f"unknown field; allowed: {', '.join(allowed)}" for k in unknown})
    # Ids beyond the id columns (core/ids.py) cannot exist (and would overflow the database's integer).
    too_big = {k: Msg("no_department", f"no department with id {v}", id=v) for k, v in payload.items()
               if k in ID_FIELDS and isinstance(v, int) and abs(v) > MAX_ID}
    if too_big:
        raise ValidationFailed("invalid department reference", too_big)
    return payload


def _actor(s: Session, actor_id: int, options: tuple[Any, ...] = ()) -> User:
    user = s.get(User, actor_id, options=options)
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    return user


def _require_admin(s: Session, actor_id: int) -> User:
    user = _actor(s, actor_id)
    if not user.is_admin:
        raise Forbidden("only an administrator may change the organisation")
    return user


def role_dict(key: str, name: str) -> dict[str, Any]:
    return {"key": key, "name": name}


# ---------------------------------------------------------------- who is calling


def login(db: Database, username: Any, password: Any) -> int | None:
    """The id of the active user with these credentials, or None (see `credentials` for the version)."""
    found = credentials(db, username, password)
    return found[0] if found is not None else None


def credentials(db: Database, username: Any, password: Any) -> tuple[int, int] | None:
    """(id, token version) of the active user with these credentials, or None. The version goes into
    the session or token; `active_user` / `me` refuse it once logout, a new password or
    deactivation has raised the user's version."""
    fields = {name: Msg("required", "required") for name, value in (("username", username), ("password", password))
              if not isinstance(value, str) or not value}
    if fields:
        raise ValidationFailed("username and password are required", fields)
    with db.uow() as s:
        user = org.authenticate(s, username, password)
        return (user.id, user.token_version or 0) if user is not None else None


_UNCHECKED: Any = object()  # me() of a caller authenticated already (api/ after current_user_id)


def _current(s: Session, user_id: Any, version: Any, options: tuple[Any, ...] = ()) -> User:
    """The active user whose session/token carries the current version; Unauthenticated otherwise.
    `options`: loader options for reading the user (when not in the session yet)."""
    if not is_id(user_id):
        raise Unauthenticated("invalid credentials")
    user = s.get(User, user_id, options=options)
    _check(user, version)
    assert user is not None  # _check refused a missing user
    return user


def _check(found: Any, presented: Any) -> None:
    """Unauthenticated unless `found` (a User or a row of its active and token_version columns) is an
    active user and the presented session/token version is still theirs."""
    if found is None or not found.active:
        raise Unauthenticated("unknown or deactivated user")
    if presented is not _UNCHECKED and presented != (found.token_version or 0):
        raise Unauthenticated("signed out: this session or token was revoked; sign in again")


_CREDENTIALS = select(User.active, User.token_version).where(User.id == bindparam("uid"))  # built once


def active_user(db: Database, user_id: Any, version: Any) -> int:
    """`user_id` when it names an active user and `version` is still theirs; Unauthenticated otherwise
    (deactivated, signed out or given a new password since the token or session was issued).
    Every API request asks this: two columns in one statement, no User object built."""
    if not is_id(user_id):
        raise Unauthenticated("invalid credentials")
    _check(db.first(_CREDENTIALS, {"uid": user_id}), version)
    return int(user_id)


# what the profile shows, read with the user in one statement, not four (user, then three lazy loads)
_PROFILE = (joinedload(User.department), joinedload(User.supervisor), joinedload(User.roles))


def me(db: Database, user_id: int, version: Any = _UNCHECKED) -> dict[str, Any]:
    """The user's profile; with `version` (a session's), Unauthenticated once it was revoked."""
    with db.uow() as s:
        user = _current(s, user_id, version, _PROFILE)
        # heads the department they belong to (already loaded: no extra statement on every page)
        is_head = user.department is not None and user.department.head_id == user.id
        return {**org.user_dict(user), "is_admin": user.is_admin, "is_head": is_head}


def sign_out(db: Database, user_id: Any, version: Any) -> None:
    """Logout: every session and token of the user issued so far stops working (a no-op when the
    one presented is already revoked)."""
    with db.uow(write=True) as s:
        user = s.get(User, user_id) if is_id(user_id) else None
        if user is not None and version == (user.token_version or 0):
            org.revoke_sessions(user)


def set_locale(db: Database, user_id: int, locale: Any) -> dict[str, Any]:
    """A user chooses their own UI language (zh or en); remembered across sessions."""
    with db.uow(write=True) as s:
        _actor(s, user_id)
        return org.user_dict(org.update_user(s, user_id, {"locale": locale}))


# ---------------------------------------------------------------- admin writes


def _set_sales_code(s: Session, user: User, value: Any) -> None:
    """业务员编号: a full code, a prefix to number (crm/numbering.py), or null / "" to remove it."""
    if value in (None, ""):
        user.sales_code = None
        return
    taken = set(s.scalars(select(User.sales_code).where(User.sales_code.is_not(None), User.id != user.id)))
    if isinstance(value, str) and value.strip().upper() == user.sales_code:
        return
    user.sales_code = numbering.salesperson_code(s, value, taken)
    s.flush()


def user_dict(u: User) -> dict[str, Any]:
    return {**org.user_dict(u), "sales_code": u.sales_code}


def create_user(db: Database, actor_id: int, payload: Any) -> dict[str, Any]:
    with db.uow(write=True) as s:
        actor = _require_admin(s, actor_id)
        p = _payload(payload, USER_FIELDS)
        user = org.create_user(s, p.get("username"), p.get("display_name"), p.get("password"),
                               department=p.get("department"), supervisor=p.get("supervisor"), roles=p.get("roles"))
        if "sales_code" in p:
            _set_sales_code(s, user, p["sales_code"])
        out = user_dict(user)
        syslog.record(s, actor, "user.create", "user", user.username, syslog.diff(None, {**out, "password": "set"}))
        return out


def update_user(db: Database, actor_id: int, user_id: int, payload: Any) -> dict[str, Any]:
    """Change a user; `{active: false, successor?}` deactivates, with a successor or through the
    staff_handover process (crm/successors.py)."""
    with db.uow(write=True) as s:
        actor = _require_admin(s, actor_id)
        p = _payload(payload, (*org.USER_CHANGES, "successor", "sales_code"))
        if user_id == actor_id and p.get("active") is False:
            raise ValidationFailed("you cannot deactivate yourself",
                                   {"active": Msg("deactivate_self", "you are this user")})
        before = get_user_row(s, user_id)
        sales_code = p.pop("sales_code", _UNSET)
        if sales_code is not _UNSET:
            _set_sales_code(s, before[0], sales_code)
        if p.get("active") is not False:
            if p.get("successor") not in (None, ""):
                raise ValidationFailed("a successor is named only when deactivating",
                                       {"successor": "only with active: false"})
            p.pop("successor", None)
            out = user_dict(org.update_user(s, user_id, p))
            syslog.record(s, actor, "user.update", "user", out["username"],
                          syslog.diff(before[1], {**out, **({"password": "new"} if "password" in p else {})}))
            return out
    out = successors.deactivate(db, actor_id, user_id, p, _require_admin)
    hand = out.get("handover")
    detail: dict[str, Any] = {"active": [True, False]}
    if isinstance(hand, dict):
        detail["successor"] = hand.get("successor")
        if hand.get("process"):
            detail["handover_process"] = hand["process"]  # the supervisor chooses (bpmn/staff_handover.bpmn)
    syslog.record_in(db, actor_id, "user.deactivate", "user", out["username"], detail)
    return out


_UNSET: Any = object()


def get_user_row(s: Session, user_id: int) -> tuple[User, dict[str, Any]]:
    """The user and their dict before a change (NotFound for an unknown id)."""
    user = s.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user, user_dict(user)


def create_department(db: Database, actor_id: int, payload: Any) -> dict[str, Any]:
    with db.uow(write=True) as s:
        actor = _require_admin(s, actor_id)
        p = _payload(payload, DEPARTMENT_FIELDS)
        dept = org.create_department(s, p.get("name"), parent=p.get("parent"), head=p.get("head"))
        out = org.department_dict(dept)
        syslog.record(s, actor, "department.create", "department", dept.name, syslog.diff(None, out))
        return out


def update_department(db: Database, actor_id: int, dept_id: int, payload: Any) -> dict[str, Any]:
    with db.uow(write=True) as s:
        actor = _require_admin(s, actor_id)
        p = _payload(payload, DEPARTMENT_FIELDS)
        old = s.get(Department, dept_id) if is_id(dept_id) else None
        before = org.department_dict(old) if old is not None else None
        dept = org.update_department(s, dept_id, p)
        out = org.department_dict(dept)
        syslog.record(s, actor, "department.update", "department", dept.name, syslog.diff(before, out))
        return out


def create_role(db: Database, actor_id: int, payload: Any) -> dict[str, Any]:
    with db.uow(write=True) as s:
        actor = _require_admin(s, actor_id)
        p = _payload(payload, ROLE_FIELDS)
        role = org.create_role(s, p.get("key"), p.get("name"))
        syslog.record(s, actor, "role.create", "role", role.key, {"name": [None, role.name]})
        return role_dict(role.key, role.name)


# ---------------------------------------------------------------- reading (any signed-in user)


def list_users(db: Database, actor_id: int, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    with db.uow() as s:
        _actor(s, actor_id)
        users, total = org.list_users(s, offset, limit)
        return [user_dict(u) for u in users], total


def list_departments(db: Database, actor_id: int, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    with db.uow() as s:
        _actor(s, actor_id)
        depts, total = org.list_departments(s, offset, limit)
        return [org.department_dict(d) for d in depts], total


def list_roles(db: Database, actor_id: int) -> list[dict[str, Any]]:
    with db.uow() as s:
        _actor(s, actor_id)
        return [role_dict(r.key, r.name) for r in org.list_roles(s)]


# ---------------------------------------------------------------- setup (command line)


def ensure_admin(db: Database, password: str) -> dict[str, Any]:
    """Make sure user `admin` exists, is active, has roles admin + process_admin, and has this password."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationFailed("the admin password is too short", {"password": f"at least {MIN_PASSWORD} characters"})
    with db.uow(write=True) as s:
        roles = [org.ensure_role(s, key, name) for key, name in BASE_ROLES.items()]
        user = org.user_by_username(s, ADMIN_USERNAME)
        created = user is None
        if user is None:
            user = org.create_user(s, ADMIN_USERNAME, ADMIN_DISPLAY_NAME, password, roles=list(BASE_ROLES))
        else:
            user.active = True
            user.roles = [*user.roles, *(r for r in roles if r not in user.roles)]
            org.set_password(user, password)
            s.flush()
        return {**org.user_dict(user), "created": created}
