"""The functions Liuzhuan's shipped processes call (lz:call), registered by name.

Each wraps a crm/ service and runs in the calling step's transaction. The list is in
docs/functions.md and `engine.functions.registry()`.
"""
from __future__ import annotations

from typing import Any

from crm import records_service
from crm.records import Contract
from engine.errors import ValidationFailed
from engine.functions import Call, register

CONTRACT_STATES = ("draft", "under_review", "signed", "rejected")


def contract_submit_for_review(call: Call, contract_id: Any) -> dict[str, Any]:
    """Start the review of a draft contract owned by the initiator (draft -> under_review)."""
    contract = call.session.get(Contract, contract_id) if isinstance(contract_id, int) else None
    if contract is None:
        raise ValidationFailed(f"no contract {contract_id!r}", {"contract_id": "no such contract"})
    if contract.owner_id != call.initiator_id:
        raise ValidationFailed("only the contract's owner can submit it", {"contract_id": "not your contract"})
    if contract.status not in ("draft", "rejected"):
        raise ValidationFailed(f"contract {contract.number} is {contract.status}",
                               {"contract_id": f"is {contract.status}, only a draft can be submitted"})
    records_service.set_status(call.session, "contract", contract.id, "under_review")
    return {"contract_id": contract.id, "number": contract.number, "title": contract.title,
            "amount": str(contract.amount) if contract.amount is not None else None, "status": "under_review"}


def contract_set_status(call: Call, contract_id: Any, status: Any) -> dict[str, Any]:
    """Set a contract's status (draft / under_review / signed / rejected)."""
    if status not in CONTRACT_STATES:
        raise ValidationFailed(f"unknown contract status {status!r}", {"status": ", ".join(CONTRACT_STATES)})
    records_service.set_status(call.session, "contract", contract_id, status)
    return {"contract_id": contract_id, "status": status}


def register_all() -> None:
    from engine import writeback_accounts, writeback_expense, writeback_leave, writeback_settlement, writeback_ticket

    register("crm.contract.submit_for_review", contract_submit_for_review)
    register("crm.contract.set_status", contract_set_status)
    writeback_leave.register_all()
    writeback_expense.register_all()
    writeback_accounts.register_all()
    writeback_ticket.register_all()
    writeback_settlement.register_all()
