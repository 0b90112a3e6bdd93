"""Expense claims (费用报销) as the expense-reimbursement process changes them.

Use cases over a caller's Session (the engine's step transaction): nothing here commits, a
refusal raises `ValidationFailed` / `NotFound` / `Conflict` and the caller rolls back.

The claim's status follows the process instance:

    submitted --(last approval)--> approved --(finance records the payment)--> paid
        \\--(any rejection)--> rejected
        \\--(the claimant withdraws the instance before anyone acted)--> withdrawn

Payment: the model has no payment columns (crm/records.py is shared), so `record_payment`
marks the claim `paid` and appends one line to its `remark`:
`已付款 paid <YYYY-MM-DD> ref <payment_ref>`; the structured values stay in the process data.

Customers on lines: the claimant must be allowed to *see* the customer (the CRM data
permissions of crm/records_service.py: its owner is the claimant or someone below them in the
supervisor tree; admins see all). An unknown or invisible customer is refused the same way.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from crm import records_service
from crm.models import User
from crm.records import Customer, ExpenseClaim, ExpenseLine
from crm.values import parse_decimal
from db.base import utcnow

# value -> label; the form (forms/schemas/expense_reimbursement.json) offers the same values
CATEGORIES: dict[str, str] = {
    "travel": "差旅 Travel",
    "transport": "交通 Transport",
    "meals": "餐饮 Meals",
    "office": "办公 Office supplies",
    "entertainment": "招待 Client entertainment",
    "communication": "通讯 Communication",
    "other": "其他 Other",
}
MAX_LINES = 200
MAX_AMOUNT = Decimal("999999999999.99")
MAX_NOTE = 500
MAX_TITLE = 200
MAX_REF = 100
CENT = Decimal("0.01")

# status -> the statuses a process may move it to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "rejected"),
    "approved": ("paid", "rejected"),
    "rejected": (),
    "paid": (),
    "withdrawn": (),  # only through withdraw(): the instance was withdrawn
}
WITHDRAWN = "withdrawn"


def _amount(value: Any) -> Decimal | str:
    """The amount as a Decimal, or why it is not one."""
    return parse_decimal(value, CENT, CENT, MAX_AMOUNT)


def _date(value: Any) -> date | str:
    if not isinstance(value, str):
        return "is required" if value is None else "must be a date (YYYY-MM-DD)"
    try:
        return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else "must be a date (YYYY-MM-DD)"
    except ValueError:
        return "must be a date (YYYY-MM-DD)"


def _visible_customer(s: Session, claimant: User, customer_id: Any) -> Customer | str:
    if isinstance(customer_id, bool) or not isinstance(customer_id, int) or not 0 < customer_id <= 2**63 - 1:
        return "must be a customer id"
    customer = s.get(Customer, customer_id)
    ids = records_service.reach(s, claimant)
    if customer is None or (ids is not None and customer.owner_id not in ids):
        return "no such customer (or not one of yours)"
    return customer


def _lines(s: Session, claimant: User, lines: Any) -> list[ExpenseLine]:
    """The ExpenseLine rows for the submitted lines; ValidationFailed naming `lines.<i>.<field>`."""
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed("an expense claim needs at least one line", {"lines": "at least one line"})
    if len(lines) > MAX_LINES:
        raise ValidationFailed("too many expense lines", {"lines": f"at most {MAX_LINES} lines"})
    fields: dict[str, str] = {}
    out: list[ExpenseLine] = []
    for i, item in enumerate(lines):
        if not isinstance(item, dict):
            fields[f"lines.{i}"] = "must be an object"
            continue
        for k in item:
            if k not in ("date", "category", "amount", "customer", "note"):
                fields[f"lines.{i}.{k}"] = "not a field of an expense line"
        day = _date(item.get("date"))
        amount = _amount(item.get("amount")) if item.get("amount") is not None else "is required"
        category = item.get("category")
        if category not in CATEGORIES:
            fields[f"lines.{i}.category"] = "is required" if category in (None, "") else \
                f"one of {', '.join(CATEGORIES)}"
        customer_id = item.get("customer")
        customer = None if customer_id in (None, "") else _visible_customer(s, claimant, customer_id)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            fields[f"lines.{i}.note"] = "must be text"
        elif note is not None and len(note.strip()) > MAX_NOTE:
            fields[f"lines.{i}.note"] = f"must be at most {MAX_NOTE} characters"
        for name, value in (("date", day), ("amount", amount), ("customer", customer)):
            if isinstance(value, str):
                fields[f"lines.{i}.{name}"] = value
        if isinstance(day, date) and isinstance(amount, Decimal) and not isinstance(customer, str):
            out.append(ExpenseLine(date=day, category=category, amount=amount,
                                   customer_id=customer.id if customer is not None else None,
                                   note=(note.strip() or None) if isinstance(note, str) else None))
    if fields:
        raise ValidationFailed("invalid expense lines: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields)
    return out


def create_claim(s: Session, claimant_id: int, lines: Any, reason: Any = None,
                 instance_id: int | None = None) -> ExpenseClaim:
    """A submitted claim for `claimant_id` with its lines; the total is computed here."""
    claimant = s.get(User, claimant_id)
    if claimant is None or not claimant.active:
        raise NotFound(f"user {claimant_id} not found")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed("the reason must be text", {"reason": "must be text"})
    title = (reason or "").strip() or None
    if title is not None and len(title) > MAX_TITLE:
        raise ValidationFailed("the reason is too long", {"reason": f"must be at most {MAX_TITLE} characters"})
    rows = _lines(s, claimant, lines)
    claim = ExpenseClaim(claimant_id=claimant.id, title=title, status="submitted",
                         total=sum((r.amount for r in rows), Decimal("0.00")), instance_id=instance_id,
                         created_by_id=claimant.id, created_at=utcnow())
    claim.lines = rows
    s.add(claim)
    s.flush()
    return claim


def _claim(s: Session, claim_id: Any) -> ExpenseClaim:
    claim = s.get(ExpenseClaim, claim_id) if isinstance(claim_id, int) and not isinstance(claim_id, bool) \
        and 0 < claim_id <= 2**63 - 1 else None
    if claim is None:
        raise NotFound(f"expense claim {claim_id!r} not found")
    return claim


def set_status(s: Session, claim_id: Any, status: Any) -> ExpenseClaim:
    """Move a claim along TRANSITIONS (setting the current status again is a no-op)."""
    claim = _claim(s, claim_id)
    if status not in TRANSITIONS:
        raise ValidationFailed(f"unknown claim status {status!r}", {"status": ", ".join(TRANSITIONS)})
    if status != claim.status:
        if status not in TRANSITIONS[claim.status]:
            raise Conflict(f"expense claim {claim.id} is {claim.status}; it cannot become {status}",
                           {"status": f"not allowed from {claim.status}"})
        claim.status = status
        s.flush()
    return claim


def record_payment(s: Session, claim_id: Any, paid_at: Any, payment_ref: Any) -> ExpenseClaim:
    """An approved claim is paid: status `paid`, the payment noted in `remark`."""
    fields: dict[str, str] = {}
    day = _date(paid_at)
    if isinstance(day, str):
        fields["paid_at"] = day
    ref = payment_ref.strip() if isinstance(payment_ref, str) else ""
    if not ref:
        fields["payment_ref"] = "is required"
    elif len(ref) > MAX_REF:
        fields["payment_ref"] = f"must be at most {MAX_REF} characters"
    if fields:
        raise ValidationFailed("record the payment: " + "; ".join(f"{k} {v}" for k, v in fields.items()), fields)
    claim = _claim(s, claim_id)
    if claim.status != "approved":
        raise Conflict(f"expense claim {claim.id} is {claim.status}; only an approved claim is paid",
                       {"claim_id": f"is {claim.status}"})
    claim.status = "paid"
    line = f"已付款 paid {day} ref {ref}"
    claim.remark = f"{claim.remark}\n{line}" if claim.remark else line
    s.flush()
    return claim


def withdraw(s: Session, claim_id: Any) -> ExpenseClaim:
    """The claimant withdrew the instance before anyone acted: a submitted claim becomes
    `withdrawn` (final; a new claim starts a new instance). Any other status is a Conflict."""
    claim = _claim(s, claim_id)
    if claim.status != "submitted":
        raise Conflict(f"expense claim {claim.id} is {claim.status}; only a submitted claim can be withdrawn",
                       {"claim_id": f"is {claim.status}"})
    claim.status = WITHDRAWN
    s.flush()
    return claim
