"""The audit chain's head lives on the instance row (issue 12, migration 0021_chain_head): after
every kind of writer (an action that saves the instance, a comment that does not touch it, an
engine failure recorded on its own) `audit_seq` / `audit_hash` are the last event's, and a writer
that held a copy of the instance from before its lock still links to the newest event."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import audit, collab, instances
from engine.models import AuditEvent, ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


def _head_matches(org, iid: int) -> int:
    with org.db.uow() as s:
        inst = s.get(ProcessInstance, iid)
        last = s.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.instance_id == iid)
                         .order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (inst.audit_seq, inst.audit_hash) == tuple(last)
        assert audit.verify(s, iid) == (True, None)
        return inst.audit_seq


def test_every_writer_moves_the_head_on_the_row(any_org):
    org = any_org
    key = h.deploy(org, chain("heads", [user_task("n1", "all", "users", "v01,v02"),
                                        user_task("n2", "any", "users", "v03")]))
    iid = h.start(org, "clerk", key)
    seen = [_head_matches(org, iid)]
    h.approve(org, "v01", iid)  # counted: the head goes with the revision's UPDATE
    seen.append(_head_matches(org, iid))
    collab.comment(org.db, org["clerk"], iid, "请尽快 please hurry")  # the instance row is not otherwise written
    seen.append(_head_matches(org, iid))
    instances.record_failure(org.db, iid, "a step failed")
    seen.append(_head_matches(org, iid))
    h.approve(org, "v02", iid)  # decides n1 and enters n2: several events, one UPDATE of the row
    seen.append(_head_matches(org, iid))
    h.reject(org, "v03", iid)
    seen.append(_head_matches(org, iid))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


@pytest.mark.parametrize("any_db", ["postgresql"], indirect=True)  # SQLite serializes the whole write
def test_a_copy_of_the_instance_from_before_the_lock_is_read_again(any_org):
    org = any_org
    iid = h.start(org, "clerk", h.deploy(org, chain("stale", [user_task("n1", "any", "users", "v01")])))
    with org.db.uow(write=True) as s:
        stale = s.get(ProcessInstance, iid)  # read without the lock ...
        before = stale.audit_seq
        collab.comment(org.db, org["clerk"], iid, "meanwhile")  # ... another transaction appends
        ev = audit.record(s, iid, "comment", org["clerk"], comment="then this one")
        assert ev.seq == before + 2
    assert _head_matches(org, iid) == before + 2


def test_a_rolled_back_savepoint_keeps_the_heads_of_the_events_before_it(any_org):
    """An event, then a SAVEPOINT in which another is recorded and rolled back, then a third event: the
    chain links the third to the first (the rolled-back one never existed) and the row's head is the
    third's. (SQLAlchemy reports a SAVEPOINT's rollback as a rollback of the session: forgetting
    every head there would give the third event the first one's number.)"""
    org = any_org
    iid = h.start(org, "clerk", h.deploy(org, chain("savepoint", [user_task("n1", "any", "users", "v01")])))
    before = _head_matches(org, iid)
    with org.db.uow(write=True) as s:
        first = audit.record(s, iid, "comment", org["clerk"], comment="first")
        with pytest.raises(RuntimeError), s.begin_nested():
            audit.record(s, iid, "comment", org["clerk"], comment="rolled back")
            s.flush()
            raise RuntimeError("the savepoint's work fails")
        third = audit.record(s, iid, "comment", org["clerk"], comment="third")
        assert (first.seq, third.seq, third.prev_hash) == (before + 1, before + 2, first.hash)
    assert _head_matches(org, iid) == before + 2
    with org.db.uow() as s:
        comments = s.scalars(select(AuditEvent.comment).where(AuditEvent.instance_id == iid,
                                                              AuditEvent.seq > before).order_by(AuditEvent.seq))
        assert list(comments) == ["first", "third"]
