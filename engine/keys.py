"""Business keys such as QJ-2026-000123: a per prefix and year counter, taken under a row lock.

The lock must not be held while user code runs (a slow script would block every other start of
the same prefix): `take()` takes the number in its own short transaction on PostgreSQL, committed
at once, so a start that later fails leaves a gap in the numbers. On SQLite every write
transaction holds the database's one write lock anyway (BEGIN IMMEDIATE), so the number is taken
in the caller's transaction and no gap is left; there a start waits for another start's engine
steps, which the sandbox's CPU budget bounds (core/limits.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.base import utcnow
from db.session import Database, lock_for_update
from engine.models import KeySequence

DEFAULT_PREFIX = "LZ"


def next_business_key(s: Session, prefix: str) -> str:
    prefix = (prefix or DEFAULT_PREFIX).upper()
    year = utcnow().year
    stmt = lock_for_update(select(KeySequence).where(KeySequence.prefix == prefix, KeySequence.year == year), s)
    row = s.scalars(stmt).first()
    if row is None:
        try:
            with s.begin_nested():
                s.add(KeySequence(prefix=prefix, year=year, value=0))
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        row = s.scalars(stmt).one()
    row.value += 1
    s.flush()
    return f"{prefix}-{year}-{row.value:06d}"


def take(db: Database, s: Session, prefix: str) -> str:
    """The next business key, without keeping the counter locked in `s` (see the module doc)."""
    if db.is_sqlite:
        return next_business_key(s, prefix)
    with db.uow(write=True) as own:
        return next_business_key(own, prefix)
