"""The customer page (客户360) and the list pages' option lists, read as one user may see them.

- `customer_overview`: a customer with what hangs off it — contacts, contracts, contact records,
  service tickets, sales opportunities, expense claims with a line about it, the owner history — each list as the
  API would give it to this user (each kind's own `Kind.visible`: a ticket the user may not see in
  the API is not shown here either), plus the process instances those records point back at;
- `facets`: the people a list may be filtered by (the user's reach) and the regions / provinces
  in use among the customers they see.

A customer out of reach is NotFound (404), exactly like `records.get`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.admin import field_rules
from crm.models import User
from crm.records.catalogue import KINDS
from crm.records.fields import username
from crm.records.models import ContactRecord, Customer, CustomerOwnerHistory, ExpenseClaim, ExpenseLine
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach
from db.base import iso
from db.session import Database

LIMIT = 200  # rows of each kind on the customer page (newest first)
# section -> record kind, for the records holding a `customer_id`
BY_CUSTOMER = (("contacts", "contact"), ("contracts", "contract"), ("contact_records", "contact_record"),
               ("tickets", "ticket"), ("opportunities", "opportunity"))


def _rows(s: Session, actor: User, ids: set[int] | None, kind_key: str, cond: Any, order: Any) -> list[Any]:
    kind = KINDS[kind_key]
    return list(s.scalars(kind.visible(s, actor, ids).where(cond).order_by(*order).limit(LIMIT)))


def customer_overview(db: Database, actor_id: int, customer_id: int) -> dict[str, Any]:
    """The customer and its related records as `actor_id` may see them; NotFound when out of reach."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        ck = KINDS["customer"]
        row = ck.load(s, actor, ids, customer_id)
        lim = field_rules.limits(s, actor)  # fields the user's roles hide are left out, as in the API
        out: dict[str, Any] = {"customer": lim.strip("customer", ck.as_dict(s, row)),
                               "can_write": ck.can_write(s, actor, row)}
        for section, kind_key in BY_CUSTOMER:
            model: Any = KINDS[kind_key].model
            order = (ContactRecord.date.desc(), ContactRecord.id.desc()) if kind_key == "contact_record" \
                else (model.id.desc(),)
            out[section] = [lim.strip(kind_key, KINDS[kind_key].as_dict(s, r))
                            for r in _rows(s, actor, ids, kind_key, model.customer_id == customer_id, order)]
        about = ExpenseClaim.id.in_(select(ExpenseLine.claim_id).where(ExpenseLine.customer_id == customer_id))
        out["expense_claims"] = [lim.strip("expense_claim", KINDS["expense_claim"].as_dict(s, r)) for r in
                                 _rows(s, actor, ids, "expense_claim", about, (ExpenseClaim.id.desc(),))]
        history = s.scalars(select(CustomerOwnerHistory).where(CustomerOwnerHistory.customer_id == customer_id)
                            .order_by(CustomerOwnerHistory.id))
        out["owner_history"] = [{"from": username(s, h.from_user_id), "to": username(s, h.to_user_id),
                                 "by": username(s, h.by_user_id), "reason": h.reason, "at": iso(h.at)}
                                for h in history]
        out["people"] = _names(s, out)
        return out


def _names(s: Session, out: dict[str, Any]) -> dict[str, str]:
    """Display names of every username the overview mentions."""
    names: set[str] = set()
    for value in out.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                names |= {v for k, v in item.items()
                          if k in ("owner", "created_by", "handler", "claimant", "from", "to", "by") and v}
    rows = s.execute(select(User.username, User.display_name).where(User.username.in_(sorted(names))))
    return {u: d for u, d in rows}


def facets(db: Database, actor_id: int) -> dict[str, Any]:
    """What the customer list may be filtered by for this user: the salespeople in their reach
    (everyone active for admins) and the regions / provinces among the customers they see."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        people = select(User.username, User.display_name).where(User.active.is_(True)).order_by(User.id)
        if ids is not None:
            people = people.where(User.id.in_(sorted(ids)))
        visible = KINDS["customer"].scope(s, actor, ids)

        def used(col: Any) -> list[str]:
            stmt = select(col).distinct().where(col.is_not(None))
            if visible is not None:
                stmt = stmt.where(visible)
            return sorted(v for v in s.scalars(stmt) if v)

        return {"owners": [{"username": u, "display_name": d} for u, d in s.execute(people)],
                "regions": used(Customer.region), "provinces": used(Customer.province),
                "team": ids is None or len(ids) > 1}


def names(db: Database, actor_id: int, refs: dict[str, set[int]], usernames: set[str]
          ) -> dict[str, dict[Any, str]]:
    """Labels for a list page: {kind: {id: "Name (code)"}} of the referenced records the actor may
    see (others are left out and shown as "#id"), and {"user": {username: display name}}."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        out: dict[str, dict[Any, str]] = {}
        for kind_key, wanted in refs.items():
            kind = KINDS[kind_key]
            model: Any = kind.model
            valid = sorted(i for i in wanted if isinstance(i, int) and not isinstance(i, bool))
            found: list[Any] = list(s.scalars(kind.visible(s, actor, ids).where(model.id.in_(valid)))) if valid else []
            out[kind_key] = {r.id: _label(r) for r in found}
        people = s.execute(select(User.username, User.display_name).where(User.username.in_(sorted(usernames))))
        out["user"] = {u: d for u, d in people}
        return out


def _label(row: Any) -> str:
    main = getattr(row, "name", None) or getattr(row, "title", None) or getattr(row, "summary", None) or ""
    number = getattr(row, "number", None) or getattr(row, "code", None)
    return f"{main} ({number})" if main and number else str(main or number or f"#{row.id}")
