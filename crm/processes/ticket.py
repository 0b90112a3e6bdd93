"""Registered functions of the service-ticket process (客户投诉/服务工单, bpmn/service_ticket.bpmn;
see crm/processes/__init__.py). Each wraps crm/tickets.py and runs in the calling step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import tickets
from crm.processes.call import Call


def ticket_create(call: Call, complainant: Any, contact_info: Any, content: Any, category: Any = None,
                  expected_at: Any = None, customer: Any = None) -> dict[str, Any]:
    """Create the service ticket (status open) from the complaint; returns ticket_id."""
    return tickets.create(call.session, call.initiator_id, call.instance_id, complainant, contact_info, content,
                          category, expected_at, customer)


def ticket_assign(call: Call, ticket_id: Any, category: Any, verification: Any, technician: Any) -> dict[str, Any]:
    """Classify and hand over: category, verification, technician (a user with the technician role); assigned."""
    return tickets.assign(call.session, ticket_id, category, verification, technician)


def ticket_record_handling(call: Call, ticket_id: Any, handling_method: Any, result: Any) -> dict[str, Any]:
    """The technician's handling method and result (both required); status callback."""
    return tickets.record_handling(call.session, ticket_id, handling_method, result)


def ticket_record_callback(call: Call, ticket_id: Any, satisfaction: Any, customer_opinion: Any = None
                           ) -> dict[str, Any]:
    """Callback visit: satisfaction 1-5 and opinion; >= 3 closes, below reopens handling (returns satisfied)."""
    return tickets.record_callback(call.session, ticket_id, satisfaction, customer_opinion)


def undo_ticket_create(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """The ticket the instance created (still open) becomes withdrawn."""
    ticket_id = result.get("ticket_id") if isinstance(result, dict) else None
    return tickets.withdraw(call.session, ticket_id)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.ticket.create": ticket_create,
    "crm.ticket.assign": ticket_assign,
    "crm.ticket.record_handling": ticket_record_handling,
    "crm.ticket.record_callback": ticket_record_callback,
}
UNDOS: dict[str, Callable[..., Any]] = {
    "crm.ticket.create": undo_ticket_create,
}
