"""Expense claims (费用报销) as the expense-reimbursement process changes them.

Use cases over a caller's Session (the engine's step transaction): nothing here commits, a
refusal raises `ValidationFailed` / `NotFound` / `Conflict` and the caller rolls back.

The claim's status follows the process instance:

    submitted --(last approval)--> approved --(finance records the payment)--> paid
        \\--(any rejection)--> rejected
        \\--(the claimant withdraws the instance before anyone acted)--> withdrawn

Payment: the model has no payment columns (crm/records/models.py is shared), so `record_payment`
marks the claim `paid` and appends one line to its `remark`:
`已付款 paid <YYYY-MM-DD> ref <payment_ref>`; the structured values stay in the process data.

The lines are checked by the one expense-line validator, crm/records/expense_lines.py, the same
that checks `POST /expense-claims` (customers on lines: those the claimant may see).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from core.ids import is_id
from crm.models import User
from crm.records.expense_lines import CATEGORIES, MAX_LINES, parse_date, parse_lines, total
from crm.records.models import WITHDRAWN, ExpenseClaim
from db.base import utcnow

__all__ = ["CATEGORIES", "MAX_LINES", "create_claim", "record_payment", "set_status", "withdraw"]

MAX_TITLE = 200
MAX_REF = 100

# status -> the statuses a process may move it to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "rejected"),
    "approved": ("paid", "rejected"),
    "rejected": (),
    "paid": (),
    "withdrawn": (),  # only through withdraw(): the instance was withdrawn
}


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
    rows, fields = parse_lines(s, claimant, lines)
    if fields:
        raise ValidationFailed("invalid expense lines: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields)
    claim = ExpenseClaim(claimant_id=claimant.id, title=title, status="submitted", total=total(rows),
                         instance_id=instance_id, created_by_id=claimant.id, created_at=utcnow())
    claim.lines = rows
    s.add(claim)
    s.flush()
    return claim


def _claim(s: Session, claim_id: Any) -> ExpenseClaim:
    claim = s.get(ExpenseClaim, claim_id) if is_id(claim_id) else None
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
    day = parse_date(paid_at)
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
