"""One submitted value against one form-js input component (forms/validate.py walks the data).

    check_value(component, value, options=..., required=...) -> an error message, or None

Messages are English and carry a code and parameters (core.errors.Msg), so a page shows them in
the user's language (web/messages.py). Pure functions.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from core.errors import Msg
from forms.files import check_files
from forms.numbers import MAX_SIGNIFICANT
from forms.schema import (
    MULTI_VALUE_TYPES,
    OPTION_TYPES,
    PATTERN_SECONDS,
    allowed_values,
    compile_pattern,
    to_decimal,
)

# Where a value is absent (not even null): forms/validate.py walks data with it.
MISSING: Any = object()

# The WHATWG <input type=email> pattern, which form-js also uses.
EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
# International (+ or 00, country code, 7-15 digits in all) or a mainland China mobile number.
PHONE = re.compile(r"(?:\+|00)[1-9]\d{6,14}|1[3-9]\d{9}")
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
# Field messages are English (what the API answers) and carry a code and parameters, so a page
# shows them in the user's language (web/messages.py).
REQUIRED = Msg("required", "is required")
NUMBER_FORMAT = Msg("number_format", "must be a number such as 50000 or 50,000.50 "
                    "(a comma only between groups of three digits)")
PATTERN_TOO_SLOW = Msg("pattern_too_slow", "cannot be checked against this field's pattern in time: ask the process "
                       "administrator to simplify the pattern")
PRECISION = Msg("precision", f"must have at most {MAX_SIGNIFICANT} significant digits", max=MAX_SIGNIFICANT)
DATETIME_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "date": (re.compile(_DATE), Msg("date", "must be a date (YYYY-MM-DD)")),
    "time": (re.compile(_TIME), Msg("time", "must be a time (HH:MM)")),
    "datetime": (re.compile(_DATE + "T" + _TIME), Msg("date", "must be a date and time (YYYY-MM-DDTHH:MM)")),
}


def _is_empty(ctype: str, comp: dict[str, Any], value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and not value.strip():
        return ctype != "number" or bool(comp.get("serializeToString"))
    if isinstance(value, list) and not value:
        return ctype in MULTI_VALUE_TYPES or ctype == "filepicker"
    return ctype == "checkbox" and value is False


def check_value(
    comp: dict[str, Any], value: Any, options: dict[str, list[Any]] | None = None, *, required: bool = False
) -> str | None:
    """The error message for one submitted value of one input component, or None."""
    ctype = comp["type"]
    if _is_empty(ctype, comp, value):
        return REQUIRED if required else None
    rules = comp.get("validate") or {}
    if ctype in ("textfield", "textarea"):
        return _check_text(rules, value)
    if ctype == "number":
        return _check_number(comp, rules, value)
    if ctype == "checkbox":
        return None if isinstance(value, bool) else "must be true or false"
    if ctype == "datetime":
        return _check_datetime(comp, value)
    if ctype in OPTION_TYPES:
        return _check_choice(comp, value, options)
    if ctype == "filepicker":
        return check_files(comp, value)
    return None  # pragma: no cover - compile_schema admits only the types above


def _check_text(rules: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return Msg("text", "must be text")
    length = len(value.strip())  # form-js measures the trimmed value
    if rules.get("minLength") is not None and length < rules["minLength"]:
        return Msg("min_length", f"must be at least {rules['minLength']} characters", min=rules["minLength"])
    if rules.get("maxLength") is not None and length > rules["maxLength"]:
        return Msg("max_length", f"must be at most {rules['maxLength']} characters", max=rules["maxLength"])
    pattern = rules.get("pattern")
    try:
        if pattern and not compile_pattern(pattern).fullmatch(value, timeout=PATTERN_SECONDS):
            return f"must match the pattern {pattern}"
    except TimeoutError:
        return PATTERN_TOO_SLOW
    vtype = rules.get("validationType")
    if vtype == "email" and not EMAIL.fullmatch(value.strip()):
        return Msg("email", "must be a valid email address")
    if vtype == "phone" and not PHONE.fullmatch(re.sub(r"[\s-]", "", value)):
        return Msg("phone", "must be a valid phone number")
    return None


def _check_number(comp: dict[str, Any], rules: dict[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and not comp.get("serializeToString"):
        return Msg("number", "must be a number")
    number = to_decimal(value)
    if number is None:
        return Msg("number", "must be a number")
    if rules.get("min") is not None and number < _dec(rules["min"]):
        return Msg("min_value", f"must be at least {rules['min']}", min=rules["min"])
    if rules.get("max") is not None and number > _dec(rules["max"]):
        return Msg("max_value", f"must be at most {rules['max']}", max=rules["max"])
    digits = comp.get("decimalDigits")
    if isinstance(digits, int) and digits >= 0:
        exponent = number.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > digits:
            return (Msg("whole_number", "must be a whole number") if digits == 0
                    else Msg("decimal_places", f"must have at most {digits} decimal places", max=digits))
    increment = comp.get("increment")
    if increment not in (None, "") and not _multiple_of(number, _dec(increment)):
        return f"must be a multiple of {increment}"
    return None


def _multiple_of(number: Decimal, step: Decimal) -> bool:
    with localcontext() as exact:
        exact.prec = 1000
        try:
            return number % step == 0
        except InvalidOperation:  # more digits than even that precision: not a sensible value
            return False


def _dec(raw: Any) -> Decimal:
    number = to_decimal(raw)
    assert number is not None  # guaranteed by check_schema
    return number


def _check_datetime(comp: dict[str, Any], value: Any) -> str | None:
    regex, message = DATETIME_FORMATS[comp.get("subtype", "date")]
    if not isinstance(value, str) or not regex.fullmatch(value):
        return message
    if comp.get("subtype", "date") != "time":
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            return message
    return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _check_choice(comp: dict[str, Any], value: Any, options: dict[str, list[Any]] | None) -> str | None:
    allowed = allowed_values(comp, options)
    if comp["type"] in MULTI_VALUE_TYPES:
        if not isinstance(value, list):
            return "must be a list"
        if not all(_scalar(v) for v in value):
            return "must be a list of values"
        if allowed is not None and not all(any(same(v, a) for a in allowed) for v in value):
            return "contains a value that is not one of the allowed values"
        if any(same(v, w) for i, v in enumerate(value) for w in value[i + 1 :]):
            return "contains a value twice"
        return None
    if not _scalar(value):
        return "must be a single value"
    if allowed is not None and not any(same(value, a) for a in allowed):
        return Msg("not_allowed", "is not one of the allowed values")
    return None


def same(a: Any, b: Any) -> bool:
    """JSON equality (no True == 1); missing, None, "" and [] are all 'no value'."""
    empty: tuple[Any, ...] = (None, "", [])
    if (a is MISSING or any(a == e and type(a) is type(e) for e in empty)) and (
        b is MISSING or any(b == e and type(b) is type(e) for e in empty)
    ):
        return True
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
