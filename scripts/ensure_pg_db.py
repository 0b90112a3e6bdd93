"""Create the PostgreSQL database of a URL when it does not exist (make run-scaled). Usage:
    python scripts/ensure_pg_db.py postgresql://postgres@127.0.0.1:5432/liuzhuan"""
from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def main(url: str) -> int:
    u = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    if not u.get_backend_name().startswith("postgresql"):
        return 0
    name = u.database
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar() is None:
            c.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"database {name} created")
    admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
