"""Service tickets (客户投诉/服务工单) as the service-ticket process changes them.

Use cases over a caller's Session (the engine's step transaction): nothing here commits, a
refusal raises `ValidationFailed` / `NotFound` / `Conflict` and the caller rolls back. Every
write goes through `records.process_update`, so a process step is validated exactly like
the API (lengths, the 1-5 satisfaction range, users, customers).

The ticket's status follows the process (bpmn/service_ticket.bpmn):

    open --(the service manager classifies and hands over)--> assigned
    assigned / handling --(the technician records the handling)--> callback
    callback --(callback visit: satisfaction >= SATISFIED_AT)--> closed
    callback --(callback visit: satisfaction <  SATISFIED_AT)--> handling (back to the technician)

    open --(the receptionist withdraws the instance before anyone acted)--> withdrawn

A closed or withdrawn ticket is never changed by a process again. Field errors name the process's field
(`technician`, not the record's `handler`), so the caller hears `data.technician`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from crm import records
from crm.models import User
from crm.records import WITHDRAWN, Customer, ServiceTicket
from db.base import utcnow

TECHNICIAN_ROLE = "technician"
# 客户满意度 1..5; 3 (一般) and above counts as satisfied and closes the ticket
SATISFIED_AT = 3
SATISFACTION_RANGE = (1, 5)


def _ticket(s: Session, ticket_id: Any) -> ServiceTicket:
    row = s.get(ServiceTicket, ticket_id) if isinstance(ticket_id, int) and not isinstance(ticket_id, bool) \
        and ticket_id > 0 else None
    if row is None:
        raise NotFound(f"service ticket {ticket_id!r} not found")
    if row.status in ("closed", WITHDRAWN):
        raise Conflict(f"service ticket {row.id} is {row.status}")
    return row


def _update(s: Session, ticket_id: int, changes: dict[str, Any], names: dict[str, str] | None = None
            ) -> dict[str, Any]:
    """process_update with the record's field names in errors translated to the process's."""
    try:
        return records.process_update(s, "ticket", ticket_id, changes)
    except ValidationFailed as e:
        names = names or {}
        raise ValidationFailed(e.message, {names.get(k, k): v for k, v in e.fields.items()}) from e


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _summary(ticket: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "category", "handler", "satisfaction")
    return {"ticket_id": ticket["id"], **{k: ticket[k] for k in keys}}


def create(s: Session, initiator_id: int, instance_id: int | None, complainant: Any, contact_info: Any,
           content: Any, category: Any = None, expected_at: Any = None, customer: Any = None) -> dict[str, Any]:
    """Record a complaint / service call (status open), created by the initiator (信息添加人).

    The customer, when given, must be one the initiator may see (CRM data permissions)."""
    if customer is not None:
        user = s.get(User, initiator_id)
        ids = records.reach(s, user) if user is not None else set()
        row = s.get(Customer, customer) if isinstance(customer, int) and not isinstance(customer, bool) else None
        if row is None or (ids is not None and row.owner_id not in ids):
            raise ValidationFailed(f"no customer {customer!r}", {"customer": f"no customer with id {customer}"})
    # placeholders first, then the one validated write path of processes
    ticket = ServiceTicket(complainant="", content="", status="open", instance_id=instance_id,
                           created_by_id=initiator_id, created_at=utcnow())
    s.add(ticket)
    s.flush()
    out = _update(s, ticket.id, {"complainant": complainant, "contact_info": contact_info, "content": content,
                                 "category": category, "expected_at": expected_at, "customer": customer,
                                 "status": "open"})
    return _summary(out)


def assign(s: Session, ticket_id: Any, category: Any, verification: Any, technician: Any) -> dict[str, Any]:
    """分类移交: the category, the verification (核实结果) and the technician (an active user with
    the technician role) who will handle it; status assigned."""
    _ticket(s, ticket_id)
    fields: dict[str, str] = {}
    if _text(category) is None:
        fields["category"] = "is required"
    tech = None
    if not isinstance(technician, str) or not technician.strip():
        fields["technician"] = "is required"
    else:
        tech = s.scalar(select(User).where(User.username == technician.strip()))
        if tech is None:
            fields["technician"] = f"no user '{technician}'"
        elif not tech.active:
            fields["technician"] = f"user '{technician}' is deactivated"
        elif TECHNICIAN_ROLE not in tech.role_keys:
            fields["technician"] = f"user '{technician}' is not a technician"
    if fields:
        raise ValidationFailed("the ticket cannot be handed over: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                               fields)
    assert tech is not None
    out = _update(s, ticket_id, {"category": category, "verification": verification, "handler": tech.username,
                                 "status": "assigned"}, {"handler": "technician"})
    return _summary(out)


def record_handling(s: Session, ticket_id: Any, handling_method: Any, result: Any) -> dict[str, Any]:
    """投诉处理: how it was handled and the result (both required); status callback."""
    ticket = _ticket(s, ticket_id)
    if ticket.status not in ("assigned", "handling", "callback"):
        raise Conflict(f"service ticket {ticket.id} is {ticket.status}, not being handled")
    fields = {k: "is required" for k, v in (("handling_method", handling_method), ("result", result))
              if _text(v) is None}
    if fields:
        raise ValidationFailed("record how the ticket was handled: " + ", ".join(fields) + " required", fields)
    return _summary(_update(s, ticket_id, {"handling_method": handling_method, "result": result,
                                           "status": "callback"}))


def record_callback(s: Session, ticket_id: Any, satisfaction: Any, customer_opinion: Any = None) -> dict[str, Any]:
    """回访: the customer's satisfaction (1-5) and opinion. Satisfied (>= SATISFIED_AT): closed;
    otherwise handling again, and the opinion (why) is required."""
    ticket = _ticket(s, ticket_id)
    if ticket.status != "callback":
        raise Conflict(f"service ticket {ticket.id} is {ticket.status}, not waiting for a callback")
    low, high = SATISFACTION_RANGE
    if satisfaction is None:
        raise ValidationFailed("record the customer's satisfaction", {"satisfaction": "is required"})
    if not isinstance(satisfaction, int) or isinstance(satisfaction, bool) or not low <= satisfaction <= high:
        raise ValidationFailed("satisfaction is 1 to 5", {"satisfaction": f"a whole number from {low} to {high}"})
    satisfied = satisfaction >= SATISFIED_AT
    if not satisfied and _text(customer_opinion) is None:
        raise ValidationFailed("a dissatisfied customer's opinion is required",
                               {"customer_opinion": "is required when the customer is not satisfied"})
    out = _update(s, ticket_id, {"satisfaction": satisfaction, "customer_opinion": customer_opinion,
                                 "status": "closed" if satisfied else "handling"})
    return {**_summary(out), "satisfied": satisfied}


def withdraw(s: Session, ticket_id: Any) -> dict[str, Any]:
    """The receptionist withdrew the instance before the service manager acted: open -> withdrawn."""
    ticket = _ticket(s, ticket_id)
    if ticket.status != "open":
        raise Conflict(f"service ticket {ticket.id} is {ticket.status}; only an open ticket can be withdrawn",
                       {"ticket_id": f"is {ticket.status}"})
    return _summary(_update(s, ticket.id, {"status": WITHDRAWN}))
