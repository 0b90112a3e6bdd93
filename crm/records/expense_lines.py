"""Expense lines (费用明细): the one validator of submitted lines, used both by `POST /expense-claims`
(crm/records/service.py, through the expense-claim kind) and by the expense process
(crm/expenses.py, the write-back of bpmn/expense_reimbursement.bpmn), so both answer alike.

A claim has 1 to MAX_LINES lines; each line is an object of exactly these fields:

- date: required, YYYY-MM-DD;
- category: required, an offered code of the data dictionary's expense categories (shipped: CATEGORIES);
- amount: required, a number from 0.01 to MAX_AMOUNT with at most 2 decimals;
- customer: optional, the id of a customer the *claimant* may see (crm/records/permissions.py:
  owned by them or someone below them; admins see all); an unknown and an invisible customer
  are refused alike;
- note: optional text of at most MAX_NOTE characters.

Problems are named by dotted path with a 0-based index (`lines.1.amount`), as forms/validate.py
names them, with `Msg` messages (a code and parameters for translation).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.errors import Msg
from core.ids import MAX_ID
from crm.admin import options as option_lists
from crm.models import User
from crm.records.fields import F, text
from crm.records.models import Customer, ExpenseLine
from crm.records.permissions import reach
from crm.values import parse_decimal

# the shipped expense categories, value -> label; the list itself is the data dictionary's
# "expense_category" (crm/admin/options.py), which the form's picker offers
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
CENT = Decimal("0.01")

# The declaration of a line as the API shows it (serialization, the OpenAPI schema).
LINE_FIELDS = (F("date", "date", required=True), F("category", "option", 50, required=True, options="expense_category"),
               F("amount", "decimal", required=True, low=CENT, high=MAX_AMOUNT), F("customer", "customer"),
               text("note", MAX_NOTE))
LINE_NAMES = tuple(f.name for f in LINE_FIELDS)

REQUIRED = Msg("required", "is required")
NOT_A_DATE = Msg("date", "must be a date (YYYY-MM-DD)")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date | Msg:
    """A YYYY-MM-DD date, or why not."""
    if _blank(value):
        return REQUIRED
    if not isinstance(value, str) or len(value.strip()) != 10:
        return NOT_A_DATE
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return NOT_A_DATE


def _category(s: Session, value: Any) -> str | Msg:
    """A code of the data dictionary's expense categories that is offered now."""
    if _blank(value):
        return REQUIRED
    codes = option_lists.active_codes(s, "expense_category")
    if not isinstance(value, str) or value.strip() not in codes:
        return Msg("one_of", f"one of {', '.join(codes)}", choices=codes)
    return value.strip()


def _amount(value: Any) -> Decimal | Msg:
    if _blank(value):
        return REQUIRED
    return parse_decimal(value, CENT, CENT, MAX_AMOUNT)


def _customer(s: Session, ids: set[int] | None, value: Any) -> int | None | Msg:
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return Msg("customer_id", "must be a customer id")
    customer = s.get(Customer, value)
    if customer is None or (ids is not None and customer.owner_id not in ids):
        return Msg("no_customer", "no such customer (or not one of yours)")
    return value


def _note(value: Any) -> str | None | Msg:
    if value is None:
        return None
    if not isinstance(value, str):
        return Msg("text", "must be text")
    if len(value.strip()) > MAX_NOTE:
        return Msg("max_length", f"must be at most {MAX_NOTE} characters", max=MAX_NOTE)
    return value.strip() or None


def _line(s: Session, ids: set[int] | None, item: dict[str, Any], path: str, fields: dict[str, str]
          ) -> ExpenseLine | None:
    for k in item:
        if k not in LINE_NAMES:
            fields[f"{path}.{k}"] = Msg("unknown_field", "not a field of an expense line", allowed=list(LINE_NAMES))
    values = {"date": parse_date(item.get("date")), "category": _category(s, item.get("category")),
              "amount": _amount(item.get("amount")), "customer_id": _customer(s, ids, item.get("customer")),
              "note": _note(item.get("note"))}
    bad = {name: v for name, v in values.items() if isinstance(v, Msg)}
    for attr, message in bad.items():
        fields[f"{path}.{attr.removesuffix('_id')}"] = message
    return None if bad else ExpenseLine(**values)


def parse_lines(s: Session, claimant: User, raw: Any) -> tuple[list[ExpenseLine], dict[str, str]]:
    """The ExpenseLine rows for the submitted `raw` lines of `claimant`'s claim, and the problems
    found, by path (`lines`, `lines.<i>`, `lines.<i>.<field>`); the rows count only when there is none."""
    if not isinstance(raw, list) or not raw:
        return [], {"lines": Msg("min_items", "at least one line", min=1)}
    if len(raw) > MAX_LINES:
        return [], {"lines": Msg("max_items", f"at most {MAX_LINES} lines", max=MAX_LINES)}
    ids = reach(s, claimant)
    fields: dict[str, str] = {}
    rows: list[ExpenseLine] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            fields[f"lines.{i}"] = Msg("object", "must be an object")
            continue
        row = _line(s, ids, item, f"lines.{i}", fields)
        if row is not None:
            rows.append(row)
    return rows, fields


def total(lines: list[ExpenseLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))
