"""Parsing submitted values in crm/ services (process write-back functions)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import Msg


def parse_decimal(value: Any, places: Decimal, low: Decimal, high: Decimal) -> Decimal | Msg:
    """The value as a Decimal within [low, high] with at most `places` decimals, or why not."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return Msg("number", "must be a number")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return Msg("number", "must be a number")
    if not d.is_finite():
        return Msg("number", "must be a number")
    if d < low:
        return Msg("min", f"must be at least {low}", min=str(low))
    if d > high:
        return Msg("max", f"must be at most {high}", max=str(high))
    if d != d.quantize(places):
        decimals = len(str(places).split('.')[-1])
        return Msg("decimals", f"at most {decimals} decimals", places=decimals)
    return d.quantize(places)
