"""Process functions of 离职交接 (bpmn/staff_handover.bpmn; see crm/processes/__init__.py): the
process runs for a deactivated user (started as them when an admin deactivates them without naming a
successor, crm/successors.py); it records what will move, their supervisor chooses the successor,
and the records and open tasks move in that step's transaction (the tasks through the engine's
hand-over, wired by app.wire(): crm/ never imports engine/)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import successors
from crm.processes.call import Call


def user_handover_open(call: Call, leaver: Any) -> dict[str, Any]:
    """What the deactivated user leaves: open tasks, customers, contracts, opportunities, tickets."""
    return successors.open_handover(call.session, call.initiator_id, leaver, call.instance_id)


def user_hand_over(call: Call, leaver: Any, successor: Any, by: Any = None) -> dict[str, Any]:
    """The leaver's records and open tasks move to `successor` (chosen by `by`): the counts."""
    actor = successors.actor_id_of(call.session, by, call.initiator_id)
    return successors.hand_over_in(call.session, actor, leaver, successor, call.instance_id)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.user.handover_open": user_handover_open,
    "crm.user.hand_over": user_hand_over,
}
UNDOS: dict[str, Callable[..., Any]] = {}
