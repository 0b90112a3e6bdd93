"""Parsing submitted values in crm/ services (process write-back functions)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def parse_decimal(value: Any, places: Decimal, low: Decimal, high: Decimal) -> Decimal | str:
    """The value as a Decimal within [low, high] with at most `places` decimals, or why not."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return "must be a number"
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return "must be a number"
    if not d.is_finite():
        return "must be a number"
    if d < low:
        return f"must be at least {low}"
    if d > high:
        return f"must be at most {high}"
    if d != d.quantize(places):
        return f"at most {len(str(places).split('.')[-1])} decimals"
    return d.quantize(places)
