"""The fields of a record as the API sees them, and what each field kind means.

A field is declared once (`F`: its kind, length, allowed values, bounds); each field kind has one
entry in each dispatch table:

- `PARSERS`: a submitted JSON value -> the model value (or `Bad(message)`),
- `FILTERS`: a query-string value -> the value to filter on (or `Bad(message)`),
- `OUTPUTS`: the model value -> its JSON value.

Validation, search, filtering and serialization of every record kind are derived from that.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Msg
from core.ids import is_id
from crm.admin import options as option_lists
from crm.models import User
from crm.records.models import Agent, Customer
from db.base import iso

MAX_CUSTOM_JSON = 20_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")
TEXT_KINDS = ("text", "email", "phone")  # searched by `?q=`
REFERENCES: dict[str, type] = {"customer": Customer, "agent": Agent}  # kind -> the model an id names


@dataclass(frozen=True)
class F:
    """One field of a record as the API sees it.

    kind: a key of PARSERS (text | email | phone | enum | option | int | decimal | date | datetime | bool |
    json | user | customer | agent). `attr` is the model attribute (default: name, or name + "_id" for
    references). An `option` field stores a code of the data-dictionary list `options`
    (crm/admin/options.py): admins change the list, the code stays.
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
    options: str | None = None

    @property
    def attr(self) -> str:
        if self.attr_name:
            return self.attr_name
        return self.name + "_id" if self.kind in ("user", *REFERENCES) else self.name

    @property
    def searchable(self) -> bool:
        return self.kind in TEXT_KINDS


def text(name: str, max_len: int = 200, **kw: Any) -> F:
    return F(name, "text", max_len, **kw)


def note(name: str, max_len: int = 4000, **kw: Any) -> F:
    return F(name, "text", max_len, **kw)


class Bad(Exception):
    """A value that does not validate; the message names why (a core.errors.Msg when pages may
    translate it by code: `message`)."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


# ---------------------------------------------------------------- parsing submitted values

# (session, field, value, reach of the caller or None for everyone) -> the model value
Parser = Callable[[Session, F, Any, "set[int] | None"], Any]


def parse(s: Session, f: F, value: Any, ids: set[int] | None) -> Any:
    """The model value for a JSON value of field f; Bad(message) when it does not validate."""
    if value is None or (isinstance(value, str) and not value.strip() and f.kind not in ("json", "bool")):
        if f.required:
            raise Bad(Msg("required", "required"))
        return f.default if f.kind == "bool" else None
    return PARSERS[f.kind](s, f, value, ids)


def _string(check: Callable[[F, str], None] | None = None) -> Parser:
    """A parser of stripped strings within the field's length, with a kind's own `check`."""

    def parse_string(s: Session, f: F, value: Any, ids: set[int] | None) -> str:
        if not isinstance(value, str):
            raise Bad("must be a string")
        value = value.strip()
        if len(value) > f.max_len:
            raise Bad(f"at most {f.max_len} characters")
        if check is not None:
            check(f, value)
        if f.pattern and not re.match(f.pattern, value):
            raise Bad(f"must match {f.pattern}")
        return value

    return parse_string


def _email(f: F, value: str) -> None:
    if not EMAIL.match(value):
        raise Bad("not an email address")


def _phone(f: F, value: str) -> None:
    if not PHONE.match(value):
        raise Bad("digits, spaces and + - ( ) only, 3 to 32 characters")


def _choice(f: F, value: str) -> None:
    if value not in f.choices:
        raise Bad(Msg("not_allowed", f"one of: {', '.join(f.choices)}"))


def _option(s: Session, f: F, value: Any, ids: set[int] | None) -> str:
    """A code of the field's option list that is offered now (crm/admin/options.py)."""
    code = _string()(s, f, value, ids)
    assert f.options is not None
    problem = option_lists.check(s, f.options, code)
    if problem is not None:
        raise Bad(problem)
    return code


def _within_bounds(f: F, value: Any) -> None:
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        raise Bad(f"from {f.low} to {f.high}")


