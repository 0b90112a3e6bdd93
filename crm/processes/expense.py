"""Registered functions of the expense process (费用报销, bpmn/expense_reimbursement.bpmn;
see crm/processes/__init__.py). Each wraps crm/expenses.py and runs in the calling step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import expenses
from crm.processes.call import Call


def _claim_result(claim: Any) -> dict[str, Any]:
    return {"claim_id": claim.id, "total": str(claim.total), "status": claim.status}


def expense_create_claim(call: Call, lines: Any, reason: Any = None) -> dict[str, Any]:
    """Create the initiator's expense claim (status submitted) from the lines; returns claim_id and total."""
    claim = expenses.create_claim(call.session, call.initiator_id, lines, reason, instance_id=call.instance_id)
    return {**_claim_result(claim), "lines": len(claim.lines)}


def expense_set_status(call: Call, claim_id: Any, status: Any) -> dict[str, Any]:
    """Move an expense claim: submitted -> approved / rejected, approved -> rejected."""
    return _claim_result(expenses.set_status(call.session, claim_id, status))


def expense_mark_paid(call: Call, claim_id: Any, paid_at: Any, payment_ref: Any) -> dict[str, Any]:
    """Mark an approved claim paid with the payment date and reference (noted in the claim's remark)."""
    claim = expenses.record_payment(call.session, claim_id, paid_at, payment_ref)
    return {**_claim_result(claim), "paid_at": paid_at, "payment_ref": str(payment_ref).strip()}


def undo_create_claim(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """The claim the instance created (still submitted) becomes withdrawn."""
    claim_id = result.get("claim_id") if isinstance(result, dict) else None
    return _claim_result(expenses.withdraw(call.session, claim_id))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.expense.create_claim": expense_create_claim,
    "crm.expense.set_status": expense_set_status,
    "crm.expense.mark_paid": expense_mark_paid,
}
UNDOS: dict[str, Callable[..., Any]] = {
    "crm.expense.create_claim": undo_create_claim,
}
