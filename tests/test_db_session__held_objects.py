"""db/session.py: a unit of work keeps every object it loaded or flushed until it ends, so a second
`get` of the same row in the same transaction is answered from the identity map (SQLAlchemy's map
alone holds objects weakly: a row let go was read again). Counted with the engine's events."""
from __future__ import annotations

import gc

from sqlalchemy import event

from crm.models import User
from engine.models import ProcessDefinition
from tests.api.conftest import TWO_STEP
from tests.engine import helpers as h


def _selects(db, body) -> int:
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        body()
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return len(seen)


def test_a_row_let_go_is_not_read_again_in_the_same_unit_of_work(org):
    def twice() -> None:
        with org.db.uow() as s:
            assert s.get(User, org["clerk"]).username == "clerk"  # read, then let go
            gc.collect()
            assert s.get(User, org["clerk"]).username == "clerk"

    assert _selects(org.db, twice) == 1


def test_a_flushed_object_is_held_too_and_the_next_unit_of_work_reads_afresh(org):
    h.deploy(org, TWO_STEP)

    def flushed_then_got() -> None:
        with org.db.uow(write=True) as s:
            d = s.query(ProcessDefinition).filter_by(key="two_step").one()
            d_id = d.id
            d.name = "两步"
            s.flush()
            del d
            gc.collect()
            assert s.get(ProcessDefinition, d_id).name == "两步"

    assert _selects(org.db, flushed_then_got) == 1  # the query; the get is the held object

    def next_unit() -> None:
        with org.db.uow() as s:
            assert s.query(ProcessDefinition).filter_by(key="two_step").one().name == "两步"

    assert _selects(org.db, next_unit) == 1


def test_a_long_walk_holds_at_most_hold_max_objects_and_can_let_go(org, monkeypatch):
    import db.session

    monkeypatch.setattr(db.session, "HOLD_MAX", 5)
    with org.db.uow() as s:
        users = s.query(User).all()
        assert len(users) > 5
        assert len(s.info["lz_held"]) == 5  # the first five; the rest are the caller's to keep
        db.session.release_held(s)
        assert s.info["lz_held"] == []
