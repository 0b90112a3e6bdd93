"""Migration 0021_chain_head puts each instance's audit chain head (last seq, last hash) on its row,
back-filled from audit_event: a database at revision 0020 with chains of several lengths (none,
one event, three) is upgraded, on SQLite and PostgreSQL, and the next event appended by the engine
links to that head, so the chain still verifies."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import MetaData, create_engine, insert, pool, select

from db.migrate import alembic_config, upgrade
from db.session import Database, normalize_url
from engine import audit
from engine.models import ProcessInstance
from tests.migration_rows import user_and_definition

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LENGTHS = {"no_event": 0, "one_event": 1, "three_events": 3}


def _fill(url: str) -> tuple[dict[str, int], dict[str, str | None]]:
    """Instances with `LENGTHS` events each (hash-chained as engine/audit.py does, before the audit
    key: no macs); their ids and the hash of each one's last event."""
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    ids: dict[str, int] = {}
    heads: dict[str, str | None] = {}
    try:
        meta = MetaData()
        meta.reflect(eng)
        instance, event = meta.tables["process_instance"], meta.tables["audit_event"]
        with eng.begin() as conn:
            uid, did = user_and_definition(conn, meta, T0)
            for n, (name, length) in enumerate(LENGTHS.items()):
                iid = conn.execute(insert(instance).values(
                    definition_id=did, process_key="p", business_key=f"P-2026-{n:06d}", status="running",
                    initiator_id=uid, title=name, data={}, state="{}", revision=1, warnings=[], chosen={},
                    created_at=T0, updated_at=T0)).inserted_primary_key[0]
                ids[name], prev = iid, audit.GENESIS
                for seq in range(1, length + 1):
                    at = T0 + timedelta(minutes=seq)
                    digest = audit._digest(prev, seq, at.replace(tzinfo=None), uid, "comment", None, None,
                                           f"第{seq}条", {})
                    conn.execute(insert(event).values(
                        instance_id=iid, seq=seq, at=at, actor_id=uid, action="comment", comment=f"第{seq}条",
                        detail={}, prev_hash=prev, hash=digest))
                    prev = digest
                heads[name] = prev if length else None
    finally:
        eng.dispose()
    return ids, heads


def _check(url: str) -> None:
    command.upgrade(alembic_config(url), "0020")
    ids, heads = _fill(url)
    upgrade(url)
    db = Database(url)
    try:
        with db.uow() as s:
            rows = {i: (seq, h) for i, seq, h in s.execute(select(
                ProcessInstance.id, ProcessInstance.audit_seq, ProcessInstance.audit_hash))}
            assert {name: rows[iid] for name, iid in ids.items()} == {
                name: (LENGTHS[name], heads[name]) for name in ids}
            for iid in ids.values():
                assert audit.verify(s, iid) == (True, None)
        for name, iid in ids.items():
            with db.uow(write=True) as s:  # the engine's next event links to the back-filled head
                ev = audit.record(s, iid, "comment", None, comment="迁移之后 after")
            assert (ev.seq, ev.prev_hash) == (LENGTHS[name] + 1, heads[name] or audit.GENESIS)
            with db.uow() as s:
                assert audit.verify(s, iid) == (True, None)
                assert s.get(ProcessInstance, iid).audit_seq == LENGTHS[name] + 1
    finally:
        db.dispose()


def test_0021_backfills_the_chain_head__sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'lz.db'}")


def test_0021_backfills_the_chain_head__postgresql(pg_url):
    _check(pg_url)
