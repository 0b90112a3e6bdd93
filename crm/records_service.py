"""CRM record use cases: create / get / update / delete / list with search, filters and paging.

Each function takes (db, actor_id, ...) with plain values, owns its transaction, and returns
plain dicts; a refused call changes nothing. Record types are declared once (`KINDS`): their
fields with types, lengths, allowed values and references; validation, search, filtering and
serialization are derived from that declaration.

Data permissions (requirements 001: 业务员只能查看自己的客户, 上级主管可以查看和管理下属业务员的客户):
- A user's *reach* is themselves plus everyone below them in the supervisor tree (the users
  whose supervisor chain contains them). Admins reach everyone.
- Customers: visible and editable within reach of their owner (salesperson). A customer out of
  reach does not exist for the caller: 404, also on writes. The owner changes only through
  `reassign` (admin, or a supervisor of the current owner, to someone within their own reach);
  the owner asking to reassign gets 403. Every change of owner is kept in customer_owner_history.
- Contacts and contracts follow their customer.
- Service tickets: within reach of their creator or handler. While the ticket's process instance
  runs, its process-step fields (TICKET_PROCESS_FIELDS: 核实结果, 处理方法, 处理人, 处理结果,
  客户满意度, 客户意见, status) change only through the process (process_update); an API change
  is refused with 422 naming the field, for admins too.
- Expense claims: within reach of the claimant, plus the finance role (reads).
- Service-fee settlements: within reach of their creator, plus the finance role (reads).
- Agents: every signed-in user reads them (the requirements make agent data available to the
  whole system); writes are for admins and the user who entered the agent (others: 403).
- Leave balances: a user reads their own; admins and the hr role read all and set them
  (anyone else: 403 on writes).
信息添加人/信息添加时间 (created_by, created_at) are set here from the actor and the clock.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Integer, String, column, func, or_, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from crm import numbering
from crm.models import User
from crm.records import (
    CLAIM_STATUSES,
    CONTRACT_STATUSES,
    GENDERS,
    INDUSTRIES,
    SETTLEMENT_METHODS,
    SETTLEMENT_STATUSES,
    TICKET_STATUSES,
    Agent,
    Contact,
    Contract,
    Customer,
    CustomerOwnerHistory,
    ExpenseClaim,
    ExpenseLine,
    LeaveBalance,
    ServiceFeeSettlement,
    ServiceTicket,
)
from db.base import iso, utcnow
from db.session import Database

MAX_ID = 2**63 - 1
MAX_CUSTOM_JSON = 20_000
MAX_Q = 100
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")
FINANCE_ROLE = "finance"
HR_ROLE = "hr"
RESERVED_QUERY = ("q", "page", "per_page")
# a record a process created, whose instance the initiator withdrew (撤回) before anyone acted
WITHDRAWN = "withdrawn"
# A service ticket's process-step fields: while the ticket's instance runs, only the process's
# write-back (process_update) changes them; the API refuses a change with 422 naming the field.
TICKET_PROCESS_FIELDS = ("verification", "handling_method", "handler", "result", "satisfaction", "customer_opinion",
                         "status")
# The engine's instance table, read (never written) to know whether a record's process still runs;
# crm/ does not import the engine's models (tests/test_layers.py).
_INSTANCE = table("process_instance", column("id", Integer), column("status", String))


# Customer classification (requirements 004 lists 客户级别, 客户类型, 客户状态, 客户阶段 among the
# customer fields and 002 asks for them as drop-down fields; the values are Liuzhuan's, in the
# documents' words: 潜在/成交/流失客户, the sales stages from first contact to after-sales).
CUSTOMER_LEVELS = ("战略客户", "重点客户", "普通客户")  # 客户级别
CUSTOMER_TYPES = ("终端客户", "渠道客户", "合作伙伴", "代理商", "其他")  # 客户类型
CUSTOMER_STATUSES = ("潜在客户", "意向客户", "成交客户", "休眠客户", "流失客户")  # 客户状态
CUSTOMER_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判", "签约", "售后服务")  # 客户阶段


# ---------------------------------------------------------------- field declarations


@dataclass(frozen=True)
class F:
    """One field of a record as the API sees it.

    kind: text | email | phone | enum | int | decimal | date | datetime | bool | json | user | customer | agent
    `attr` is the model attribute (default: name, or name + "_id" for references).
    """

    name: str
    kind: str = "text"
    max_len: int = 200
    required: bool = False
    choices: tuple[str, ...] = ()
    low: Decimal | int | None = None
    high: Decimal | int | None = None
    places: int = 2
    pattern: str | None = None
    writable: bool = True
    process: bool = False  # set by the processes (process_update); through the API only admins may correct it
    default: Any = None
    attr_name: str | None = None

    @property
    def attr(self) -> str:
        if self.attr_name:
            return self.attr_name
        return self.name + "_id" if self.kind in ("user", "customer", "agent") else self.name

    @property
    def searchable(self) -> bool:
        return self.kind in ("text", "email", "phone")


@dataclass
class Kind:
    key: str
    label: str
    model: type
    fields: tuple[F, ...]
    # (session, actor, reach or None for everyone) -> a where-clause, or None for no restriction
    scope: Callable[[Session, User, set[int] | None], Any]
    joins: tuple[Any, ...] = ()
    number_field: str | None = None  # filled from crm.numbering when not given
    can_write: Callable[[Session, User, Any], bool] | None = None  # beyond visibility
    extra: Callable[[Session, Any], dict[str, Any]] | None = None
    by_name: dict[str, F] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    @property
    def writable(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.writable)

    def writable_by(self, actor: User | None) -> tuple[str, ...]:
        """What a caller may send: process-owned fields only for admins (and processes: actor None)."""
        return tuple(f.name for f in self.fields if f.writable and (not f.process or actor is None or actor.is_admin))


def text(name: str, max_len: int = 200, **kw: Any) -> F:
    return F(name, "text", max_len, **kw)


def note(name: str, max_len: int = 4000, **kw: Any) -> F:
    return F(name, "text", max_len, **kw)


# ---------------------------------------------------------------- who may see what


def _actor(s: Session, actor_id: int) -> User:
    user = s.get(User, actor_id) if isinstance(actor_id, int) and 0 < actor_id <= MAX_ID else None
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    return user


def reach(s: Session, actor: User) -> set[int] | None:
    """Ids of the actor and everyone below them in the supervisor tree; None (everyone) for admins."""
    if actor.is_admin:
        return None
    below: dict[int, list[int]] = {}
    for uid, sup in s.execute(select(User.id, User.supervisor_id)):
        if sup is not None:
            below.setdefault(sup, []).append(uid)
    seen, todo = {actor.id}, [actor.id]
    while todo:
        for child in below.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _within(column: Any, ids: set[int] | None) -> Any:
    return None if ids is None else column.in_(sorted(ids))


def _has_role(user: User, key: str) -> bool:
    return user.is_admin or key in user.role_keys


def _scope_customer(s: Session, actor: User, ids: set[int] | None) -> Any:
    return _within(Customer.owner_id, ids)


def _scope_ticket(s: Session, actor: User, ids: set[int] | None) -> Any:
    if ids is None:
        return None
    return or_(ServiceTicket.created_by_id.in_(sorted(ids)), ServiceTicket.handler_id.in_(sorted(ids)))


def _scope_claim(s: Session, actor: User, ids: set[int] | None) -> Any:
    return None if _has_role(actor, FINANCE_ROLE) else _within(ExpenseClaim.claimant_id, ids)


def _scope_settlement(s: Session, actor: User, ids: set[int] | None) -> Any:
    return None if _has_role(actor, FINANCE_ROLE) else _within(ServiceFeeSettlement.created_by_id, ids)


def _scope_leave(s: Session, actor: User, ids: set[int] | None) -> Any:
    return None if _has_role(actor, HR_ROLE) else LeaveBalance.user_id == actor.id


def _everyone(s: Session, actor: User, ids: set[int] | None) -> Any:
    return None


def _admin_or_creator(s: Session, actor: User, row: Any) -> bool:
    return actor.is_admin or row.created_by_id == actor.id


def _hr(s: Session, actor: User, row: Any) -> bool:
    return _has_role(actor, HR_ROLE)


def _claim_writer(s: Session, actor: User, row: Any) -> bool:
    """Claims are changed by the claimant (and admins); finance only reads them here."""
    return actor.is_admin or row.claimant_id == actor.id or row.created_by_id == actor.id


def _settlement_writer(s: Session, actor: User, row: Any) -> bool:
    return actor.is_admin or row.created_by_id == actor.id


def _claim_extra(s: Session, claim: ExpenseClaim) -> dict[str, Any]:
    return {"lines": [_line_dict(s, line) for line in claim.lines]}


# ---------------------------------------------------------------- the record types

PHONE_KW: dict[str, Any] = {"kind": "phone", "max_len": 32}

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("customer", "customer", Customer, (
        text("code", 32), text("name", required=True), text("nature", 50), text("legal_rep", 50),
        text("address", 300), text("postcode", 10, pattern=r"^[0-9A-Za-z -]{3,10}$"), text("website"),
        F("phone", **PHONE_KW), F("email", "email"), F("fax", **PHONE_KW),
        F("level", "enum", 50, choices=CUSTOMER_LEVELS), F("type", "enum", 50, choices=CUSTOMER_TYPES),
        F("status", "enum", 50, choices=CUSTOMER_STATUSES), F("stage", "enum", 50, choices=CUSTOMER_STAGES),
        text("credit", 50), text("province", 50), text("region", 50),
        text("source", 100), F("owner", "user"), F("vip", "bool", default=False, process=True), F("custom", "json"),
        text("area_code", 4, pattern=r"^\d{4}$"), F("industry", "enum", choices=tuple(INDUSTRIES)),
        F("service_auth_no", writable=False), note("remark"),
    ), _scope_customer, number_field="code"),
    Kind("contact", "contact", Contact, (
        F("customer", "customer", required=True), text("name", 100, required=True),
        F("gender", "enum", choices=GENDERS), text("department", 100), text("title", 100), F("phone", **PHONE_KW),
        F("mobile", **PHONE_KW), F("email", "email"), F("birthday", "date"), text("address", 300),
        text("hobbies", 500), note("remark"),
    ), _scope_customer, joins=(Customer, Contact.customer_id == Customer.id)),
    Kind("contract", "contract", Contract, (
        text("number", 32), F("customer", "customer", required=True), text("title", required=True),
        F("amount", "decimal", low=Decimal(0), high=Decimal("999999999999.99")), F("start_date", "date"),
        F("end_date", "date"), F("status", "enum", choices=CONTRACT_STATUSES, default="draft", process=True),
        text("attachment", 500), F("owner", "user"), note("remark"),
    ), _scope_customer, joins=(Customer, Contract.customer_id == Customer.id), number_field="number"),
    Kind("agent", "agent", Agent, (
        text("code", 32), text("name", required=True), text("region", 50), text("contact_name", 100),
        F("phone", **PHONE_KW), text("bank_name", 100), text("bank_account", 64, pattern=r"^[0-9 -]{4,64}$"),
        note("remark"),
    ), _everyone, number_field="code", can_write=_admin_or_creator),
    Kind("ticket", "service ticket", ServiceTicket, (
        text("complainant", 100, required=True), text("contact_info"), note("content", required=True),
        text("category", 50), F("expected_at", "datetime"), note("verification"), note("handling_method"),
        F("handler", "user"), note("result"), F("satisfaction", "int", low=1, high=5), note("customer_opinion"),
        F("status", "enum", choices=(*TICKET_STATUSES, WITHDRAWN), default="open"), F("customer", "customer"),
        F("instance_id", "int", writable=False), note("remark"),
    ), _scope_ticket),
    Kind("expense_claim", "expense claim", ExpenseClaim, (
        F("claimant", "user"), text("title"),
        F("status", "enum", choices=(*CLAIM_STATUSES, WITHDRAWN), default="draft", process=True),
        F("total", "decimal", writable=False), F("instance_id", "int", writable=False), note("remark"),
    ), _scope_claim, can_write=_claim_writer, extra=_claim_extra),
    Kind("leave_balance", "leave balance", LeaveBalance, (
        F("user", "user", required=True), text("leave_type", 32, required=True),
        F("days", "decimal", required=True, low=Decimal("-99999.9"), high=Decimal("99999.9"), places=1),
    ), _scope_leave, can_write=_hr),
    Kind("settlement", "service fee settlement", ServiceFeeSettlement, (
        F("agent", "agent", required=True), text("period", 32, required=True),
        F("fees", "decimal", required=True, low=Decimal(0), high=Decimal("999999999999.99")),
        F("ratio", "decimal", low=Decimal(0), high=Decimal(1), places=4, process=True),
        F("amount", "decimal", writable=False),
        F("status", "enum", choices=(*SETTLEMENT_STATUSES, WITHDRAWN), default="draft", process=True),
        F("settlement_method", "enum", choices=SETTLEMENT_METHODS, process=True),
        F("invoice_received_at", "datetime", process=True),
        F("instance_id", "int", writable=False), note("remark"),
    ), _scope_settlement, can_write=_settlement_writer),
]}

LINE_FIELDS = (F("date", "date", required=True), text("category", 50, required=True),
               F("amount", "decimal", required=True, low=Decimal("0.01"), high=Decimal("999999999999.99")),
               F("customer", "customer"), text("note", 500))
MAX_LINES = 200


# ---------------------------------------------------------------- parsing values


class _Bad(Exception):
    pass


def _parse(s: Session, actor: User | None, f: F, value: Any, ids: set[int] | None) -> Any:
    """The model value for a JSON value of field f; _Bad(message) when it does not validate."""
    if value is None or (isinstance(value, str) and not value.strip() and f.kind not in ("json", "bool")):
        if f.required:
            raise _Bad("required")
        return f.default if f.kind == "bool" else None
    k = f.kind
    if k in ("text", "email", "phone", "enum"):
        if not isinstance(value, str):
            raise _Bad("must be a string")
        value = value.strip()
        if len(value) > f.max_len:
            raise _Bad(f"at most {f.max_len} characters")
        if k == "email" and not EMAIL.match(value):
            raise _Bad("not an email address")
        if k == "phone" and not PHONE.match(value):
            raise _Bad("digits, spaces and + - ( ) only, 3 to 32 characters")
        if k == "enum" and value not in f.choices:
            raise _Bad(f"one of: {', '.join(f.choices)}")
        if f.pattern and not re.match(f.pattern, value):
            raise _Bad(f"must match {f.pattern}")
        return value
    if k == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Bad("must be an integer")
        if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
            raise _Bad(f"from {f.low} to {f.high}")
        return value
    if k == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _Bad("must be a number")
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation as e:
            raise _Bad("must be a number") from e
        if not d.is_finite():
            raise _Bad("must be a number")
        if d != d.quantize(Decimal(1).scaleb(-f.places)):
            raise _Bad(f"at most {f.places} decimal places")
        if (f.low is not None and d < f.low) or (f.high is not None and d > f.high):
            raise _Bad(f"from {f.low} to {f.high}")
        return d.quantize(Decimal(1).scaleb(-f.places))
    if k == "date":
        if not isinstance(value, str):
            raise _Bad("a date YYYY-MM-DD")
        try:
            return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else _raise()
        except ValueError as e:
            raise _Bad("a date YYYY-MM-DD") from e
    if k == "datetime":
        if not isinstance(value, str):
            raise _Bad("a date-time (ISO 8601)")
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as e:
            raise _Bad("a date-time (ISO 8601)") from e
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    if k == "bool":
        if not isinstance(value, bool):
            raise _Bad("true or false")
        return value
    if k == "json":
        if not isinstance(value, dict):
            raise _Bad("must be an object")
        if len(json.dumps(value, ensure_ascii=False)) > MAX_CUSTOM_JSON:
            raise _Bad(f"at most {MAX_CUSTOM_JSON} characters as JSON")
        return value
    if k == "user":
        if not isinstance(value, str):
            raise _Bad("must be a username")
        user = s.scalar(select(User).where(User.username == value))
        if user is None:
            raise _Bad(f"no user '{value}'")
        if not user.active:
            raise _Bad(f"user '{value}' is deactivated")
        return user.id
    if k in ("customer", "agent"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
            raise _Bad(f"must be a {k} id (positive integer)")
        model = Customer if k == "customer" else Agent
        row = s.get(model, value)
        # a customer the actor may not see is reported exactly like a missing one
        if row is None or (k == "customer" and ids is not None and row.owner_id not in ids):
            raise _Bad(f"no {k} with id {value}")
        return value
    raise AssertionError(k)


def _raise() -> Any:
    raise ValueError


def _payload(kind: Kind, payload: Any, actor: User | None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    allowed = kind.writable_by(actor) + extra
    unknown = sorted(str(k) for k in payload if k not in allowed)
    if unknown:
        readonly = {f.name for f in kind.fields if not f.writable} | {"id", "created_by", "created_at", "updated_at"}
        by_process = {f.name for f in kind.fields if f.process}

        def why(k: str) -> str:
            if k in readonly:
                return "read-only field"
            if k in by_process:
                return "set by the process (administrators may correct it)"
            return f"unknown field; allowed: {', '.join(allowed)}"

        raise ValidationFailed(f"unknown field(s): {', '.join(unknown)}", {k: why(k) for k in unknown})
    return payload


def _values(s: Session, actor: User | None, kind: Kind, payload: dict[str, Any], ids: set[int] | None,
            creating: bool, fields_out: dict[str, str]) -> dict[str, Any]:
    """attr -> parsed value for the fields present (all writable fields when creating)."""
    out: dict[str, Any] = {}
    for f in kind.fields:
        if not f.writable or (not creating and f.name not in payload):
            continue
        if creating and f.name not in payload and f.default is not None:
            out[f.attr] = f.default
            continue
        try:
            out[f.attr] = _parse(s, actor, f, payload.get(f.name), ids)
        except _Bad as e:
            fields_out[f.name] = str(e)
    return out


# ---------------------------------------------------------------- serializing


def _username(s: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = s.get(User, user_id)
    return user.username if user is not None else None


def _out(s: Session, f: F, value: Any) -> Any:
    if value is None:
        return None
    if f.kind == "user":
        return _username(s, value)
    if f.kind == "decimal":
        return str(value.quantize(Decimal(1).scaleb(-f.places)))
    if f.kind == "date":
        return value.isoformat()
    if f.kind == "datetime":
        return iso(value)
    return value


def record_dict(s: Session, kind: Kind, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row.id}
    for f in kind.fields:
        out[f.name] = _out(s, f, getattr(row, f.attr))
    out["created_by"] = _username(s, row.created_by_id)
    out["created_at"] = iso(row.created_at)
    if hasattr(row, "updated_at"):
        out["updated_at"] = iso(row.updated_at)
    if kind.extra is not None:
        out.update(kind.extra(s, row))
    return out


def _line_dict(s: Session, line: ExpenseLine) -> dict[str, Any]:
    return {"id": line.id, **{f.name: _out(s, f, getattr(line, f.attr)) for f in LINE_FIELDS}}


# ---------------------------------------------------------------- loading with permissions


def _visible(s: Session, kind: Kind, actor: User, ids: set[int] | None) -> Any:
    stmt = select(kind.model)
    for i in range(0, len(kind.joins), 2):
        stmt = stmt.join(kind.joins[i], kind.joins[i + 1])
    cond = kind.scope(s, actor, ids)
    return stmt if cond is None else stmt.where(cond)


def _load(s: Session, kind: Kind, actor: User, ids: set[int] | None, record_id: Any) -> Any:
    if not isinstance(record_id, int) or isinstance(record_id, bool) or not 0 < record_id <= MAX_ID:
        raise NotFound(f"{kind.label} {record_id} not found")
    row = s.scalar(_visible(s, kind, actor, ids).where(kind.model.id == record_id))
    if row is None:
        raise NotFound(f"{kind.label} {record_id} not found")
    return row


def _check_write(s: Session, kind: Kind, actor: User, row: Any) -> None:
    if kind.can_write is not None and not kind.can_write(s, actor, row):
        raise Forbidden(f"you may read this {kind.label} but not change it")


def _kind(key: str) -> Kind:
    if key not in KINDS:
        raise NotFound(f"no record type '{key}'")
    return KINDS[key]


# ---------------------------------------------------------------- rules per record type


def _before_save(s: Session, kind: Kind, actor: Any, ids: set[int] | None, row: Any, values: dict[str, Any],
                 creating: bool, fields: dict[str, str]) -> None:
    """Cross-field rules and defaults; adds to `fields` what does not validate."""
    if kind.key in ("customer", "contract"):
        if creating:
            values["owner_id"] = values.get("owner_id") or actor.id
        if "owner_id" in values:
            owner = values["owner_id"]
            if owner is None:
                fields["owner"] = "required"
            elif kind.key == "customer" and not creating and owner != row.owner_id:
                fields["owner"] = "change the salesperson with POST /customers/{id}/reassign"
            elif ids is not None and owner not in ids and (creating or owner != row.owner_id):
                fields["owner"] = "yourself or someone who reports to you"
    if kind.key == "contract":
        start = values.get("start_date", row.start_date if row is not None else None)
        end = values.get("end_date", row.end_date if row is not None else None)
        if start and end and end < start:
            fields["end_date"] = "not before start_date"
    if kind.key == "customer":
        area = values.get("area_code", row.area_code if row is not None else None)
        industry = values.get("industry", row.industry if row is not None else None)
        if (area is None) != (industry is None) and "area_code" not in fields and "industry" not in fields:
            fields["area_code" if area is None else "industry"] = "area_code and industry go together"
    if kind.key == "expense_claim" and creating:
        claimant = values.get("claimant_id") or actor.id
        if claimant != actor.id and not actor.is_admin:
            fields["claimant"] = "you may only claim for yourself"
        values["claimant_id"] = claimant
    elif kind.key == "expense_claim" and "claimant_id" in values and values["claimant_id"] != row.claimant_id:
        fields["claimant"] = "the claimant of a claim does not change"
    if kind.key == "settlement":
        fees = values.get("fees", row.fees if row is not None else None)
        ratio = values.get("ratio", row.ratio if row is not None else None)
        values["amount"] = (fees * ratio).quantize(Decimal("0.01")) if fees is not None and ratio is not None \
            else None


def _unique(s: Session, kind: Kind, row: Any, values: dict[str, Any]) -> None:
    """409 when a unique business key is taken by another record."""
    checks: list[tuple[str, Any]] = []
    if kind.number_field and values.get(kind.number_field):
        checks.append((kind.number_field, getattr(kind.model, kind.number_field) == values[kind.number_field]))
    if kind.key == "leave_balance" and "user_id" in values and "leave_type" in values:
        checks.append(("leave_type", (LeaveBalance.user_id == values["user_id"])
                       & (LeaveBalance.leave_type == values["leave_type"])))
    for name, cond in checks:
        other = s.scalar(select(kind.model.id).where(cond))
        if other is not None and (row is None or other != row.id):
            raise Conflict(f"another {kind.label} has this {name}", {name: "already exists"})


def _flush(s: Session, kind: Kind) -> None:
    """Flush; a unique key taken meanwhile by a concurrent save is a Conflict, not a server error."""
    try:
        s.flush()
    except IntegrityError as e:
        raise Conflict(f"another {kind.label} was saved with the same unique value; try again") from e


def _number(s: Session, kind: Kind, row: Any) -> None:
    """Fill the record's number (crm/numbering.py) when none was given; before the row is flushed."""
    if kind.number_field and not getattr(row, kind.number_field):
        while True:  # skip numbers already taken by hand-entered codes
            number = numbering.issue(s, kind.key)
            if s.scalar(select(kind.model.id).where(getattr(kind.model, kind.number_field) == number)) is None:
                break
        setattr(row, kind.number_field, number)
    if kind.key == "customer":
        _issue_service_auth(s, row)


