"""Business keys such as QJ-2026-000123: a per prefix and year counter, taken under a row lock."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.base import utcnow
from db.session import lock_for_update
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
