"""A throw-away PostgreSQL database for a benchmark run (created, yielded as a SQLAlchemy URL,
dropped), shared by the bench scripts that measure both databases."""
from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"


@contextmanager
def throwaway_pg() -> Iterator[str]:
    """The URL of a new empty database; dropped afterwards. Raises when PostgreSQL is unreachable."""
    import psycopg

    name = f"lz_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_URL + name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as con:
            con.execute(f"DROP DATABASE {name} WITH (FORCE)")


def on_both_databases(measure: Callable[[str], object], name: str = "bench.db") -> None:
    """`measure(url)` on a throw-away SQLite file, then on a throw-away PostgreSQL database; the
    second is reported as skipped (with why) when PostgreSQL is unreachable."""
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/{name}")
    try:
        with throwaway_pg() as url:
            measure(url)
    except Exception as e:  # noqa: BLE001 - PostgreSQL is optional for a benchmark
        print(f"  postgresql skipped: {e}")
