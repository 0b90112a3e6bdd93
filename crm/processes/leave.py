"""Registered functions of the leave process (请假, bpmn/leave_request.bpmn; see crm/processes/__init__.py).

Both count the days on the server from the form's dates (crm/leave.py: calendar days in half-day
steps, no holiday calendar) and act on the initiator's balance of the leave type.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import leave
from crm.processes.call import Call


def leave_check_request(call: Call, leave_type: Any, start_date: Any, start_half: Any, end_date: Any,
                        end_half: Any) -> dict[str, Any]:
    """Count the request's days and check the initiator's balance covers them (refuses otherwise)."""
    req = leave.check_request(call.session, call.initiator_id, leave_type, start_date, start_half,
                              end_date, end_half)
    return {"leave_type": req.leave_type, "days": float(req.days),
            "balance": float(leave.balance(call.session, call.initiator_id, req.leave_type))}


def leave_deduct(call: Call, leave_type: Any, start_date: Any, start_half: Any, end_date: Any,
                 end_half: Any) -> dict[str, Any]:
    """Take the request's days off the initiator's balance, under a row lock (refuses if it no longer covers them)."""
    req, before, after = leave.deduct(call.session, call.initiator_id, leave_type, start_date, start_half,
                                      end_date, end_half)
    return {"leave_type": req.leave_type, "days": float(req.days), "balance_before": float(before),
            "balance_after": float(after)}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.leave.check_request": leave_check_request,
    "crm.leave.deduct": leave_deduct,
}
UNDOS: dict[str, Callable[..., Any]] = {}
