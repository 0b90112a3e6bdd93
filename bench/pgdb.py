"""A throw-away PostgreSQL database for a benchmark run (created, yielded as a SQLAlchemy URL,
dropped), shared by the bench scripts that measure both databases."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
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