def _issue_service_auth(s: Session, customer: Customer) -> None:
    """Issue (or re-issue, when area or industry changed) the customer's 服务授权编号."""
    if customer.area_code is None or customer.industry is None:
        customer.service_auth_no = None
        return
    current = customer.service_auth_no
    if current is not None and current[2:8] == customer.area_code + customer.industry:
        return
    customer.service_auth_no = numbering.service_auth_no(s, customer.area_code, customer.industry)


# ---------------------------------------------------------------- use cases



def _insert(s: Session, kind: Any, actor: Any, values: dict[str, Any], lines: Any = None) -> Any:
    """A new record of `kind` with its number, created by `actor`; a customer's first owner is
    recorded in its owner history."""
    row = kind.model(**values, created_by_id=actor.id, created_at=utcnow())
    if kind.key == "expense_claim":
        row.lines = lines or []
        row.total = sum((line.amount for line in row.lines), Decimal("0.00"))
    _number(s, kind, row)
    s.add(row)
    _flush(s, kind)
    if kind.key == "customer":
        s.add(CustomerOwnerHistory(customer_id=row.id, from_user_id=None, to_user_id=row.owner_id,
                                   by_user_id=actor.id, at=utcnow()))
    return row

def create(db: Database, actor_id: int, kind_key: str, payload: Any, customer_id: int | None = None
           ) -> dict[str, Any]:
    """Create a record. `customer_id` (nested routes) fixes the customer of a contact."""
    kind = _kind(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        p = dict(_payload(kind, payload, actor, ("lines",) if kind.key == "expense_claim" else ()))
        if customer_id is not None:
            _load(s, KINDS["customer"], actor, ids, customer_id)
            if "customer" in p and p["customer"] != customer_id:
                raise ValidationFailed("the customer is given by the path", {"customer": "must match the path"})
            p["customer"] = customer_id
        if kind.key == "leave_balance" and not _has_role(actor, HR_ROLE):
            raise Forbidden(f"only hr and admins may set a {kind.label}")
        fields: dict[str, str] = {}
        values = _values(s, actor, kind, p, ids, True, fields)
        _before_save(s, kind, actor, ids, None, values, True, fields)
        lines = _lines(s, actor, ids, p.get("lines"), fields) if kind.key == "expense_claim" else []
        if fields:
            raise ValidationFailed(f"invalid {kind.label}", fields)
        _unique(s, kind, None, values)
        row = _insert(s, kind, actor, values, lines)
        s.flush()
        return record_dict(s, kind, row)


BULK_KINDS = ("customer", "agent")  # record types create_many (spreadsheet import) accepts
MAX_BULK = 5000


def create_many(db: Database, actor_id: int, kind_key: str, payloads: list[Any]) -> list[dict[str, Any]]:
    """Create several records in one transaction, all or none (a spreadsheet import).

    Every payload is validated exactly like `create` (fields, allowed values, references within the
    caller's reach, unique numbers, also against each other); if any is invalid, ValidationFailed
    names every problem as `<index>.<field>` (0-based index into `payloads`) and nothing is created."""
    kind = _kind(kind_key)
    if kind.key not in BULK_KINDS:
        raise NotFound(f"{kind.label}s cannot be created in bulk")
    if not isinstance(payloads, list) or len(payloads) > MAX_BULK:
        raise ValidationFailed("too many records", {"rows": f"at most {MAX_BULK}"})
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        fields: dict[str, str] = {}
        prepared: list[dict[str, Any]] = []
        numbers: dict[Any, int] = {}
        for i, payload in enumerate(payloads):
            row_fields: dict[str, str] = {}
            try:
                p = _payload(kind, payload, actor)
            except ValidationFailed as e:
                fields.update({f"{i}.{k}": v for k, v in e.fields.items()})
                continue
            values = _values(s, actor, kind, p, ids, True, row_fields)
            _before_save(s, kind, actor, ids, None, values, True, row_fields)
            number = values.get(kind.number_field) if kind.number_field else None
            if number:
                try:
                    _unique(s, kind, None, values)
                except Conflict as e:
                    row_fields.update(e.fields)
                if number in numbers:
                    row_fields[str(kind.number_field)] = f"repeats record {numbers[number]}"
                numbers.setdefault(number, i)
            fields.update({f"{i}.{k}": v for k, v in row_fields.items()})
            prepared.append(values)
        if fields:
            raise ValidationFailed(f"invalid {kind.label}s: nothing was created", fields)
        out = []
        for values in prepared:
            out.append(record_dict(s, kind, _insert(s, kind, actor, values)))
        s.flush()
        return out


def all_visible(db: Database, actor_id: int, kind_key: str, query: dict[str, str] | None = None
                ) -> list[dict[str, Any]]:
    """Every record the actor may see matching `query` (as list_records), oldest first: for exports."""
    items, _ = list_records(db, actor_id, kind_key, query, 0, MAX_ID)
    return items[::-1]


def _lines(s: Session, actor: User, ids: set[int] | None, raw: Any, fields: dict[str, str]) -> list[ExpenseLine]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        fields["lines"] = "must be a list"
        return []
    if len(raw) > MAX_LINES:
        fields["lines"] = f"at most {MAX_LINES} lines"
        return []
    out: list[ExpenseLine] = []
    allowed = {f.name for f in LINE_FIELDS}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            fields[f"lines[{i}]"] = "must be an object"
            continue
        for k in item:
            if k not in allowed:
                fields[f"lines[{i}].{k}"] = f"unknown field; allowed: {', '.join(sorted(allowed))}"
        values: dict[str, Any] = {}
        for f in LINE_FIELDS:
            try:
                values[f.attr] = _parse(s, actor, f, item.get(f.name), ids)
            except _Bad as e:
                fields[f"lines[{i}].{f.name}"] = str(e)
        out.append(ExpenseLine(**values))
    return out


def get(db: Database, actor_id: int, kind_key: str, record_id: int) -> dict[str, Any]:
    kind = _kind(kind_key)
    with db.uow() as s:
        actor = _actor(s, actor_id)
        return record_dict(s, kind, _load(s, kind, actor, reach(s, actor), record_id))


def update(db: Database, actor_id: int, kind_key: str, record_id: int, payload: Any) -> dict[str, Any]:
    kind = _kind(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        row = _load(s, kind, actor, ids, record_id)
        _check_write(s, kind, actor, row)
        p = _payload(kind, payload, actor)
        fields: dict[str, str] = {}
        values = _values(s, actor, kind, p, ids, False, fields)
        _before_save(s, kind, actor, ids, row, values, False, fields)
        if kind.key == "ticket":
            _process_owned_ticket_fields(s, kind, row, values, fields)
        if fields:
            raise ValidationFailed(f"invalid {kind.label} change", fields)
        check = values
        if kind.key == "leave_balance":
            check = {"user_id": values.get("user_id", row.user_id),
                     "leave_type": values.get("leave_type", row.leave_type)}
        _unique(s, kind, row, check)
        for attr, value in values.items():
            setattr(row, attr, value)
        _number(s, kind, row)
        _flush(s, kind)
        return record_dict(s, kind, row)


def process_running(s: Session, instance_id: int | None) -> bool:
    """Whether the process instance a record is linked to is still running."""
    if instance_id is None:
        return False
    return s.scalar(select(_INSTANCE.c.status).where(_INSTANCE.c.id == instance_id)) == "running"


def _process_owned_ticket_fields(s: Session, kind: Kind, row: ServiceTicket, values: dict[str, Any],
                                 fields: dict[str, str]) -> None:
    """A change of a process-step field of a ticket whose instance runs is refused, for everyone
    (admins too): the process records those steps. Sending the current value is not a change."""
    if not process_running(s, row.instance_id):
        return
    for name in TICKET_PROCESS_FIELDS:
        f = kind.by_name[name]
        if f.attr in values and values[f.attr] != getattr(row, f.attr) and name not in fields:
            fields[name] = "set by the service-ticket process while its instance runs"


def delete(db: Database, actor_id: int, kind_key: str, record_id: int) -> None:
    kind = _kind(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        row = _load(s, kind, actor, reach(s, actor), record_id)
        _check_write(s, kind, actor, row)
        if kind.key == "customer":
            for model, label in ((Contract, "contracts"), (ServiceTicket, "service tickets"),
                                 (ExpenseLine, "expense lines")):
                if s.scalar(select(func.count()).select_from(model).where(model.customer_id == row.id)):
                    raise Conflict(f"the customer still has {label}; delete or move them first")
        if kind.key == "agent" and s.scalar(select(func.count()).select_from(ServiceFeeSettlement)
                                            .where(ServiceFeeSettlement.agent_id == row.id)):
            raise Conflict("the agent has service fee settlements")
        s.delete(row)


def _filter_value(s: Session, f: F, raw: str) -> Any:
    k = f.kind
    if k in ("text", "email", "phone"):
        return raw
    if k == "enum":
        if raw not in f.choices:
            raise _Bad(f"one of: {', '.join(f.choices)}")
        return raw
    if k == "bool":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise _Bad("true or false")
        return raw.lower() in ("true", "1")
    if k in ("int", "customer", "agent"):
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            raise _Bad("an integer")
        return int(raw)
    if k == "decimal":
        try:
            d = Decimal(raw)
        except InvalidOperation as e:
            raise _Bad("a number") from e
        if not d.is_finite():
            raise _Bad("a number")
        return d
    if k == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError as e:
            raise _Bad("a date YYYY-MM-DD") from e
    if k == "user":
        user = s.scalar(select(User).where(User.username == raw))
        if user is None:
            raise _Bad(f"no user '{raw}'")
        return user.id
    raise _Bad("cannot filter on this field")


def list_records(db: Database, actor_id: int, kind_key: str, query: dict[str, str] | None = None,
                 offset: int = 0, limit: int = 20, customer_id: int | None = None
                 ) -> tuple[list[dict[str, Any]], int]:
    """The records the actor may see, newest first. `query`: `q` searches every text field
    (case-insensitive, substring); any other key is an exact filter on that field (users by
    username, references by id, `created_by` by username)."""
    kind = _kind(kind_key)
    query = dict(query or {})
    with db.uow() as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        stmt = _visible(s, kind, actor, ids)
        if customer_id is not None:
            _load(s, KINDS["customer"], actor, ids, customer_id)
            stmt = stmt.where(kind.model.customer_id == customer_id)
        fields: dict[str, str] = {}
        q = query.pop("q", None)
        if q is not None and q.strip():
            if len(q) > MAX_Q:
                fields["q"] = f"at most {MAX_Q} characters"
            else:
                like = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                cols = [getattr(kind.model, f.attr) for f in kind.fields if f.searchable]
                stmt = stmt.where(or_(*(func.lower(c).like(like, escape="\\") for c in cols)))
        for name, raw in sorted(query.items()):
            if name in RESERVED_QUERY:
                continue
            f = F("created_by", "user", attr_name="created_by_id") if name == "created_by" else \
                kind.by_name.get(name)
            if f is None or f.kind == "json":
                fields[name] = "unknown filter; filter on: " + ", ".join(
                    [x.name for x in kind.fields if x.kind != "json"] + ["created_by", "q"])
                continue
            try:
                value = _filter_value(s, f, raw)
            except _Bad as e:
                fields[name] = str(e)
                continue
            stmt = stmt.where(getattr(kind.model, f.attr) == value)
        if fields:
            raise ValidationFailed("invalid search", fields)
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = s.scalars(stmt.order_by(kind.model.id.desc()).offset(offset).limit(limit))
        return [record_dict(s, kind, row) for row in rows], int(total or 0)


# ---------------------------------------------------------------- customers: reassignment and history


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
        customer = _load(s, kind, actor, ids, customer_id)
        if ids is not None and customer.owner_id == actor.id:
            raise Forbidden("only an administrator or a supervisor of the salesperson may reassign the customer")
        fields: dict[str, str] = {}
        new_owner = None
        try:
            new_owner = _parse(s, actor, F("owner", "user", required=True), payload.get("owner"), ids)
        except _Bad as e:
            fields["owner"] = str(e)
        reason = payload.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
            fields["reason"] = "a string of at most 500 characters"
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
        return record_dict(s, kind, customer)


def customer_owner_history(db: Database, actor_id: int, customer_id: int) -> list[dict[str, Any]]:
    with db.uow() as s:
        actor = _actor(s, actor_id)
        _load(s, KINDS["customer"], actor, reach(s, actor), customer_id)
        rows = s.scalars(select(CustomerOwnerHistory).where(CustomerOwnerHistory.customer_id == customer_id)
                         .order_by(CustomerOwnerHistory.id))
        return [{"from": _username(s, h.from_user_id), "to": _username(s, h.to_user_id),
                 "by": _username(s, h.by_user_id), "reason": h.reason, "at": iso(h.at)} for h in rows]


# ---------------------------------------------------------------- for processes (service tasks)


def process_update(s: Session, kind_key: str, record_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a record from a process step, inside the engine's transaction: the same validation
    as the API (process-owned fields such as status included), no user permission check — the
    process definition decides who got here. Raises ValidationFailed / NotFound; the caller's
    transaction then rolls back."""
    kind = _kind(kind_key)
    row = s.get(kind.model, record_id) if isinstance(record_id, int) and 0 < record_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"{kind.label} {record_id} not found")
    p = _payload(kind, changes, None)
    if kind.key == "customer" and "owner" in p:
        raise ValidationFailed("the salesperson changes through reassign_customer", {"owner": "use reassign"})
    fields: dict[str, str] = {}
    values = _values(s, None, kind, p, None, False, fields)
    if kind.key == "settlement":
        _before_save(s, kind, None, None, row, values, False, fields)
    if fields:
        raise ValidationFailed(f"invalid {kind.label} change", fields)
    for attr, value in values.items():
        setattr(row, attr, value)
    _number(s, kind, row)
    s.flush()
    return record_dict(s, kind, row)


def set_status(s: Session, kind_key: str, record_id: int, status: str) -> dict[str, Any]:
    """e.g. set_status(s, "contract", 7, "signed"), for the processes' service tasks."""
    return process_update(s, kind_key, record_id, {"status": status})
