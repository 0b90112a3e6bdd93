"""Process functions of 销售机会 (bpmn/sales_opportunity.bpmn; see crm/processes/__init__.py): the
opportunity enters the process, is assigned by the supervisor, and is marked won (customer and
contract draft) or lost by its salesperson. Each wraps crm/opportunities.py in the step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import opportunities
from crm.processes.call import Call


def opportunity_submit(call: Call, opportunity_id: Any) -> dict[str, Any]:
    """An unassigned opportunity the initiator may see enters this instance."""
    row = opportunities.take_in(call.session, call.initiator_id, opportunity_id, call.instance_id)
    return {"opportunity_id": row.id, "number": row.number, "customer_name": row.customer_name,
            "summary": row.summary, "amount": str(row.amount) if row.amount is not None else None}


def undo_opportunity_submit(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    opportunities.release(call.session, args.get("opportunity_id"), call.instance_id)
    return {"opportunity_id": args.get("opportunity_id"), "released": True}


def opportunity_assign(call: Call, opportunity_id: Any, owner: Any) -> dict[str, Any]:
    """已指派 to the salesperson chosen by the supervisor."""
    row = opportunities.assign(call.session, opportunity_id, owner)
    return {"opportunity_id": row.id, "status": row.status, "owner": owner}


def opportunity_mark_won(call: Call, opportunity_id: Any) -> dict[str, Any]:
    return opportunities.mark_won(call.session, opportunity_id)


def opportunity_mark_lost(call: Call, opportunity_id: Any, reason: Any) -> dict[str, Any]:
    return opportunities.mark_lost(call.session, opportunity_id, reason)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.opportunity.submit": opportunity_submit,
    "crm.opportunity.assign": opportunity_assign,
    "crm.opportunity.mark_won": opportunity_mark_won,
    "crm.opportunity.mark_lost": opportunity_mark_lost,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.opportunity.submit": undo_opportunity_submit}
