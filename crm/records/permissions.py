"""Who may see and change which records (requirements 001: 业务员只能查看自己的客户, 上级主管可以
查看和管理下属业务员的客户).

A user's *reach* is themselves plus everyone below them in the supervisor tree (the users whose
supervisor chain contains them); admins reach everyone (None). Each record kind (crm/records/
catalogue.py) turns the reach into its own where-clause (`Kind.scope`) and says who may change a
record it shows (`Kind.can_write`); a record out of scope does not exist for the caller (404).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Unauthenticated
from crm.models import User
from crm.records.fields import MAX_ID

FINANCE_ROLE = "finance"
HR_ROLE = "hr"


def actor(s: Session, actor_id: int) -> User:
    """The acting user; Unauthenticated for an unknown or deactivated one."""
    user = s.get(User, actor_id) if isinstance(actor_id, int) and 0 < actor_id <= MAX_ID else None
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    return user


def reach(s: Session, user: User) -> set[int] | None:
    """Ids of the user and everyone below them in the supervisor tree; None (everyone) for admins."""
    if user.is_admin:
        return None
    below: dict[int, list[int]] = {}
    for uid, sup in s.execute(select(User.id, User.supervisor_id)):
        if sup is not None:
            below.setdefault(sup, []).append(uid)
    seen, todo = {user.id}, [user.id]
    while todo:
        for child in below.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def within(column: Any, ids: set[int] | None) -> Any:
    """A where-clause keeping rows whose `column` is in reach (None: no restriction)."""
    return None if ids is None else column.in_(sorted(ids))


def has_role(user: User, key: str) -> bool:
    return user.is_admin or key in user.role_keys
