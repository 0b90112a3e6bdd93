"""`?page=` of the pages' lists: a whole number from 1 to MAX_PAGE (the API's bound too). Anything
else is page 1; a page beyond MAX_PAGE is MAX_PAGE, which shows an empty page (no list here comes
near it), never an OFFSET the database cannot hold (a bigint overflow on PostgreSQL: a 500)."""
from __future__ import annotations

from typing import Any

MAX_PAGE = 1_000_000


def page_number(args: Any, name: str = "page") -> int:
    text = (args.get(name) or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE)):  # (and int() of thousands of digits is itself an error)
        return MAX_PAGE
    return max(1, min(int(text), MAX_PAGE))
