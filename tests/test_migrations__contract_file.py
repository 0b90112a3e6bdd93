"""Migration 0022_contract_file on a database holding a contract (with its text `attachment`) and a
loose upload, on SQLite and PostgreSQL: after the upgrade the contract holds no file, its text field is
as it was, the upload is bound to no record; a file bound to the contract survives the purge; the
downgrade to 0021 keeps the contract and its text field."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from alembic import command
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, create_engine, insert, pool, select, text

from db.migrate import alembic_config, upgrade
from db.session import Database, normalize_url
from files import service as file_service
from files.models import StoredFile
from tests.migration_rows import user_and_definition

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _row(table: Any, **given: Any) -> dict[str, Any]:
    """`given` plus a plain value for every other required column (reflected: no server default)."""
    out = dict(given)
    for col in table.columns:
        if col.name in out or col.nullable or col.primary_key or col.server_default is not None:
            continue
        t = col.type
        out[col.name] = (False if isinstance(t, Boolean) else T0 if isinstance(t, DateTime) else date(2026, 3, 1)
                         if isinstance(t, Date) else Decimal(0) if isinstance(t, Numeric) else 0
                         if isinstance(t, Integer) else {} if "JSON" in type(t).__name__.upper() else f"x-{col.name}")
    return out


def _check(url: str) -> None:
    command.upgrade(alembic_config(url), "0021_chain_head")
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        meta = MetaData()
        meta.reflect(eng)
        with eng.begin() as conn:
            uid, _ = user_and_definition(conn, meta, T0)
            cid = conn.execute(insert(meta.tables["customer"]).values(
                _row(meta.tables["customer"], name="甲公司", owner_id=uid))).inserted_primary_key[0]
            kid = conn.execute(insert(meta.tables["contract"]).values(_row(
                meta.tables["contract"], number="HT-1", customer_id=cid, title="甲合同", owner_id=uid,
                attachment="http://files.example/ht-1.pdf"))).inserted_primary_key[0]
            conn.execute(insert(meta.tables["stored_file"]).values(
                id="a" * 32, name="a.pdf", size=1, sha256="0" * 64, content_type="application/pdf", uploaded_by=uid,
                uploaded_at=T0))
    finally:
        eng.dispose()
    upgrade(url)
    db = Database(url)
    try:
        with db.uow(write=True) as s:
            row = s.execute(text("SELECT attachment, file_id FROM contract WHERE id = :k"), {"k": kid}).one()
            assert tuple(row) == ("http://files.example/ht-1.pdf", None)
            loose = s.get(StoredFile, "a" * 32)
            assert loose is not None and loose.record is None
            s.add(StoredFile(id="b" * 32, name="b.pdf", size=1, sha256="0" * 64, content_type="application/pdf",
                             uploaded_by=uid, uploaded_at=T0, record=f"contract:{kid}"))
            s.flush()
            s.execute(text("UPDATE contract SET file_id = :f WHERE id = :k"), {"f": "b" * 32, "k": kid})
        assert file_service.purge_unreferenced(db, T0 + timedelta(days=2)) == 1
        with db.uow() as s:
            assert s.scalars(select(StoredFile.id)).all() == ["b" * 32]
    finally:
        db.dispose()
    command.downgrade(alembic_config(url), "0021_chain_head")
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with eng.connect() as conn:
            assert conn.execute(text("SELECT attachment FROM contract")).scalar_one() == "http://files.example/ht-1.pdf"
    finally:
        eng.dispose()


def test_0022_adds_the_contract_file__sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'lz.db'}")


def test_0022_adds_the_contract_file__postgresql(pg_url):
    _check(pg_url)
