"""Dropping PostgreSQL test databases: the one statement tests/conftest.py's admin uses, and, run as a
script (`python tests/pg_drop.py ADMIN_URL NAME...`), the detached process that drops what a worker
leaves at the end of its session. Imports nothing of the project, so that process starts quickly."""
from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import create_engine, text


def drop(conn: Any, name: str) -> None:
    """Drop database `name` (gone already is fine; FORCE ends its connections). `conn`: autocommit."""
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main(admin_url: str, names: list[str]) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
    with engine.connect() as conn:
        for name in names:
            try:  # one that cannot be dropped leaves the others to drop
                drop(conn, name)
            except Exception as e:
                print(f"{name}: {e}", file=sys.stderr)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
