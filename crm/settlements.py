"""Agent service-fee settlements (代理商服务费结算) as the settlement process changes them.

Use cases over a caller's Session (the engine's step transaction): nothing here commits, a
refusal raises `ValidationFailed` / `NotFound` / `Conflict` and the caller rolls back.
Field errors name the process-data field (`agent_id`, `fees`, `ratio`, ...).

The settlement's status follows the process instance (bpmn/agent_settlement.bpmn):

    submitted --(ratio set by 技术支持中心, still submitted)--(leader approves)--> approved
        --(finance records the agent's invoice)--> invoiced --(finance: offset | refund)--> settled
    submitted --(商务部 or the leader rejects)--> rejected
    submitted --(the applicant withdraws the instance before anyone acted)--> withdrawn

Amount = fees x ratio, rounded to the cent, recomputed by crm/records/service.py on every save.
The invoice number has no column (crm/records/models.py is shared): `record_invoice` appends one line
to the settlement's `remark`: `发票 invoice <invoice_no> received <YYYY-MM-DD>`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, ValidationFailed
from core.ids import is_id
from crm import records
from crm.records import SETTLEMENT_METHODS, WITHDRAWN, Agent, ServiceFeeSettlement
from crm.values import parse_decimal
from db.base import utcnow

MAX_FEES = Decimal("999999999999.99")
MAX_PERIOD = 32
MAX_REMARK = 2000
MAX_INVOICE_NO = 50
CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")
KIND = "settlement"  # records.KINDS key

# status -> the statuses a process may move it to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "rejected"),
    "approved": ("invoiced", "rejected"),
    "invoiced": ("settled",),
    "settled": (),
    "rejected": (),
    "withdrawn": (),  # only through withdraw(): the instance was withdrawn
}


def _decimal(value: Any, places: Decimal, low: Decimal, high: Decimal) -> Decimal | str:
    """The value as a Decimal within [low, high] with at most `places` decimals, or why not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "is required"
    return parse_decimal(value, places, low, high)


