"""Process functions of 客户流失预警 (bpmn/customer_churn.bpmn; see crm/processes/__init__.py): the
warning opens for the customer's salesperson, who snoozes it (暂缓, with a reason) or confirms the
loss (确认流失: status 流失客户). Each wraps crm/churn.py in the step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.config import load_routines
from crm import churn
from crm.processes.call import Call
from db.base import utcnow


def churn_open(call: Call, customer_id: Any) -> dict[str, Any]:
    return churn.open_warning(call.session, customer_id, call.initiator_id, call.instance_id, utcnow())


def undo_churn_open(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    churn.close(call.session, args.get("customer_id"), call.instance_id)
    return {"customer_id": args.get("customer_id"), "closed": True}


def churn_snooze(call: Call, customer_id: Any, reason: Any, until: Any = None) -> dict[str, Any]:
    return churn.snooze(call.session, customer_id, reason, until, utcnow().date(), load_routines().churn_snooze_days)


def churn_confirm(call: Call, customer_id: Any) -> dict[str, Any]:
    return churn.confirm(call.session, customer_id)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.customer.churn_open": churn_open,
    "crm.customer.churn_snooze": churn_snooze,
    "crm.customer.churn_confirm": churn_confirm,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.customer.churn_open": undo_churn_open}
