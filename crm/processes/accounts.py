"""Registered functions of the account processes (see crm/processes/__init__.py): 试用账号开通
(bpmn/trial_account.bpmn) and VIP 客户录入 (bpmn/vip_customer.bpmn). Each wraps crm/accounts.py and
runs in the calling step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import ValidationFailed
from crm import accounts
from crm.processes.call import Call
from db.base import utcnow

MAX_REASON = 2000


def account_register_trial(call: Call, account: Any) -> dict[str, Any]:
    """Create the trial user of a registration, inactive (no password anyone knows); refuses a taken user name."""
    user = accounts.register_trial_user(call.session, account)
    return {"user_id": user.id, "username": user.username, "active": user.active}


def account_activate(call: Call, user_id: Any) -> dict[str, Any]:
    """Activate the trial user: they can sign in once an admin has set their password."""
    user = accounts.set_active(call.session, user_id, True)
    return {"user_id": user.id, "username": user.username, "active": user.active}


def account_record_rejection(call: Call, user_id: Any, reason: Any) -> dict[str, Any]:
    """The trial user stays inactive; the reason is kept in the result (process data and audit trail)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("a rejection needs a reason", {"reason": "required"})
    user = accounts.set_active(call.session, user_id, False)
    return {"user_id": user.id, "username": user.username, "active": user.active,
            "reason": reason.strip()[:MAX_REASON]}


def customer_enter_vip(call: Call, customer: Any) -> dict[str, Any]:
    """Create the initiator's new customer, not VIP yet; returns its id and whether the initiator is a supervisor."""
    row = accounts.create_pending_vip_customer(call.session, call.initiator_id, customer)
    return {"customer_id": row.id, "code": row.code, "name": row.name, "vip": row.vip,
            "initiator_is_supervisor": accounts.has_subordinates(call.session, call.initiator_id)}


def customer_set_vip(call: Call, customer_id: Any, vip: Any) -> dict[str, Any]:
    """Set a customer's VIP flag."""
    record = accounts.set_vip(call.session, customer_id, vip)
    return {"customer_id": record["id"], "vip": record["vip"]}


def account_check_extension(call: Call, username: Any, expires_on: Any) -> dict[str, Any]:
    """试用延期 asked: a trial account, a new last day after today and after the current one."""
    return accounts.check_extension(call.session, username, expires_on, utcnow().date())


def account_extend_trial(call: Call, username: Any, expires_on: Any) -> dict[str, Any]:
    """The extension approved: the new last day (an account the expiry deactivated is active again)."""
    user = accounts.extend_trial(call.session, username, expires_on, utcnow().date())
    return {"user_id": user.id, "username": user.username, "active": user.active,
            "expires_on": user.trial_expires_on.isoformat() if user.trial_expires_on else None}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.account.check_extension": account_check_extension,
    "crm.account.extend_trial": account_extend_trial,
    "crm.account.register_trial": account_register_trial,
    "crm.account.activate": account_activate,
    "crm.account.record_rejection": account_record_rejection,
    "crm.customer.enter_vip": customer_enter_vip,
    "crm.customer.set_vip": customer_set_vip,
}
UNDOS: dict[str, Callable[..., Any]] = {}
