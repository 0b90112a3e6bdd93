"""Registered functions of the settlement process (代理商服务费结算, bpmn/agent_settlement.bpmn;
see crm/processes/__init__.py). Each wraps crm/settlements.py and runs in the calling step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import settlements
from crm.processes.call import Call


def settlement_create(call: Call, agent_id: Any, period: Any, fees: Any, remark: Any = None) -> dict[str, Any]:
    """Create the settlement application (status submitted, linked to the instance); returns settlement_id."""
    row = settlements.create(call.session, call.initiator_id, agent_id, period, fees, remark,
                             instance_id=call.instance_id)
    return settlements.summary(row)


def settlement_set_ratio(call: Call, settlement_id: Any, ratio: Any, survey_score: Any = None) -> dict[str, Any]:
    """Store the refund ratio (0..1) set from the satisfaction survey; amount = fees x ratio."""
    row = settlements.set_ratio(call.session, settlement_id, ratio)
    return {**settlements.summary(row), "survey_score": survey_score}


def settlement_set_status(call: Call, settlement_id: Any, status: Any) -> dict[str, Any]:
    """Move a settlement: submitted -> approved / rejected, approved -> rejected."""
    return settlements.summary(settlements.set_status(call.session, settlement_id, status))


def settlement_record_invoice(call: Call, settlement_id: Any, invoice_no: Any, received_at: Any,
                              invoice_amount: Any) -> dict[str, Any]:
    """The agent's invoice (equal to the amount) was received: approved -> invoiced, date and number noted."""
    row = settlements.record_invoice(call.session, settlement_id, invoice_no, received_at, invoice_amount)
    return {**settlements.summary(row), "invoice_no": str(invoice_no).strip(), "invoice_received_at": received_at}


def settlement_settle(call: Call, settlement_id: Any, settlement_method: Any) -> dict[str, Any]:
    """Finance's decision (offset | refund) is recorded: invoiced -> settled."""
    return settlements.summary(settlements.settle(call.session, settlement_id, settlement_method))


def undo_settlement_create(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """The settlement the instance created (still submitted) becomes withdrawn."""
    settlement_id = result.get("settlement_id") if isinstance(result, dict) else None
    return settlements.summary(settlements.withdraw(call.session, settlement_id))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.settlement.create": settlement_create,
    "crm.settlement.set_ratio": settlement_set_ratio,
    "crm.settlement.set_status": settlement_set_status,
    "crm.settlement.record_invoice": settlement_record_invoice,
    "crm.settlement.settle": settlement_settle,
}
UNDOS: dict[str, Callable[..., Any]] = {
    "crm.settlement.create": undo_settlement_create,
}
