"""Bring a database's schema up to date with the Alembic migrations in migrations/.

`upgrade(url)` is what `python app.py init-db` calls; it is idempotent (an up-to-date database
is left alone). From a shell the same is `.venv/bin/alembic -x url=<url> upgrade head`.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from db.session import normalize_url

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
MIGRATIONS = ROOT / "migrations"


def ensure_sqlite_dir(url: str) -> None:
    """Create the directory of a SQLite database file (e.g. instance/) if it does not exist."""
    u = make_url(normalize_url(url))
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:" \
            and not u.database.startswith("file:"):
        os.makedirs(os.path.dirname(os.path.abspath(u.database)), exist_ok=True)


def alembic_config(url: str) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = normalize_url(url)
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (default: the latest)."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
