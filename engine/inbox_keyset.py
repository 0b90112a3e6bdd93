"""Keyset pagination for the inbox (engine/inbox.py): a page starts after (or before) the sort key
of a row instead of skipping OFFSET rows, so page 400 costs what page 1 costs.

    Cursor.decode(text, box, sort) -> Cursor   (422 naming `cursor` when it is not one of this box/sort)
    Cursor(box, sort, values, backwards).encode() -> str (URL-safe)
    after(keys, values, backwards) -> SQL condition; ordered(keys, backwards) -> ORDER BY clauses

A sort is a list of (expression, ascending) keys ending with a unique one (the row id). The cursor
carries the box and sort it was made for, the key values of the row it starts from and the
direction (`backwards`: the page before that row, for "previous").
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, and_, false, literal, not_, or_, tuple_

from core.errors import ValidationFailed

Key = tuple[Any, bool]  # (SQL expression, ascending)


def _bad() -> ValidationFailed:
    return ValidationFailed("invalid cursor",
                            {"cursor": "a cursor from next_cursor / prev_cursor of this box and sort"})


def _dump(v: Any) -> Any:
    return {"t": v.isoformat()} if isinstance(v, datetime) else v


def _load(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v) != {"t"} or not isinstance(v["t"], str):
            raise _bad()
        try:
            return datetime.fromisoformat(v["t"])
        except ValueError:
            raise _bad() from None
    if v is None or isinstance(v, (bool, int)):
        return v
    raise _bad()


@dataclass(frozen=True)
class Cursor:
    box: str
    sort: str
    values: tuple[Any, ...]
    backwards: bool = False

    def encode(self) -> str:
        raw = json.dumps([self.box, self.sort, [_dump(v) for v in self.values], int(self.backwards)],
                         separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: Any, box: str, sort: str) -> Cursor:
        if not isinstance(text, str) or len(text) > 400:
            raise _bad()
        try:
            raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError):
            raise _bad() from None
        if not (isinstance(raw, list) and len(raw) == 4 and raw[:2] == [box, sort] and isinstance(raw[2], list)
                and raw[3] in (0, 1)):
            raise _bad()
        return cls(box, sort, tuple(_load(v) for v in raw[2]), bool(raw[3]))


def ordered(keys: list[Key], backwards: bool = False) -> list[Any]:
    return [expr.asc() if asc != backwards else expr.desc() for expr, asc in keys]


def after(keys: list[Key], values: tuple[Any, ...], backwards: bool = False) -> Any:
    """Rows strictly after `values` in the order of `keys` (before them when `backwards`). Keys of
    one direction with non-NULL values compare as one row value (an index range); otherwise a chain
    of "equal so far, then beyond". A NULL value has nothing beyond it in its own key (the due sort
    puts an explicit `due_at IS NULL` key before the due time, so NULLs form their own group)."""
    if len(values) != len(keys) or not all(_fits(e, v) for (e, _a), v in zip(keys, values, strict=True)):
        raise _bad()
    directions = {asc != backwards for _e, asc in keys}
    if len(directions) == 1 and all(v is not None and not isinstance(v, bool) for v in values):
        row = tuple_(*(e for e, _a in keys))
        return row > tuple_(*_binds(keys, values)) if directions.pop() else row < tuple_(*_binds(keys, values))
    chain = []
    for i, (expr, asc) in enumerate(keys):
        value, up = values[i], asc != backwards
        if value is None or (isinstance(value, bool) and value == up):
            continue  # nothing sorts beyond it within this key
        if isinstance(value, bool):
            beyond = expr if up else not_(expr)
        else:
            beyond = expr > value if up else expr < value
        chain.append(and_(*(_eq(e, v) for (e, _a), v in zip(keys[:i], values[:i], strict=True)), beyond))
    return or_(*chain) if chain else false()


def _fits(expr: Any, value: Any) -> bool:
    """A forged cursor's value of the wrong kind is refused here, not by the database."""
    kind = expr.type
    if value is None or isinstance(kind, Boolean):
        return value is None or isinstance(value, bool)
    if isinstance(kind, DateTime):
        return isinstance(value, datetime)
    if isinstance(kind, Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    return False


def _binds(keys: list[Key], values: tuple[Any, ...]) -> list[Any]:
    return [literal(v, type_=e.type) for (e, _a), v in zip(keys, values, strict=True)]


def _eq(expr: Any, value: Any) -> Any:
    if value is None:
        return expr.is_(None)
    if isinstance(value, bool):
        return expr if value else not_(expr)
    return expr == value
