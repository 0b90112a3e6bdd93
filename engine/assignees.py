"""Assignee strategies (DESIGN.md §2), resolved when a node is entered.

`resolve` returns the ordered, de-duplicated active users plus human-readable warnings for
anything it could not resolve. An empty result is handled by the caller (process admins +
an instance warning), never by approving silently.
"""
from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True)
class _Ask:
    """One node's question: who handles it (`value` is the strategy's lz:assignees value)."""

    s: Session
    value: str
    initiator_of: Callable[[], User]
    data: dict[str, Any]
    chosen: dict[str, Any]
    node_id: str

    @property
    def initiator(self) -> User:
        return self.initiator_of()


def resolve(s: Session, rule: Assignees, initiator: User | Callable[[], User], data: dict[str, Any],
            chosen: dict[str, Any], node_id: str) -> Resolution:
    """`initiator` may be given as a function: it is then called only by the strategies that ask
    who the initiator is (most nodes name their users or roles: one read fewer per node)."""
    res = Resolution()
    strategy = _STRATEGIES.get(rule.strategy)
    if strategy is None:  # read_definitions refuses unknown strategies at deploy
        res.warnings.append(f"unknown strategy '{rule.strategy}'")
    else:
        who = initiator if callable(initiator) else (lambda: initiator)
        strategy(_Ask(s, rule.value, who, data, chosen, node_id), res)
    return res


def _users(ask: _Ask, res: Resolution) -> None:
    _by_names(ask.s, list(split_list(ask.value)), res, "users")


def _role(ask: _Ask, res: Resolution) -> None:
    keys = list(split_list(ask.value))
    for u in org.users_with_roles(ask.s, keys):
        res.add(u)
    if not res.users:
        res.warnings.append(f"role: nobody has role {', '.join(keys)}")


def _dept_head(ask: _Ask, res: Resolution) -> None:
    if ask.value:
        dept = org.department_by_name(ask.s, ask.value)
        if dept is None:
            res.warnings.append(f"dept_head: no department '{ask.value}'")
    else:
        dept = ask.initiator.department
        if dept is None:
            res.warnings.append(f"dept_head: initiator {ask.initiator.username} has no department")
    head = org.head_of(ask.s, dept) if dept else None
    if dept is not None and head is None:
        res.warnings.append(f"dept_head: department '{dept.name}' has no head")
    res.add(head)


def _dept_heads(ask: _Ask, res: Resolution) -> None:
    for name in split_list(ask.value):
        dept = org.department_by_name(ask.s, name)
        head = org.head_of(ask.s, dept) if dept else None
        if dept is None:
            res.warnings.append(f"dept_heads: no department '{name}'")
        elif head is None:
            res.warnings.append(f"dept_heads: department '{name}' has no head")
        res.add(head)


def _supervisor(ask: _Ask, res: Resolution) -> None:
    levels = int(ask.value) if ask.value else 1
    sup = org.supervisor_at(ask.initiator, levels)
    if sup is None:
        res.warnings.append(f"supervisor: {ask.initiator.username} has no supervisor {levels} level(s) up")
    elif not sup.active:
        res.warnings.append(f"supervisor: {sup.username} is deactivated")
    res.add(sup)


def _initiator(ask: _Ask, res: Resolution) -> None:
    res.add(ask.initiator)


def _field(ask: _Ask, res: Resolution) -> None:
    names = _names(ask.data.get(ask.value))
    if not names:
        res.warnings.append(f"field: process data field '{ask.value}' names no user")
    _by_names(ask.s, names, res, f"field {ask.value}")


def _chosen(ask: _Ask, res: Resolution) -> None:
    names = _names(ask.chosen.get(ask.node_id))
    if not names:
        res.warnings.append(f"chosen: the initiator chose nobody for node '{ask.node_id}'")
    _by_names(ask.s, names, res, "chosen")


_STRATEGIES: dict[str, Callable[[_Ask, Resolution], None]] = {
    "users": _users, "role": _role, "dept_head": _dept_head, "dept_heads": _dept_heads,
    "supervisor": _supervisor, "initiator": _initiator, "field": _field, "chosen": _chosen,
}


def process_admins(s: Session) -> list[User]:
    """Who gets a node nobody else could be found for: the process_admin role, else admins."""
    return org.users_with_roles(s, [org.PROCESS_ADMIN_ROLE]) or org.users_with_roles(s, [org.ADMIN_ROLE])