def _text(value: Any, max_len: int, required: bool) -> str | None | tuple[str]:
    """The trimmed text, None when absent and optional; a 1-tuple with the reason when invalid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ("is required",) if required else None
    if not isinstance(value, str):
        return ("must be text",)
    if len(value.strip()) > max_len:
        return (f"at most {max_len} characters",)
    return value.strip()


def get(s: Session, settlement_id: Any) -> ServiceFeeSettlement:
    row = s.get(ServiceFeeSettlement, settlement_id) \
        if is_id(settlement_id) else None
    if row is None:
        raise NotFound(f"service fee settlement {settlement_id!r} not found")
    return row


def _move(row: ServiceFeeSettlement, to: str) -> None:
    if to not in TRANSITIONS.get(row.status, ()):
        raise Conflict(f"settlement {row.id} is {row.status}; it cannot become {to}")


def create(s: Session, creator_id: int, agent_id: Any, period: Any, fees: Any, remark: Any = None,
           instance_id: int | None = None) -> ServiceFeeSettlement:
    """A new settlement application (status submitted) by `creator_id`, linked to the instance."""
    fields: dict[str, str] = {}
    agent = s.get(Agent, agent_id) if is_id(agent_id) else None
    if agent is None:
        fields["agent_id"] = "is required" if agent_id is None else "no such agent"
    period_v = _text(period, MAX_PERIOD, True)
    if isinstance(period_v, tuple):
        fields["period"] = period_v[0]
    fees_v = _decimal(fees, CENT, CENT, MAX_FEES)
    if isinstance(fees_v, str):
        fields["fees"] = fees_v
    remark_v = _text(remark, MAX_REMARK, False)
    if isinstance(remark_v, tuple):
        fields["remark"] = remark_v[0]
    if fields:
        raise ValidationFailed("invalid settlement application: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                               fields)
    assert agent is not None and isinstance(period_v, str) and isinstance(fees_v, Decimal)
    row = ServiceFeeSettlement(agent_id=agent.id, period=period_v, fees=fees_v, status="submitted",
                               remark=remark_v if isinstance(remark_v, str) else None, instance_id=instance_id,
                               created_by_id=creator_id, created_at=utcnow())
    s.add(row)
    s.flush()
    return row


def set_ratio(s: Session, settlement_id: Any, ratio: Any) -> ServiceFeeSettlement:
    """Store the refund ratio (0..1, at most 4 decimals) of a submitted settlement; the amount follows."""
    row = get(s, settlement_id)
    if row.status != "submitted":
        raise Conflict(f"settlement {row.id} is {row.status}; the ratio is set while it is submitted")
    value = _decimal(ratio, RATIO_PLACES, Decimal(0), Decimal(1))
    if isinstance(value, str):
        raise ValidationFailed(f"invalid refund ratio: {value}", {"ratio": value})
    records.process_update(s, KIND, row.id, {"ratio": str(value)})
    return row


def set_status(s: Session, settlement_id: Any, status: Any) -> ServiceFeeSettlement:
    """submitted -> approved (needs a ratio) / rejected, approved -> rejected."""
    row = get(s, settlement_id)
    if status not in ("approved", "rejected"):
        raise ValidationFailed(f"a process sets a settlement approved or rejected, not {status!r}",
                               {"status": "approved or rejected"})
    _move(row, status)
    if status == "approved" and row.ratio is None:
        raise Conflict(f"settlement {row.id} has no refund ratio yet")
    records.process_update(s, KIND, row.id, {"status": status})
    return row


def record_invoice(s: Session, settlement_id: Any, invoice_no: Any, received_at: Any,
                   invoice_amount: Any) -> ServiceFeeSettlement:
    """The agent's invoice for the settlement amount arrived: approved -> invoiced, date stored."""
    row = get(s, settlement_id)
    _move(row, "invoiced")
    fields: dict[str, str] = {}
    number = _text(invoice_no, MAX_INVOICE_NO, True)
    if isinstance(number, tuple):
        fields["invoice_no"] = number[0]
    day: date | None = None
    if not isinstance(received_at, str) or not received_at.strip():
        fields["invoice_received_at"] = "is required"
    else:
        try:
            day = date.fromisoformat(received_at.strip()) if len(received_at.strip()) == 10 else None
        except ValueError:
            day = None
        if day is None:
            fields["invoice_received_at"] = "must be a date (YYYY-MM-DD)"
    amount = _decimal(invoice_amount, CENT, Decimal(0), MAX_FEES)
    if isinstance(amount, str):
        fields["invoice_amount"] = amount
    elif amount != row.amount:
        fields["invoice_amount"] = f"must equal the settlement amount {row.amount}"
    if fields:
        raise ValidationFailed("invalid invoice: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields)
    assert day is not None and isinstance(number, str)
    line = f"发票 invoice {number} received {day.isoformat()}"
    remark = f"{row.remark}\n{line}" if row.remark else line
    records.process_update(s, KIND, row.id, {"status": "invoiced", "invoice_received_at": day.isoformat(),
                                                     "remark": remark})
    return row


def settle(s: Session, settlement_id: Any, method: Any) -> ServiceFeeSettlement:
    """Finance decided: offset against the agent's payables or refund directly; invoiced -> settled."""
    row = get(s, settlement_id)
    _move(row, "settled")
    if method not in SETTLEMENT_METHODS:
        raise ValidationFailed(f"settlement method {method!r}",
                               {"settlement_method": "is required" if method in (None, "") else
                                f"one of {', '.join(SETTLEMENT_METHODS)}"})
    records.process_update(s, KIND, row.id, {"status": "settled", "settlement_method": method})
    return row


def withdraw(s: Session, settlement_id: Any) -> ServiceFeeSettlement:
    """The applicant withdrew the instance before anyone acted: submitted -> withdrawn (final)."""
    row = get(s, settlement_id)
    if row.status != "submitted":
        raise Conflict(f"settlement {row.id} is {row.status}; only a submitted settlement can be withdrawn",
                       {"settlement_id": f"is {row.status}"})
    records.process_update(s, KIND, row.id, {"status": WITHDRAWN})
    return row


def summary(row: ServiceFeeSettlement) -> dict[str, Any]:
    """The settlement as a service task's result (decimals as strings)."""
    return {"settlement_id": row.id, "agent_id": row.agent_id, "period": row.period, "fees": str(row.fees),
            "ratio": str(row.ratio) if row.ratio is not None else None,
            "amount": str(row.amount) if row.amount is not None else None, "status": row.status,
            "settlement_method": row.settlement_method}
