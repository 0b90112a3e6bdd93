"""Record ids as the outside world sends them: every id column is an `Integer` (32 bits on
PostgreSQL), so an id is a whole number from 1 to MAX_ID. A larger one cannot name a row; handing
it to the database would overflow (an error, not an answer), so callers treat it as naming nothing.
"""
from __future__ import annotations

import re
from typing import Any

MAX_ID = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")  # str.isdigit() also accepts "²" and other digits int() refuses


def as_id(raw: Any) -> int | None:
    """`raw` (an int, or ASCII digits around optional spaces) as an id from 1 to MAX_ID, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    if isinstance(raw, str) and _ASCII_DIGITS.fullmatch(raw.strip()):
        value = int(raw)
        return value if 0 < value <= MAX_ID else None
    return None


def is_id(raw: Any) -> bool:
    """`raw` is an int (not a bool) from 1 to MAX_ID: a value that may name a row as it is given."""
    return isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_ID


def id_or_text(raw: str | None) -> int | str | None:
    """A form's id field: None when blank, the id it names, or the text as typed, which the use case
    refuses naming the field (int() took "²" and overflowed the database on 99999999999)."""
    text = (raw or "").strip()
    if not text:
        return None
    found = as_id(text)
    return found if found is not None else text
