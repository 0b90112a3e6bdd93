"""Who may see and change which records (requirements 001: 业务员只能查看自己的客户, 上级主管可以
查看和管理下属业务员的客户).

A user's *reach* is themselves plus everyone below them in the supervisor tree (the users whose
supervisor chain contains them); admins reach everyone (None). Each record kind (crm/records/
catalogue.py) turns the reach into its own where-clause (`Kind.scope`) and says who may change a
record it shows (`Kind.can_write`); a record out of scope does not exist for the caller (404).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from core.errors import Unauthenticated
from core.ids import MAX_ID
from crm.models import User

REACH_MEMO = "lz_reach"  # session.info: {user id: reach}
FINANCE_ROLE = "finance"
HR_ROLE = "hr"


def actor(s: Session, actor_id: int) -> User:
    """The acting user; Unauthenticated for an unknown or deactivated one."""
    user = s.get(User, actor_id) if isinstance(actor_id, int) and 0 < actor_id <= MAX_ID else None
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    return user


def reach(s: Session, user: User) -> set[int] | None:
    """Ids of the user and everyone below them in the supervisor tree; None (everyone) for admins.
    Remembered for the session (a page asks several times: pickers, visibility, search) until the
    session writes a user."""
    if user.is_admin:
        return None
    memo: dict[int, frozenset[int]] = s.info.setdefault(REACH_MEMO, {})
    known = memo.get(user.id)
    if known is not None and not any(isinstance(o, User) for o in (*s.new, *s.dirty, *s.deleted)):
        return set(known)
    seen = set(s.scalars(_REACH, {"uid": user.id}))
    memo[user.id] = frozenset(seen)
    return seen


def _reach_statement() -> Any:
    """The user and everyone below them, walked by the database (a recursive CTE; UNION, not UNION
    ALL, so a supervisor cycle ends the walk): only the subtree's ids are read, not the user table."""
    below = select(User.id).where(User.id == bindparam("uid")).cte("below", recursive=True)
    below = below.union(select(User.id).join(below, User.supervisor_id == below.c.id))
    return select(below.c.id)


_REACH = _reach_statement()


def _forget_reach(session: Session, _ctx: Any) -> None:
    """After a flush that wrote a user (a new supervisor, a new or removed user): reach again."""
    if REACH_MEMO in session.info and any(isinstance(o, User) for o in (*session.new, *session.dirty,
                                                                          *session.deleted)):
        session.info.pop(REACH_MEMO, None)


event.listen(Session, "after_flush", _forget_reach)
event.listen(Session, "after_commit", lambda session: session.info.pop(REACH_MEMO, None))
event.listen(Session, "after_rollback", lambda session: session.info.pop(REACH_MEMO, None))


def within(column: Any, ids: set[int] | None) -> Any:
    """A where-clause keeping rows whose `column` is in reach (None: no restriction)."""
    return None if ids is None else column.in_(sorted(ids))


def has_role(user: User, key: str) -> bool:
    return user.is_admin or key in user.role_keys
