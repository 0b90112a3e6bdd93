"""What the sales-opportunity process (bpmn/sales_opportunity.bpmn) does to an opportunity: take it
into the process, assign it to a salesperson, and end it won or lost. Each function takes the process
step's session (a refusal rolls the whole step back) and raises core/errors.py domain errors naming
the field.

Won (开发成功, requirements 002 §3.1.2.3): the customer is the one the opportunity names, else a new
customer owned by the opportunity's salesperson is created from its 客户名称 / 联系人 / 联系人电话;
a contract draft (status draft, the opportunity's amount, owned by the salesperson) is created for
it, so the countersign can start from the customer page.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, ValidationFailed
from crm import accounts, numbering, org, records
from crm.models import User
from crm.records import Contact, Contract, Customer, Opportunity
from crm.records.opportunities import ASSIGNED, UNASSIGNED, opportunity_scope
from db.base import utcnow

MAX_REASON = 2000


def load(s: Session, opportunity_id: Any) -> Opportunity:
    row = s.get(Opportunity, opportunity_id) if isinstance(opportunity_id, int) \
        and not isinstance(opportunity_id, bool) else None
    if row is None:
        raise ValidationFailed(f"no opportunity {opportunity_id!r}", {"opportunity_id": "no such opportunity"})
    return row


def take_in(s: Session, initiator_id: int, opportunity_id: Any, instance_id: int) -> Opportunity:
    """An unassigned opportunity the initiator may see enters the process (its `instance_id`)."""
    row = load(s, opportunity_id)
    user = s.get(User, initiator_id)
    cond = opportunity_scope(records.reach(s, user)) if user is not None else None
    if cond is not None and s.scalar(select(Opportunity.id).where(Opportunity.id == row.id, cond)) is None:
        raise ValidationFailed(f"no opportunity {opportunity_id!r}", {"opportunity_id": "no such opportunity"})
    if row.status != UNASSIGNED:
        raise ValidationFailed(f"opportunity {row.number} is {row.status}",
                               {"opportunity_id": f"is {row.status}, only an unassigned one is assigned"})
    if row.instance_id is not None and row.instance_id != instance_id:
        if records.process_running(s, row.instance_id):
            raise ValidationFailed(f"opportunity {row.number} is already being assigned",
                                   {"opportunity_id": "already in an assignment process"})
    row.instance_id = instance_id
    s.flush()
    return row


def assign(s: Session, opportunity_id: Any, owner: Any) -> Opportunity:
    """已指派: the salesperson (an active user, by user name) and the time of assignment."""
    row = load(s, opportunity_id)
    if row.status != UNASSIGNED:
        raise Conflict(f"opportunity {row.number} is {row.status}", {"opportunity_id": f"is {row.status}"})
    user = org.user_by_username(s, owner.strip()) if isinstance(owner, str) and owner.strip() else None
    if user is None or not user.active:
        raise ValidationFailed(f"no active user {owner!r}", {"assignee": "choose an active salesperson"})
    row.owner_id, row.status, row.assigned_at = user.id, ASSIGNED, utcnow()
    s.flush()
    return row


def _customer_for(s: Session, row: Opportunity, owner_id: int) -> tuple[Customer, bool]:
    """The opportunity's customer, or a new one made from its details (created: True)."""
    if row.customer_id is not None:
        customer = s.get(Customer, row.customer_id)
        if customer is not None:
            return customer, False
    fields: dict[str, Any] = {"name": row.customer_name}
    if row.source:
        fields["source"] = row.source[:100]
    customer = accounts.create_pending_vip_customer(s, owner_id, fields)  # a normal (not VIP) customer
    if row.contact_name:
        s.add(Contact(customer_id=customer.id, name=row.contact_name, phone=row.contact_phone,
                      created_by_id=owner_id, created_at=utcnow()))
    return customer, True


def _contract_draft(s: Session, row: Opportunity, customer: Customer, owner_id: int) -> Contract:
    while True:
        number = numbering.issue(s, "contract")
        if s.scalar(select(Contract.id).where(Contract.number == number)) is None:
            break
    contract = Contract(number=number, customer_id=customer.id, title=row.summary[:200], amount=row.amount,
                        status="draft", owner_id=owner_id, remark=f"销售机会 {row.number}",
                        created_by_id=owner_id, created_at=utcnow())
    s.add(contract)
    s.flush()
    return contract


def mark_won(s: Session, opportunity_id: Any) -> dict[str, Any]:
    """开发成功: status won, the customer created or linked, a contract draft made for it."""
    row = load(s, opportunity_id)
    if row.status != ASSIGNED or row.owner_id is None:
        raise Conflict(f"opportunity {row.number} is {row.status}", {"opportunity_id": f"is {row.status}"})
    customer, created = _customer_for(s, row, row.owner_id)
    contract = _contract_draft(s, row, customer, row.owner_id)
    row.status, row.customer_id, row.contract_id = "won", customer.id, contract.id
    s.flush()
    return {"opportunity_id": row.id, "status": row.status, "customer_id": customer.id,
            "customer_created": created, "contract_id": contract.id, "contract_number": contract.number}


def mark_lost(s: Session, opportunity_id: Any, reason: Any) -> dict[str, Any]:
    """开发失败: status lost, with the reason (required)."""
    row = load(s, opportunity_id)
    if row.status != ASSIGNED:
        raise Conflict(f"opportunity {row.number} is {row.status}", {"opportunity_id": f"is {row.status}"})
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("a lost opportunity needs a reason", {"reason": "required"})
    row.status, row.outcome_reason = "lost", reason.strip()[:MAX_REASON]
    s.flush()
    return {"opportunity_id": row.id, "status": row.status, "reason": row.outcome_reason}


def release(s: Session, opportunity_id: Any, instance_id: int) -> None:
    """The process was withdrawn before anyone acted: the opportunity is no longer in it."""
    row = s.get(Opportunity, opportunity_id) if isinstance(opportunity_id, int) else None
    if row is not None and row.instance_id == instance_id and row.status == UNASSIGNED:
        row.instance_id = None
        s.flush()
