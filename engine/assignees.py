"""Assignee strategies (DESIGN.md §2), resolved when a node is entered.

`resolve` returns the ordered, de-duplicated active users plus human-readable warnings for
anything it could not resolve. An empty result is handled by the caller (process admins +
an instance warning), never by approving silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bpmn.lz import Assignees, split_list
from crm import org
from crm.models import User


@dataclass
class Resolution:
    users: list[User] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, user: User | None) -> None:
        if user is not None and user.active and all(u.id != user.id for u in self.users):
            self.users.append(user)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return list(split_list(value))
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _by_names(s: Session, names: list[str], res: Resolution, what: str) -> None:
    found = org.users_by_usernames(s, names)
    for n in names:
        u = found.get(n)
        if u is None:
            res.warnings.append(f"{what}: no user '{n}'")
        elif not u.active:
            res.warnings.append(f"{what}: user '{n}' is deactivated")
        res.add(u)


def resolve(s: Session, rule: Assignees, initiator: User, data: dict[str, Any],
            chosen: dict[str, Any], node_id: str) -> Resolution:
    res = Resolution()
    strategy, value = rule.strategy, rule.value
    if strategy == "users":
        _by_names(s, list(split_list(value)), res, "users")
    elif strategy == "role":
        keys = list(split_list(value))
        for u in org.users_with_roles(s, keys):
            res.add(u)
        if not res.users:
            res.warnings.append(f"role: nobody has role {', '.join(keys)}")
    elif strategy == "dept_head":
        if value:
            dept = org.department_by_name(s, value)
            if dept is None:
                res.warnings.append(f"dept_head: no department '{value}'")
        else:
            dept = initiator.department
            if dept is None:
                res.warnings.append(f"dept_head: initiator {initiator.username} has no department")
        head = org.head_of(s, dept) if dept else None
        if dept is not None and head is None:
            res.warnings.append(f"dept_head: department '{dept.name}' has no head")
        res.add(head)
    elif strategy == "dept_heads":
        for name in split_list(value):
            dept = org.department_by_name(s, name)
            head = org.head_of(s, dept) if dept else None
            if dept is None:
                res.warnings.append(f"dept_heads: no department '{name}'")
            elif head is None:
                res.warnings.append(f"dept_heads: department '{name}' has no head")
            res.add(head)
    elif strategy == "supervisor":
        levels = int(value) if value else 1
        sup = org.supervisor_at(initiator, levels)
        if sup is None:
            res.warnings.append(f"supervisor: {initiator.username} has no supervisor {levels} level(s) up")
        elif not sup.active:
            res.warnings.append(f"supervisor: {sup.username} is deactivated")
        res.add(sup)
    elif strategy == "initiator":
        res.add(initiator)
    elif strategy == "field":
        names = _names(data.get(value))
        if not names:
            res.warnings.append(f"field: process data field '{value}' names no user")
        _by_names(s, names, res, f"field {value}")
    elif strategy == "chosen":
        names = _names(chosen.get(node_id))
        if not names:
            res.warnings.append(f"chosen: the initiator chose nobody for node '{node_id}'")
        _by_names(s, names, res, "chosen")
    else:  # read_definitions refuses unknown strategies at deploy
        res.warnings.append(f"unknown strategy '{strategy}'")
    return res


def process_admins(s: Session) -> list[User]:
    """Who gets a node nobody else could be found for: the process_admin role, else admins."""
    return org.users_with_roles(s, [org.PROCESS_ADMIN_ROLE]) or org.users_with_roles(s, [org.ADMIN_ROLE])
