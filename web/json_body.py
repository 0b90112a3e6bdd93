"""The one strict reader of JSON request bodies, for every face (api/, the pages' scripts, the
designer): malformed JSON, NaN / Infinity (PostgreSQL's JSON columns refuse them), numbers too big
for a double, nesting deeper than MAX_DEPTH and a body that is not an object are `BadJson`, which
each face answers in its own way (api/: 400; pages and designer: 422 naming `body`). Flask's
`get_json(silent=True)` let NaN through and raised RecursionError (a 500) on `[[[[...`."""
from __future__ import annotations

import json
import math
from typing import Any

from core.errors import ValidationFailed

MAX_DEPTH = 32


class BadJson(ValueError):
    """A body that is not a JSON object this service accepts; `why` is the field message for `body`."""

    def __init__(self, message: str, why: str = "must be a JSON object"):
        super().__init__(message)
        self.message, self.why = message, why


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return True


def loads(raw: bytes | str) -> Any:
    """Any JSON value, strictly (see the module); BadJson otherwise."""
    try:
        value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite)
    except (ValueError, RecursionError) as e:
        raise BadJson("the request body is not valid JSON") from e
    if not _depth_ok(value):
        raise BadJson(f"the request body is nested more than {MAX_DEPTH} levels deep", "nested too deeply")
    return value


def loads_object(raw: bytes | str) -> dict[str, Any]:
    """A JSON object ({} for an empty body), strictly; BadJson otherwise."""
    if not raw.strip():
        return {}
    value = loads(raw)
    if not isinstance(value, dict):
        raise BadJson("the request body must be a JSON object")
    return value


def page_object(raw: bytes | str) -> dict[str, Any]:
    """`loads_object` for the pages' scripts and the designer: a refusal is a ValidationFailed naming
    `body` (422 in their error map)."""
    try:
        return loads_object(raw)
    except BadJson as e:
        raise ValidationFailed(e.message, {"body": e.why}) from e
