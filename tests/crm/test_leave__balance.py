"""Leave services (crm/leave.py): days in calendar half-days, balance look-up, the request check,
and deduction under a row lock (both databases: concurrent deductions never overdraw)."""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from crm import leave
from crm import records as rs

D = date.fromisoformat
REQ = ("annual", "2026-03-02", "am", "2026-03-03", "pm")  # Monday morning .. Tuesday evening = 2.0


@pytest.mark.parametrize(("start", "start_half", "end", "end_half", "days"), [
    ("2026-03-02", "am", "2026-03-02", "am", "0.5"),
    ("2026-03-02", "pm", "2026-03-02", "pm", "0.5"),
    ("2026-03-02", "am", "2026-03-02", "pm", "1"),
    ("2026-03-02", "pm", "2026-03-03", "am", "1"),
    ("2026-03-02", "am", "2026-03-04", "pm", "3"),
    ("2026-03-06", "am", "2026-03-09", "pm", "4"),  # Friday .. Monday: weekends count (calendar days)
    ("2026-02-28", "pm", "2026-03-01", "am", "1"),  # across a month end
    ("2026-03-02", "pm", "2026-03-02", "am", "0"),  # afternoon .. the same morning: nothing
    ("2026-03-03", "am", "2026-03-02", "pm", "-0"),
])
def test_count_days_in_half_day_steps(start, start_half, end, end_half, days):
    assert leave.count_days(D(start), start_half, D(end), end_half) == Decimal(days)


def test_parse_request_names_every_bad_field():
    with pytest.raises(ValidationFailed) as e:
        leave.parse_request("holiday", "2026-02-30", "noon", "03/04/2026", None)
    assert set(e.value.fields) == {"leave_type", "start_date", "start_half", "end_date", "end_half"}
    with pytest.raises(ValidationFailed) as e:
        leave.parse_request("annual", "2026-03-05", "am", "2026-03-04", "pm")
    assert e.value.fields == {"end_date": "the end must not be before the start"}
    with pytest.raises(ValidationFailed) as e:
        leave.parse_request("annual", "2026-01-01", "am", "2027-01-02", "pm")
    assert "at most" in e.value.fields["end_date"]
    with pytest.raises(ValidationFailed) as e:
        leave.parse_request("sick", None, "am", 20260304, "pm")
    assert e.value.fields == {"start_date": "is required", "end_date": "must be a date YYYY-MM-DD"}
    assert leave.parse_request(*REQ).days == Decimal(2)


def _grant(org, user, leave_type, days):
    rs.create(org.db, org["hr1"], "leave_balance", {"user": user, "leave_type": leave_type, "days": days})


def test_balance_is_zero_without_a_row(org):
    _grant(org, "clerk", "annual", "7.5")
    with org.db.uow() as s:
        assert leave.balance(s, org["clerk"], "annual") == Decimal("7.5")
        assert leave.balance(s, org["clerk"], "sick") == 0
        assert leave.balance(s, org["clerk2"], "annual") == 0


def test_check_request_refuses_what_the_balance_does_not_cover_and_changes_nothing(org):
    _grant(org, "clerk", "annual", "2")
    with org.db.uow(write=True) as s:
        assert leave.check_request(s, org["clerk"], *REQ).days == 2
        with pytest.raises(ValidationFailed) as e:
            leave.check_request(s, org["clerk"], "annual", "2026-03-02", "am", "2026-03-04", "am")
        assert set(e.value.fields) == {"leave_type"}
        assert "2.0 day(s) of annual (年假) left, 2.5 requested" in e.value.fields["leave_type"]
        with pytest.raises(ValidationFailed) as e:
            leave.check_request(s, org["clerk"], "personal", "2026-03-02", "am", "2026-03-02", "am")
        assert "0 day(s) of personal" in e.value.fields["leave_type"]
    with org.db.uow() as s:
        assert leave.balance(s, org["clerk"], "annual") == 2


def test_deduct_takes_the_days_off_and_refuses_an_overdraw(org):
    _grant(org, "clerk", "annual", "3")
    with org.db.uow(write=True) as s:
        req, before, after = leave.deduct(s, org["clerk"], *REQ)
        assert (req.days, before, after) == (2, 3, 1)
    with org.db.uow(write=True) as s:
        with pytest.raises(ValidationFailed) as e:
            leave.deduct(s, org["clerk"], *REQ)
        assert "1.0 day(s) of annual" in e.value.fields["leave_type"]
        with pytest.raises(ValidationFailed):
            leave.deduct(s, org["clerk"], "sick", *REQ[1:])  # no balance row at all
        with pytest.raises(ValidationFailed) as e:
            leave.deduct(s, org["clerk"], "annual", "2026-03-03", "am", "2026-03-02", "am")
        assert "end_date" in e.value.fields
    with org.db.uow() as s:
        assert leave.balance(s, org["clerk"], "annual") == 1


def test_concurrent_deductions_never_overdraw(any_org):
    org = any_org
    _grant(org, "clerk", "annual", "5")
    one_day = ("annual", "2026-03-02", "am", "2026-03-02", "pm")
    ok: list[Decimal] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            with org.db.uow(write=True) as s:
                _, _, after = leave.deduct(s, org["clerk"], *one_day)
            ok.append(after)
        except ValidationFailed as e:
            refused.append(e.fields["leave_type"])
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(ok) == [0, 1, 2, 3, 4], "every successful deduction saw the previous one"
    assert len(refused) == 3 and all("0.0 day(s)" in r for r in refused)
    with org.db.uow() as s:
        assert leave.balance(s, org["clerk"], "annual") == 0