def _int(s: Session, f: F, value: Any, ids: set[int] | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Bad("must be an integer")
    _within_bounds(f, value)
    return value


def _decimal(s: Session, f: F, value: Any, ids: set[int] | None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Bad("must be a number")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as e:
        raise Bad("must be a number") from e
    if not d.is_finite():
        raise Bad("must be a number")
    step = Decimal(1).scaleb(-f.places)
    if d != d.quantize(step):
        raise Bad(f"at most {f.places} decimal places")
    _within_bounds(f, d)
    return d.quantize(step)


def _date(s: Session, f: F, value: Any, ids: set[int] | None) -> date:
    if not isinstance(value, str) or len(value.strip()) != 10:
        raise Bad(Msg("date", "a date YYYY-MM-DD"))
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise Bad(Msg("date", "a date YYYY-MM-DD")) from e


def _datetime(s: Session, f: F, value: Any, ids: set[int] | None) -> datetime:
    if not isinstance(value, str):
        raise Bad("a date-time (ISO 8601)")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as e:
        raise Bad("a date-time (ISO 8601)") from e
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def _bool(s: Session, f: F, value: Any, ids: set[int] | None) -> bool:
    if not isinstance(value, bool):
        raise Bad("true or false")
    return value


def _json(s: Session, f: F, value: Any, ids: set[int] | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Bad("must be an object")
    if len(json.dumps(value, ensure_ascii=False)) > MAX_CUSTOM_JSON:
        raise Bad(f"at most {MAX_CUSTOM_JSON} characters as JSON")
    return value


def _user(s: Session, f: F, value: Any, ids: set[int] | None) -> int:
    if not isinstance(value, str):
        raise Bad("must be a username")
    user = s.scalar(select(User).where(User.username == value))
    if user is None:
        raise Bad(f"no user '{value}'")
    if not user.active:
        raise Bad(f"user '{value}' is deactivated")
    return user.id


def _reference(s: Session, f: F, value: Any, ids: set[int] | None) -> int:
    if not is_id(value):
        raise Bad(f"must be a {f.kind} id (positive integer)")
    row = s.get(REFERENCES[f.kind], value)
    # a customer the actor may not see is reported exactly like a missing one
    if row is None or (f.kind == "customer" and ids is not None and row.owner_id not in ids):
        raise Bad(f"no {f.kind} with id {value}")
    return value


PARSERS: dict[str, Parser] = {
    "text": _string(), "email": _string(_email), "phone": _string(_phone), "enum": _string(_choice),
    "option": _option, "int": _int, "decimal": _decimal, "date": _date, "datetime": _datetime, "bool": _bool,
    "json": _json, "user": _user, "customer": _reference, "agent": _reference,
}


# ---------------------------------------------------------------- filtering by a query-string value


def filter_value(s: Session, f: F, raw: str) -> Any:
    """The value to compare field f with for `?name=raw`; Bad(message) when it cannot be one."""
    parse_filter = FILTERS.get(f.kind)
    if parse_filter is None:
        raise Bad("cannot filter on this field")
    return parse_filter(s, f, raw)


def _filter_enum(s: Session, f: F, raw: str) -> str:
    _choice(f, raw)
    return raw


def _filter_option(s: Session, f: F, raw: str) -> str:
    """Any code the list has (a retired one too: records may still hold it)."""
    assert f.options is not None
    codes = [e.code for e in option_lists.entries(s, f.options)]
    if raw not in codes:
        raise Bad(Msg("not_allowed", f"one of: {', '.join(codes)}"))
    return raw


def _filter_bool(s: Session, f: F, raw: str) -> bool:
    if raw.lower() not in ("true", "false", "1", "0"):
        raise Bad("true or false")
    return raw.lower() in ("true", "1")


def _filter_int(s: Session, f: F, raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise Bad("an integer")
    return int(raw)


def _filter_decimal(s: Session, f: F, raw: str) -> Decimal:
    try:
        d = Decimal(raw)
    except InvalidOperation as e:
        raise Bad("a number") from e
    if not d.is_finite():
        raise Bad("a number")
    return d


def _filter_date(s: Session, f: F, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as e:
        raise Bad("a date YYYY-MM-DD") from e


def _filter_user(s: Session, f: F, raw: str) -> int:
    user = s.scalar(select(User).where(User.username == raw))
    if user is None:
        raise Bad(f"no user '{raw}'")
    return user.id


def _as_is(s: Session, f: F, raw: str) -> str:
    return raw


FILTERS: dict[str, Callable[[Session, F, str], Any]] = {
    "text": _as_is, "email": _as_is, "phone": _as_is, "enum": _filter_enum, "option": _filter_option,
    "bool": _filter_bool, "int": _filter_int, "customer": _filter_int, "agent": _filter_int, "decimal": _filter_decimal,
    "date": _filter_date, "user": _filter_user,
}


# ---------------------------------------------------------------- serializing


def username(s: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = s.get(User, user_id)
    return user.username if user is not None else None


OUTPUTS: dict[str, Callable[[Session, F, Any], Any]] = {
    "user": lambda s, f, value: username(s, value),
    "decimal": lambda s, f, value: str(value.quantize(Decimal(1).scaleb(-f.places))),
    "date": lambda s, f, value: value.isoformat(),
    "datetime": lambda s, f, value: iso(value),
}


def output(s: Session, f: F, value: Any) -> Any:
    """The JSON value of a model value of field f."""
    if value is None or f.kind not in OUTPUTS:
        return value
    return OUTPUTS[f.kind](s, f, value)
