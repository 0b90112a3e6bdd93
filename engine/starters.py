"""Who may start a process by hand (发起人权限): the rule of `lz:process starters=` (bpmn/starters.py),
read once per definition version with the other lz: settings (runtime.configs_of).

A process without `starters` may be started by everyone. With it, a user may start it by hand when
they are listed by name, hold a listed role, or belong to a listed department. The start page lists
only what the user may start (engine/progress.py `startable`), its form answers 404 otherwise, and
`POST /api/v1/process-instances` answers 403 (engine/instances.py `start_process`). Starts by the
system on a user's behalf (routines/: churn, care, handover) pass `system=True` and are not limited;
submitting one's own rejected or withdrawn request again (再次提交) is not limited either: the
request was accepted once, and it stays the initiator's own.
"""
from __future__ import annotations

from core.errors import Forbidden, Msg
from crm.models import User
from engine import runtime
from engine.models import ProcessDefinition


def may_start(user: User, d: ProcessDefinition) -> bool:
    """Whether `user` may start `d` (the latest version of a process) by hand."""
    cfg = runtime.configs_of(d).get(d.key)
    rule = cfg.starters if cfg is not None else None
    if rule is None:
        return True
    return rule.admits(user.username, user.role_keys, user.department.name if user.department else None)


def require(user: User, d: ProcessDefinition) -> None:
    """Forbidden (403) when `user` may not start `d` by hand; nothing is created."""
    if not may_start(user, d):
        raise Forbidden(f"you may not start process '{d.key}'",
                        {"process": Msg("not_starter", "you may not start this process")},
                        reason="not_starter", process=d.key)
