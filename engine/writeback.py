"""The functions Liuzhuan's shipped processes call (lz:call), registered by name.

Each wraps a crm/ service and runs in the calling step's transaction. The list is in
docs/functions.md and `engine.functions.registry()`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, ValidationFailed
from crm import records
from crm.records import Contract
from engine import audit
from engine.functions import Call, register, register_undo, undo_of
from engine.models import AuditEvent

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


def undo_withdrawn(s: Session, instance_id: int, business_key: str, initiator_id: int, data: dict[str, Any],
                   actor_id: int) -> list[dict[str, Any]]:
    """Undo, newest first, what the instance's registered functions did to CRM records, for a
    withdraw (撤回) in its transaction: each `call` in the audit trail whose function has an undo
    (`register_undo`) gets it, with the call's arguments and its result from the process data
    (`<node_id>.result`). A function without an undo changed nothing that needs undoing (a leave
    check) or leaves its record as it is (a pending VIP customer stays non-VIP, a trial user
    stays inactive). An undo refusing (a record no longer in the state the process left it)
    raises, and the whole withdraw rolls back. Each undo is recorded as an `undo` audit event."""
    calls = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                    AuditEvent.action == "call").order_by(AuditEvent.seq.desc())))
    done: list[dict[str, Any]] = []
    for ev in calls:
        detail = ev.detail or {}
        name = detail.get("function")
        undo = undo_of(name) if isinstance(name, str) else None
        if undo is None:
            continue
        node_id = ev.node_id or ""
        node_data = data.get(node_id)
        result = node_data.get("result") if isinstance(node_data, dict) else None
        raw_args = detail.get("args")
        args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
        out = undo(Call(s, instance_id, business_key, initiator_id, node_id), args, result)
        audit.record(s, instance_id, "undo", actor_id, node_id=node_id,
                     detail={"function": name, "result": out})
        done.append({"function": name, "node_id": node_id, "result": out})
    return done


def register_all() -> None:
    from engine import writeback_accounts, writeback_expense, writeback_leave, writeback_settlement, writeback_ticket

    register("crm.contract.submit_for_review", contract_submit_for_review)
    register("crm.contract.set_status", contract_set_status)
    register_undo("crm.contract.submit_for_review", undo_contract_submit)
    writeback_leave.register_all()
    writeback_expense.register_all()
    writeback_accounts.register_all()
    writeback_ticket.register_all()
    writeback_settlement.register_all()
