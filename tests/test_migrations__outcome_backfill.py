"""Migration 0004 backfills the outcome of instances that ended before outcomes existed (DESIGN.md
§8): a database at revision 0003 with ended instances is upgraded, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import MetaData, create_engine, insert, pool, select

from db.migrate import alembic_config, upgrade
from db.session import normalize_url
from tests.migration_rows import user_and_definition

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# name -> (status, end_event, outcome already stored, [(node, kind, activation status, decided minute)])
CASES = {
    # a rejection routed by a gateway to a plain end event (no lz:end): the last decision counts
    "routed_rejection": ("completed", "end_rejected", None,
                         [("sup", "approval", "approved", 1), ("cs", "approval", "rejected", 5)]),
    # a handle step (notify) after the rejection does not hide it
    "rejected_then_handled": ("completed", "end", None,
                              [("cs", "approval", "rejected", 1), ("notify", "handle", "completed", 9)]),
    "approved": ("completed", "end", None, [("sup", "approval", "approved", 1), ("cs", "approval", "approved", 2)]),
    # rejected once, revised, approved the second time: the last decision is the approval
    "approved_after_a_loop": ("completed", "end", None,
                              [("sup", "approval", "rejected", 1), ("draft", "handle", "completed", 2),
                               ("sup", "approval", "approved", 3)]),
    "no_approval_node": ("completed", "end", None, [("handle", "handle", "completed", 1)]),
    # cancelled activations are no decision
    "cancelled_node_ignored": ("completed", "end", None,
                               [("sup", "approval", "approved", 1), ("cs", "approval", "cancelled", 4)]),
    "withdrawn": ("withdrawn", None, None, [("sup", "approval", "cancelled", 1)]),
    "cancelled": ("cancelled", None, None, []),
    "already_known": ("completed", None, "rejected", [("sup", "approval", "approved", 1)]),
    "running": ("running", None, None, [("sup", "approval", "approved", 1)]),
}
EXPECTED = {"routed_rejection": "rejected", "rejected_then_handled": "rejected", "approved": "approved",
            "approved_after_a_loop": "approved", "no_approval_node": "approved", "cancelled_node_ignored": "approved",
            "withdrawn": "withdrawn", "cancelled": "terminated", "already_known": "rejected", "running": None}


def _fill(url: str) -> dict[str, int]:
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    ids: dict[str, int] = {}
    try:
        meta = MetaData()
        meta.reflect(eng)
        instance, activation = meta.tables["process_instance"], meta.tables["node_activation"]
        with eng.begin() as conn:
            uid, did = user_and_definition(conn, meta, T0)
            for n, (name, (status, end, outcome, acts)) in enumerate(CASES.items()):
                iid = conn.execute(insert(instance).values(
                    definition_id=did, process_key="p", business_key=f"P-2026-{n:06d}", status=status,
                    end_event=end, outcome=outcome, initiator_id=uid, title=name, data={}, state="{}", revision=1,
                    warnings=[], chosen={}, created_at=T0, updated_at=T0,
                    ended_at=None if status == "running" else _at(30))).inserted_primary_key[0]
                ids[name] = iid
                # inserted newest first, so the ids do not give the order away: decided_at does
                for node, kind, act_status, minute in reversed(acts):
                    conn.execute(insert(activation).values(
                        instance_id=iid, node_id=node, node_name=node, spiff_task_id=f"t-{iid}-{minute}", kind=kind,
                        mode="any", assignee_ids=[uid], status=act_status, created_at=_at(minute - 1),
                        decided_at=_at(minute)))
    finally:
        eng.dispose()
    return ids


def _outcomes(url: str, ids: dict[str, int]) -> dict[str, str | None]:
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        meta = MetaData()
        meta.reflect(eng, only=["process_instance"])
        t = meta.tables["process_instance"]
        with eng.connect() as conn:
            by_id = dict(conn.execute(select(t.c.id, t.c.outcome)).all())
    finally:
        eng.dispose()
    return {name: by_id[iid] for name, iid in ids.items()}


def _check(url: str) -> None:
    command.upgrade(alembic_config(url), "0003")
    ids = _fill(url)
    upgrade(url)
    assert _outcomes(url, ids) == EXPECTED


def test_0004_backfills_outcomes__sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'lz.db'}")


def test_0004_backfills_outcomes__postgresql(pg_url):
    _check(pg_url)
