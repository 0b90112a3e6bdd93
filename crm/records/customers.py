"""Customers' own use cases: giving a customer to another salesperson, and the history of that.

The owner changes only here (a PATCH naming another owner is refused): admins, or a supervisor
of the current owner, to someone within their own reach; the owner asking to reassign gets 403.
Every change of owner is kept in customer_owner_history (its first row at creation).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.errors import Forbidden, ValidationFailed
from crm.admin import field_rules
from crm.records.catalogue import KINDS
from crm.records.fields import Bad, F, parse, username
from crm.records.models import CustomerOwnerHistory
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach
from db.base import iso, utcnow
from db.session import Database

OWNER = F("owner", "user", required=True)
MAX_REASON = 500


def reassign_customer(db: Database, actor_id: int, customer_id: int, payload: Any) -> dict[str, Any]:
    """Give a customer to another salesperson: admins, or a supervisor of the current owner
    (to someone within their own reach). Keeps a history row."""
    kind = KINDS["customer"]
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    unknown = sorted(str(k) for k in payload if k not in ("owner", "reason"))
    if unknown:
        raise ValidationFailed("unknown field(s)", {k: "unknown field; allowed: owner, reason" for k in unknown})
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        customer = kind.load(s, actor, ids, customer_id)
        if ids is not None and customer.owner_id == actor.id:
            raise Forbidden("only an administrator or a supervisor of the salesperson may reassign the customer")
        fields: dict[str, str] = {}
        new_owner = None
        try:
            new_owner = parse(s, OWNER, payload.get("owner"), ids)
        except Bad as e:
            fields["owner"] = str(e)
        reason = payload.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
            fields["reason"] = f"a string of at most {MAX_REASON} characters"
        if new_owner is not None and ids is not None and new_owner not in ids:
            fields["owner"] = "yourself or someone who reports to you"
        if new_owner is not None and new_owner == customer.owner_id:
            fields["owner"] = "already the customer's salesperson"
        if fields:
            raise ValidationFailed("invalid reassignment", fields)
        assert new_owner is not None
        s.add(CustomerOwnerHistory(customer_id=customer.id, from_user_id=customer.owner_id, to_user_id=new_owner,
                                   by_user_id=actor.id, reason=reason or None, at=utcnow()))
        customer.owner_id = new_owner
        customer.updated_at = utcnow()
        s.flush()
        return field_rules.limits(s, actor).strip(kind.key, kind.as_dict(s, customer))


def customer_owner_history(db: Database, actor_id: int, customer_id: int) -> list[dict[str, Any]]:
    with db.uow() as s:
        actor = _actor(s, actor_id)
        KINDS["customer"].load(s, actor, reach(s, actor), customer_id)
        rows = s.scalars(select(CustomerOwnerHistory).where(CustomerOwnerHistory.customer_id == customer_id)
                         .order_by(CustomerOwnerHistory.id))
        return [{"from": username(s, h.from_user_id), "to": username(s, h.to_user_id),
                 "by": username(s, h.by_user_id), "reason": h.reason, "at": iso(h.at)} for h in rows]
