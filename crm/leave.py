"""Leave (请假) services: the days a request covers, balance look-up, deduction under a row lock.

Days are counted on the server, never taken from the client: **calendar days in half-day steps**
(there is no holiday or working-day calendar). A request runs from `start_date` morning ("am") or
afternoon ("pm") to `end_date` morning or afternoon, both halves included:

    2026-03-02 am .. 2026-03-02 am = 0.5      2026-03-02 am .. 2026-03-02 pm = 1.0
    2026-03-02 pm .. 2026-03-03 am = 1.0      2026-03-02 am .. 2026-03-04 pm = 3.0

Every leave type is drawn from a balance of that type (`LeaveBalance`, set by HR); a user without a
balance row for a type has 0 days of it. Refusals raise `ValidationFailed` naming the offending
argument (`leave_type`, `start_date`, `end_date`, ...), so a process start answers 422 on that field.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Msg, ValidationFailed
from crm.records import LeaveBalance
from db.session import lock_for_update

LEAVE_TYPES: dict[str, str] = {"annual": "年假", "sick": "病假", "personal": "事假", "compensatory": "调休"}
HALVES = ("am", "pm")
MAX_DAYS = Decimal(366)
HALF = Decimal("0.5")


@dataclass(frozen=True)
class LeaveRequest:
    leave_type: str
    start_date: date
    start_half: str
    end_date: date
    end_half: str
    days: Decimal


def _date(value: Any, name: str, fields: dict[str, str]) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            pass
    fields[name] = (Msg("date", "must be a date YYYY-MM-DD") if value not in (None, "")
                   else Msg("required", "is required"))
    return None


def parse_request(leave_type: Any, start_date: Any, start_half: Any, end_date: Any, end_half: Any) -> LeaveRequest:
    """Check the request's fields and count its days; ValidationFailed names every bad field."""
    fields: dict[str, str] = {}
    if leave_type not in LEAVE_TYPES:
        fields["leave_type"] = f"must be one of {', '.join(LEAVE_TYPES)}"
    start = _date(start_date, "start_date", fields)
    end = _date(end_date, "end_date", fields)
    for name, half in (("start_half", start_half), ("end_half", end_half)):
        if half not in HALVES:
            fields[name] = "must be am or pm"
    days = Decimal(0)
    if start is not None and end is not None and "start_half" not in fields and "end_half" not in fields:
        days = count_days(start, start_half, end, end_half)
        if days <= 0:
            fields["end_date"] = Msg("leave_end_before_start", "the end must not be before the start")
        elif days > MAX_DAYS:
            fields["end_date"] = Msg("leave_too_long", f"a request covers at most {MAX_DAYS} days", max=MAX_DAYS)
    if fields:
        raise ValidationFailed("the leave request is invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                               fields)
    assert start is not None and end is not None
    return LeaveRequest(str(leave_type), start, str(start_half), end, str(end_half), days)


def count_days(start: date, start_half: str, end: date, end_half: str) -> Decimal:
    """Calendar days from start (am/pm) to end (am/pm), both included, in half days; <= 0 if the end is earlier."""
    days = Decimal((end - start).days + 1)
    if start_half == "pm":
        days -= HALF
    if end_half == "am":
        days -= HALF
    return days


def balance(s: Session, user_id: int, leave_type: str) -> Decimal:
    """The user's remaining days of this leave type (0 without a balance row)."""
    days = s.scalar(select(LeaveBalance.days).where(LeaveBalance.user_id == user_id,
                                                    LeaveBalance.leave_type == leave_type))
    return Decimal(days) if days is not None else Decimal(0)


def _insufficient(leave_type: str, have: Decimal, need: Decimal) -> ValidationFailed:
    label = LEAVE_TYPES.get(leave_type, leave_type)
    text = f"insufficient balance: {have} day(s) of {leave_type} ({label}) left, {need} requested"
    why = Msg("leave_not_enough", text, left=have, leave_type=leave_type, label=label, requested=need)
    return ValidationFailed(why, {"leave_type": why})


def check_request(s: Session, user_id: int, leave_type: Any, start_date: Any, start_half: Any,
                  end_date: Any, end_half: Any) -> LeaveRequest:
    """A valid request the user's balance covers (ValidationFailed otherwise); nothing is changed."""
    req = parse_request(leave_type, start_date, start_half, end_date, end_half)
    have = balance(s, user_id, req.leave_type)
    if have < req.days:
        raise _insufficient(req.leave_type, have, req.days)
    return req


def deduct(s: Session, user_id: int, leave_type: Any, start_date: Any, start_half: Any,
           end_date: Any, end_half: Any) -> tuple[LeaveRequest, Decimal, Decimal]:
    """Recount the request and take its days off the balance, holding the balance row locked
    (SELECT ... FOR UPDATE; SQLite writers are serialized). Refuses when the balance no longer
    covers it. Returns (request, balance before, balance after)."""
    req = parse_request(leave_type, start_date, start_half, end_date, end_half)
    row = s.scalars(lock_for_update(select(LeaveBalance).where(
        LeaveBalance.user_id == user_id, LeaveBalance.leave_type == req.leave_type), s)).first()
    have = Decimal(row.days) if row is not None else Decimal(0)
    if row is None or have < req.days:
        raise _insufficient(req.leave_type, have, req.days)
    row.days = have - req.days
    s.flush()
    return req, have, row.days


HOURS_PER_DAY = Decimal(8)


def overtime_days(hours: Any) -> Decimal:
    """调休 days earned by overtime: 8 hours a day, rounded down to half days (ValidationFailed
    naming `hours` for anything but 0.5 .. 24)."""
    try:
        h = Decimal(str(hours)) if not isinstance(hours, bool) else None
    except ArithmeticError:
        h = None
    if h is None or not h.is_finite() or h < HALF or h > 24:
        raise ValidationFailed(f"hours must be 0.5 .. 24, got {hours!r}", {"hours": "must be 0.5 .. 24"})
    return (h / HOURS_PER_DAY / HALF).to_integral_value(rounding="ROUND_FLOOR") * HALF


def credit(s: Session, user_id: int, leave_type: str, days: Decimal) -> tuple[Decimal, Decimal]:
    """Add days to the user's balance of `leave_type` (a row is created at 0 when missing), under
    the balance row's lock. Returns (balance before, balance after)."""
    if leave_type not in LEAVE_TYPES:
        raise ValidationFailed(f"unknown leave type {leave_type!r}", {"leave_type": ", ".join(LEAVE_TYPES)})
    row = s.scalars(lock_for_update(select(LeaveBalance).where(
        LeaveBalance.user_id == user_id, LeaveBalance.leave_type == leave_type), s)).first()
    if row is None:
        row = LeaveBalance(user_id=user_id, leave_type=leave_type, days=Decimal(0))
        s.add(row)
    before = Decimal(row.days)
    row.days = before + days
    s.flush()
    return before, Decimal(row.days)
