"""crm/expenses.py: creating a claim from lines (total computed, lines validated with per-line paths,
customers limited to the claimant's reach), status transitions, recording the payment."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, NotFound, ValidationFailed
from crm import expenses
from crm.records import Customer, ExpenseClaim, ExpenseLine
from db.base import utcnow


def line(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"date": "2026-11-02", "category": "transport", "amount": "35.50"}
    out.update(kw)
    return out


def customer(org, owner: str, name: str = "客户") -> int:
    with org.db.uow(write=True) as s:
        c = Customer(code=f"C-{owner}-{name}", name=name, owner_id=org[owner], created_by_id=org[owner],
                     created_at=utcnow())
        s.add(c)
        s.flush()
        return c.id


def create(org, lines: Any, user: str = "clerk", reason: Any = "出差") -> dict[str, Any]:
    with org.db.uow(write=True) as s:
        c = expenses.create_claim(s, org[user], lines, reason, instance_id=7)
        return {"id": c.id, "status": c.status, "total": c.total, "claimant_id": c.claimant_id, "title": c.title,
                "instance_id": c.instance_id, "lines": [(ln.category, ln.amount, ln.customer_id) for ln in c.lines]}


def refused(org, lines: Any, user: str = "clerk", reason: Any = "出差") -> dict[str, str]:
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        expenses.create_claim(s, org[user], lines, reason)
    with org.db.uow() as s:
        assert s.scalar(select(func.count()).select_from(ExpenseClaim)) == 0
        assert s.scalar(select(func.count()).select_from(ExpenseLine)) == 0
    return e.value.fields


def test_a_claim_is_submitted_with_its_lines_and_the_total_computed(org):
    c = create(org, [line(), line(amount=100, category="meals"), line(amount=0.1, category="other")])
    assert (c["status"], c["total"], c["claimant_id"], c["title"], c["instance_id"]) == \
        ("submitted", Decimal("135.60"), org["clerk"], "出差", 7)
    assert c["lines"] == [("transport", Decimal("35.50"), None), ("meals", Decimal("100.00"), None),
                          ("other", Decimal("0.10"), None)]


@pytest.mark.parametrize(("lines", "fields"), [
    ([], {"lines": "at least one line"}),
    (None, {"lines": "at least one line"}),
    ("x", {"lines": "at least one line"}),
    ([line(), line(amount=-1)], {"lines.1.amount": "must be at least 0.01"}),
    ([line(amount="0")], {"lines.0.amount": "must be at least 0.01"}),
    ([line(amount="1.005")], {"lines.0.amount": "at most 2 decimals"}),
    ([line(amount="abc")], {"lines.0.amount": "must be a number"}),
    ([line(amount=True)], {"lines.0.amount": "must be a number"}),
    ([line(amount="NaN")], {"lines.0.amount": "must be a number"}),
    ([line(amount=None)], {"lines.0.amount": "is required"}),
    ([line(date=None)], {"lines.0.date": "is required"}),
    ([line(date="2026-02-30")], {"lines.0.date": "must be a date (YYYY-MM-DD)"}),
    ([line(date="2026-2-3")], {"lines.0.date": "must be a date (YYYY-MM-DD)"}),
    ([line(category="spa")], {"lines.0.category": "one of " + ", ".join(expenses.CATEGORIES)}),
    ([line(category=None)], {"lines.0.category": "is required"}),
    ([line(note="x" * 501)], {"lines.0.note": "must be at most 500 characters"}),
    ([line(extra=1)], {"lines.0.extra": "not a field of an expense line"}),
    (["x"], {"lines.0": "must be an object"}),
    ([line(customer=999999)], {"lines.0.customer": "no such customer (or not one of yours)"}),
    ([line(customer="1")], {"lines.0.customer": "must be a customer id"}),
])
def test_bad_lines_are_refused_by_path_and_nothing_is_stored(org, lines, fields):
    assert refused(org, lines) == fields


def test_too_many_lines_and_a_long_reason(org):
    assert refused(org, [line()] * 201) == {"lines": "at most 200 lines"}
    assert refused(org, [line()], reason="x" * 201) == {"reason": "must be at most 200 characters"}
    assert refused(org, [line()], reason=5) == {"reason": "must be text"}


def test_a_line_names_a_customer_the_claimant_may_see(org):
    own = customer(org, "clerk", "自己的")
    subordinate = customer(org, "clerk", "下属的")
    other = customer(org, "legal_head", "别人的")
    assert create(org, [line(customer=own)])["lines"][0][2] == own
    # a supervisor sees their subordinates' customers; the clerk does not see legal's
    assert create(org, [line(customer=subordinate)], user="sales_head")["lines"][0][2] == subordinate
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        expenses.create_claim(s, org["clerk"], [line(), line(customer=other)])
    assert e.value.fields == {"lines.1.customer": "no such customer (or not one of yours)"}
    assert create(org, [line(customer=other)], user="admin")["lines"][0][2] == other


def test_an_unknown_claimant_is_not_found(org):
    with pytest.raises(NotFound), org.db.uow(write=True) as s:
        expenses.create_claim(s, 999999, [line()])


def test_status_transitions(org):
    cid = create(org, [line()])["id"]
    with org.db.uow(write=True) as s:
        with pytest.raises(Conflict):
            expenses.set_status(s, cid, "paid")
        with pytest.raises(ValidationFailed):
            expenses.set_status(s, cid, "lost")
        assert expenses.set_status(s, cid, "approved").status == "approved"
        assert expenses.set_status(s, cid, "approved").status == "approved", "idempotent"
        with pytest.raises(Conflict):
            expenses.set_status(s, cid, "submitted")
    with org.db.uow(write=True) as s:
        assert expenses.set_status(s, cid, "rejected").status == "rejected"
        with pytest.raises(Conflict):
            expenses.set_status(s, cid, "approved")
    with pytest.raises(NotFound), org.db.uow(write=True) as s:
        expenses.set_status(s, 999999, "approved")


def test_recording_the_payment(org):
    cid = create(org, [line()])["id"]
    with org.db.uow(write=True) as s:
        with pytest.raises(Conflict):
            expenses.record_payment(s, cid, "2026-11-20", "REF-1")  # not approved yet
        expenses.set_status(s, cid, "approved")
        with pytest.raises(ValidationFailed) as e:
            expenses.record_payment(s, cid, None, "  ")
        assert e.value.fields == {"paid_at": "is required", "payment_ref": "is required"}
        with pytest.raises(ValidationFailed) as e:
            expenses.record_payment(s, cid, "2026-13-01", "x" * 101)
        assert set(e.value.fields) == {"paid_at", "payment_ref"}
        s.get(ExpenseClaim, cid).remark = "客户招待"  # type: ignore[union-attr]
        c = expenses.record_payment(s, cid, "2026-11-20", " REF-1 ")
        assert (c.status, c.remark) == ("paid", "客户招待\n已付款 paid 2026-11-20 ref REF-1")
        with pytest.raises(Conflict):
            expenses.record_payment(s, cid, "2026-11-21", "REF-2")
