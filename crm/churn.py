"""客户流失预警 (requirements 002 §3.2.2): customers with no contract for a while, and what the churn
warning process (bpmn/customer_churn.bpmn) does to them. The routine (routines/churn.py) asks for
`candidates` and starts one warning per customer; the process's steps call `open_warning`, `snooze`
and `confirm` (crm/processes/churn.py) in their transaction.

A customer is a candidate on `today` when it is not 流失客户 already, it was entered at least
`months` ago, its newest contract (by entry date) is older than `months` (or it has none), no
warning about it is open, and it is not snoozed (暂缓) past `today`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from crm import records
from crm.records import ChurnWatch, Contract, Customer

LOST = "流失客户"
MAX_REASON = 2000


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    return date(y, m, 28)


def candidates(s: Session, today: date, months: int, limit: int = 500) -> list[Customer]:
    cutoff = datetime.combine(months_before(today, months), time.min, tzinfo=UTC)
    latest = (select(Contract.customer_id, func.max(Contract.created_at).label("at"))
              .group_by(Contract.customer_id).subquery())
    stmt = (select(Customer).outerjoin(latest, latest.c.customer_id == Customer.id)
            .outerjoin(ChurnWatch, ChurnWatch.customer_id == Customer.id)
            .where(or_(Customer.status.is_(None), Customer.status != LOST), Customer.created_at < cutoff,
                   or_(latest.c.at.is_(None), latest.c.at < cutoff),
                   or_(ChurnWatch.snoozed_until.is_(None), ChurnWatch.snoozed_until < today))
            .order_by(Customer.id).limit(limit))
    return [c for c in s.scalars(stmt) if not _open(s, c.id)]


def _open(s: Session, customer_id: int) -> bool:
    watch = s.scalar(select(ChurnWatch).where(ChurnWatch.customer_id == customer_id))
    return watch is not None and watch.instance_id is not None and records.process_running(s, watch.instance_id)


def _watch(s: Session, customer_id: int) -> ChurnWatch:
    watch = s.scalar(select(ChurnWatch).where(ChurnWatch.customer_id == customer_id))
    if watch is None:
        watch = ChurnWatch(customer_id=customer_id)
        s.add(watch)
    return watch


def _customer(s: Session, customer_id: Any) -> Customer:
    row = s.get(Customer, customer_id) if isinstance(customer_id, int) and not isinstance(customer_id, bool) else None
    if row is None:
        raise ValidationFailed(f"no customer {customer_id!r}", {"customer_id": "no such customer"})
    return row


def open_warning(s: Session, customer_id: Any, initiator_id: int, instance_id: int, now: datetime
                 ) -> dict[str, Any]:
    """The warning opens: only the customer's salesperson (or the routine, starting as them) opens one,
    one at a time per customer."""
    customer = _customer(s, customer_id)
    if customer.owner_id != initiator_id:
        raise ValidationFailed("a churn warning goes to the customer's salesperson",
                               {"customer_id": "not your customer"})
    if customer.status == LOST:
        raise ValidationFailed(f"{customer.name} is {LOST} already", {"customer_id": f"is {LOST}"})
    watch = _watch(s, customer.id)
    if watch.instance_id not in (None, instance_id) and records.process_running(s, watch.instance_id):
        raise ValidationFailed("a churn warning about this customer is open", {"customer_id": "warning open"})
    watch.instance_id, watch.warned_at = instance_id, now
    last = s.scalar(select(func.max(Contract.created_at)).where(Contract.customer_id == customer.id))
    s.flush()
    return {"customer_id": customer.id, "name": customer.name, "code": customer.code,
            "last_contract_at": last.isoformat() if last else None}


def snooze(s: Session, customer_id: Any, reason: Any, until: Any, today: date, default_days: int
           ) -> dict[str, Any]:
    """暂缓: no warning about the customer until `until` (default: `default_days` from today); reason required."""
    customer = _customer(s, customer_id)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("a snooze needs a reason", {"reason": "required"})
    if until in (None, ""):
        day = today + timedelta(days=default_days)
    else:
        try:
            day = date.fromisoformat(str(until)[:10])
        except ValueError:
            raise ValidationFailed("not a date", {"snooze_until": "a date like 2026-12-31"}) from None
        if day <= today:
            raise ValidationFailed("a snooze ends after today", {"snooze_until": "after today"})
    watch = _watch(s, customer.id)
    watch.snoozed_until, watch.reason = day, reason.strip()[:MAX_REASON]
    s.flush()
    return {"customer_id": customer.id, "snoozed_until": day.isoformat(), "reason": watch.reason}


def confirm(s: Session, customer_id: Any) -> dict[str, Any]:
    """确认流失: the customer's status becomes 流失客户."""
    customer = _customer(s, customer_id)
    records.process_update(s, "customer", customer.id, {"status": LOST})
    return {"customer_id": customer.id, "status": LOST}


def close(s: Session, customer_id: Any, instance_id: int) -> None:
    """The warning's instance is gone (withdrawn): the customer may be warned again."""
    watch = s.scalar(select(ChurnWatch).where(ChurnWatch.customer_id == customer_id))
    if watch is not None and watch.instance_id == instance_id:
        watch.instance_id = None
        s.flush()
