"""What a script may leave in the process data (issue 11): only values with a faithful JSON form.

The data is stored as JSON (process_instance.data and the workflow state), so a script's result
is converted or refused as soon as the script ends, never later at the save (where it used to
answer 500 and leave the instance stuck). The rule, applied to every value a script sets,
recursively through lists and objects:

| value | stored as |
|---|---|
| None, bool, str, finite float, int up to 4,300 digits, date / datetime / time / timedelta | itself |
| `Decimal` (finite) | its exact decimal string, `str(d)`: `Decimal('0.1')` -> `"0.1"` (a float would not be exact) |
| tuple | a list |
| dict with str keys | an object |
| NaN or ±infinity (float or Decimal) | refused: JSON has no such number |
| an int over 4,300 digits | refused: Python cannot even print it (the int/str digit limit) |
| a string with a NUL character or a lone surrogate | refused: PostgreSQL and UTF-8 cannot store it |
| anything else (range, set, bytes, objects, non-text keys) | refused: say `list(...)` / `str(...)` in the script |
| nested deeper than 20 levels | refused |

A refusal raises ValueError naming the variable and the path inside it; SpiffWorkflow turns it
into the step's error, which `instances.in_instance` records on the instance and in the audit
trail (the step is rolled back: the instance stays where it was).
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

MAX_DEPTH = 20
MAX_INT_DIGITS = 4300
_MAX_INT_BITS = math.ceil(MAX_INT_DIGITS * math.log2(10))
PLAIN = (date, datetime, time, timedelta)


class NotStorable(ValueError):
    """A script result without a faithful JSON form."""


def storable(value: Any, path: str, depth: int = 0) -> Any:
    """`value` as it may be stored (see the module's table), or NotStorable naming `path`."""
    if depth > MAX_DEPTH:
        raise NotStorable(f"{path}: nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, *PLAIN)):
        return value
    if isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            raise NotStorable(f"{path}: an integer over {MAX_INT_DIGITS} digits cannot be stored")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotStorable(f"{path}: {value} cannot be stored (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotStorable(f"{path}: Decimal {value} cannot be stored (JSON has no NaN or infinity)")
        return str(value)
    if isinstance(value, str):
        return _text(value, path)
    if isinstance(value, list | tuple):
        return [storable(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotStorable(f"{path}: key {k!r} is not text")
            out[_text(k, f"{path} key")] = storable(v, f"{path}.{k}", depth + 1)
        return out
    raise NotStorable(f"{path}: a {type(value).__name__} cannot be stored; convert it (list(...), str(...))")


def _text(value: str, path: str) -> str:
    if "\x00" in value:
        raise NotStorable(f"{path}: text with a NUL character cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NotStorable(f"{path}: text with a lone surrogate cannot be stored") from None
    return value
