"""Registered function of the overtime process (加班申请, bpmn/library/overtime_request.bpmn; see
crm/processes/__init__.py): approved overtime taken as time off is credited to the initiator's
调休 (compensatory) leave balance, 8 hours a day in half-day steps (crm/leave.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import leave
from crm.processes.call import Call


def check_hours(call: Call, hours: Any) -> dict[str, Any]:
    """At start: the hours are 0.5 .. 24 (422 on `hours` otherwise); the days they would earn."""
    return {"hours": str(hours), "days": float(leave.overtime_days(hours))}


def credit_compensatory(call: Call, hours: Any) -> dict[str, Any]:
    days = leave.overtime_days(hours)
    before, after = leave.credit(call.session, call.initiator_id, "compensatory", days)
    return {"leave_type": "compensatory", "days": float(days), "balance_before": float(before),
            "balance_after": float(after)}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.overtime.check_hours": check_hours,
    "crm.overtime.credit_compensatory": credit_compensatory,
}
UNDOS: dict[str, Callable[..., Any]] = {}
