"""Process functions of the contract countersign process (合同会签, bpmn/contract_countersign.bpmn;
see crm/processes/__init__.py). Each wraps crm/records.py and runs in the calling step's
transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import Conflict, ValidationFailed
from crm import records
from crm.processes.call import Call
from crm.records import Contract

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
    previous = contract.status
    records.set_status(call.session, "contract", contract.id, "under_review")
    return {"contract_id": contract.id, "number": contract.number, "title": contract.title,
            "amount": str(contract.amount) if contract.amount is not None else None, "status": "under_review",
            "previous_status": previous}


def undo_contract_submit(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """The contract under review goes back to what it was before the submission (draft, or rejected)."""
    contract_id = args.get("contract_id")
    contract = call.session.get(Contract, contract_id) if isinstance(contract_id, int) else None
    if contract is None:
        raise Conflict(f"the contract {contract_id!r} of this instance no longer exists")
    if contract.status != "under_review":
        raise Conflict(f"contract {contract.number} is {contract.status}; the instance can no longer be withdrawn",
                       {"contract_id": f"is {contract.status}"})
    previous = result.get("previous_status") if isinstance(result, dict) else None
    back = previous if previous in ("draft", "rejected") else "draft"
    records.set_status(call.session, "contract", contract.id, back)
    return {"contract_id": contract.id, "status": back}


def contract_set_status(call: Call, contract_id: Any, status: Any) -> dict[str, Any]:
    """Set a contract's status (draft / under_review / signed / rejected)."""
    if status not in CONTRACT_STATES:
        raise ValidationFailed(f"unknown contract status {status!r}", {"status": ", ".join(CONTRACT_STATES)})
    records.set_status(call.session, "contract", contract_id, status)
    return {"contract_id": contract_id, "status": status}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.contract.submit_for_review": contract_submit_for_review,
    "crm.contract.set_status": contract_set_status,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.contract.submit_for_review": undo_contract_submit}
