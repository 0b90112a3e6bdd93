"""Configurable numbering rules per record type, and the counters behind them.

A rule is a pattern of literal text and tokens:
  {YY} {YYYY}     the year (2 or 4 digits) of the moment of issue
  {MM}            the month
  {area} {industry} ... any other name: a value the record supplies (validated by the caller)
  {seq:N}         the sequence, N digits, counted separately for every distinct prefix
                  (everything the pattern renders before the sequence), so "{YY}{area}{industry}{seq:4}"
                  counts per (year, area, industry).
The counter row (NumberSequence, one per record type and scope) is read under a row lock
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serializes writers with BEGIN IMMEDIATE), so
concurrent saves never receive the same number. A sequence that runs past its digits is a
Conflict, never a longer or repeated number.

The shipped rules (`RULES`) can be changed with `set_rule` (e.g. from configuration at startup).

服务授权编号 (service authorization number, requirements 004 三.1): `YY AAAA II NNNN`, carried by
the customer (the sales record that quotes it in the requirements belongs to a customer; agents
have their own 代理商编号). Rendered without spaces: 12 digits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.errors import Conflict, ValidationFailed
from crm.records.models import NumberSequence
from db.base import utcnow
from db.session import lock_for_update

TOKEN = re.compile(r"\{(\w+)(?::(\d+))?\}")
SERVICE_AUTH = "service_auth"


@dataclass(frozen=True)
class Rule:
    pattern: str

    def __post_init__(self) -> None:
        seqs = [m for m in TOKEN.finditer(self.pattern) if m.group(1) == "seq"]
        if len(seqs) != 1 or not seqs[0].group(2) or not self.pattern.endswith(seqs[0].group(0)):
            raise ValueError(f"a numbering pattern ends with one {{seq:N}} token: {self.pattern!r}")

    @property
    def width(self) -> int:
        m = TOKEN.search(self.pattern[self.pattern.rindex("{seq"):])
        assert m is not None
        return int(m.group(2))

    def prefix(self, at: datetime, values: dict[str, str]) -> str:
        head = self.pattern[:self.pattern.rindex("{seq")]

        def token(m: re.Match[str]) -> str:
            name = m.group(1)
            if name == "YY":
                return f"{at.year % 100:02d}"
            if name == "YYYY":
                return f"{at.year:04d}"
            if name == "MM":
                return f"{at.month:02d}"
            if name not in values:
                raise ValidationFailed(f"numbering needs '{name}'", {name: "required to issue the number"})
            return str(values[name])

        return TOKEN.sub(token, head)


RULES: dict[str, Rule] = {
    SERVICE_AUTH: Rule("{YY}{area}{industry}{seq:4}"),
    "customer": Rule("KH{YYYY}{seq:5}"),
    "contract": Rule("HT{YYYY}{seq:4}"),
    "agent": Rule("DL{seq:4}"),
    # 公文 (crm/documents.py appends 号): 发〔2026〕001号, 收〔2026〕001号
    "document_out": Rule("发〔{YYYY}〕{seq:3}"),
    "document_in": Rule("收〔{YYYY}〕{seq:3}"),
    "opportunity": Rule("JH{YYYY}{seq:4}"),
}


def set_rule(record_type: str, pattern: str) -> None:
    """Change (or add) the numbering rule of a record type. Raises ValueError for a bad pattern."""
    RULES[record_type] = Rule(pattern)


def next_value(s: Session, record_type: str, scope: str) -> int:
    """Increment and return the counter of (record_type, scope), holding its row lock until commit."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(insert(NumberSequence).values(record_type=record_type, scope=scope, value=0)
              .on_conflict_do_nothing(index_elements=["record_type", "scope"]))
    row = s.scalar(lock_for_update(select(NumberSequence).where(
        NumberSequence.record_type == record_type, NumberSequence.scope == scope), s)
        .execution_options(populate_existing=True))
    assert row is not None
    row.value += 1
    s.flush()
    return row.value


def issue(s: Session, record_type: str, values: dict[str, str] | None = None, at: datetime | None = None) -> str:
    """The next number of `record_type` under its rule."""
    rule = RULES[record_type]
    prefix = rule.prefix(at or utcnow(), values or {})
    value = next_value(s, record_type, prefix)
    if value >= 10 ** rule.width:
        raise Conflict(f"the {record_type} numbers for '{prefix}' are used up ({10 ** rule.width - 1} issued)")
    return f"{prefix}{value:0{rule.width}d}"


def service_auth_no(s: Session, area_code: str, industry: str, at: datetime | None = None) -> str:
    """服务授权编号: 2-digit year, 4-digit area code, 2-digit industry (01-05), 4-digit sequence."""
    return issue(s, SERVICE_AUTH, {"area": area_code, "industry": industry}, at)


# ---------------------------------------------------------------- 业务员编号 (salesperson codes)

# Requirements 001: "业务员的编号是由两个字母加四个数字组成。每个代理商所有业务员前四位都是相同的,
# 前四位代表地区和代理编号 ... 最后两位数字从01-99代表业务员的编号, 编写时不要重复。"
SALESPERSON = "salesperson"
RULES[SALESPERSON] = Rule("{agency}{seq:2}")
SALES_PREFIX = re.compile(r"^[A-Z]{2}\d{2}$")
SALES_CODE = re.compile(r"^[A-Z]{2}\d{2}(0[1-9]|[1-9]\d)$")


def salesperson_code(s: Session, value: str, taken: set[str]) -> str:
    """The salesperson code for `value`: a full code (two letters, four digits, the last two 01-99)
    is kept as given; a four-character prefix (two letters, two digits: region and agency) gets the
    next free number of that agency. `taken`: the codes already in use. ValidationFailed / Conflict
    name the field `sales_code`."""
    value = value.strip().upper() if isinstance(value, str) else value
    if isinstance(value, str) and SALES_CODE.match(value):
        if value in taken:
            raise Conflict(f"salesperson code {value} is taken", {"sales_code": "already exists"})
        return value
    if not isinstance(value, str) or not SALES_PREFIX.match(value):
        raise ValidationFailed("invalid salesperson code", {"sales_code": "two letters and four digits (e.g. SD0107), "
                                                                          "or two letters and two digits to number"})
    while True:
        try:
            code = issue(s, SALESPERSON, {"agency": value})
        except Conflict as e:
            raise Conflict(str(e), {"sales_code": "this agency's 99 numbers are used up"}) from e
        if code not in taken:
            return code
