"""The figures an approver decides on, for the top of the task page: what the process computed on
the server (a service task's `<node>.result`: the leave request's `days` and the `balance` left,
an expense claim's `total`, a settlement's `amount`) and the form's own `amount`.

    key_figures(data, hidden) -> [{"key": "days", "value": 2.0}, {"key": "balance", "value": 10.0}, ...]

Only values the viewer may see (`data` is already without the node's hidden fields; a hidden key
is never shown), numbers and numeric strings only, each key once (the first found wins, the
form's field before a service result).
"""
from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

# in the order the page shows them
RESULT_KEYS = ("days", "balance", "total", "amount", "fees")
FORM_KEYS = ("amount", "total", "fees")


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return bool(value.strip())
    return False


def key_figures(data: dict[str, Any], hidden: Collection[str] = ()) -> list[dict[str, Any]]:
    found: dict[str, Any] = {}
    for key in FORM_KEYS:
        if key not in hidden and _number(data.get(key)):
            found.setdefault(key, data[key])
    for value in data.values():
        result = value.get("result") if isinstance(value, dict) else None
        if not isinstance(result, dict):
            continue
        for key in RESULT_KEYS:
            if key not in hidden and _number(result.get(key)):
                found.setdefault(key, result[key])
    return [{"key": k, "value": found[k]} for k in RESULT_KEYS if k in found]
