"""A vote its node's rule counts without deciding (the 1st of 3 in an `all` countersign) does not
run the workflow (issue 12): it changes the task, the ballot and the audit trail, counts a revision
as every step does, and leaves the instance's stored state and data byte for byte as they were. A
definition with timer events still runs it: a vote there fires a boundary timer now due."""
from __future__ import annotations

import time

from sqlalchemy import select

from engine import audit
from engine.models import ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h
from tests.engine.test_timers__deadlines_and_bpmn_timers import BOUNDARY


def _row(org, iid: int) -> tuple:
    with org.db.uow() as s:
        inst = s.scalars(select(ProcessInstance).where(ProcessInstance.id == iid)).one()
        return inst.state, dict(inst.data), inst.revision, inst.next_due_at, inst.updated_at


def test_a_counted_vote_keeps_state_and_data_and_counts_a_revision(any_org):
    org = any_org
    key = h.deploy(org, chain("counted", [user_task("n1", "all", "users", "v01,v02,v03"),
                                          user_task("n2", "any", "users", "v04")]))
    iid = h.start(org, "clerk", key, {"amount": 12})
    state, data, revision, due, updated = _row(org, iid)

    h.approve(org, "v01", iid, "同意 一")
    state2, data2, revision2, due2, updated2 = _row(org, iid)
    assert (state2, data2, due2) == (state, data, due)
    assert revision2 == revision + 1 and updated2 > updated
    assert h.open_assignees(org, iid) == {"n1": {"v02", "v03"}}
    h.assert_inbox_matches_engine(org, iid)

    h.approve(org, "v02", iid)
    h.approve(org, "v03", iid)  # decides: the workflow runs on to n2, with the node's ballot in its data
    assert h.open_assignees(org, iid) == {"n2": {"v04"}}
    inst = h.instance(org, iid)
    assert inst["data"]["n1"]["outcome"] == "approved"
    assert [v["user"] for v in inst["data"]["n1"]["votes"]] == ["v01", "v02", "v03"]
    assert inst["data"]["amount"] == 12
    with org.db.uow() as s:
        assert audit.verify(s, iid) == (True, None)


BOUNDARY_ALL = BOUNDARY.replace(b'<lz:assignees strategy="users" value="v01"/>',
                                b'<lz:approval mode="all"/><lz:assignees strategy="users" value="v01,v03"/>')


def test_a_counted_vote_still_runs_a_definition_with_timer_events(org):
    iid = h.start(org, "clerk", h.deploy(org, BOUNDARY_ALL))
    assert h.open_assignees(org, iid) == {"wait_for_customer": {"v01", "v03"}}
    time.sleep(0.4)  # the 0.3 s boundary timer is due (SpiffWorkflow reads the real clock)
    h.approve(org, "v01", iid)  # counted, not deciding: running the workflow fires the due timer
    assert h.open_assignees(org, iid) == {"follow_up": {"v02"}}
    h.assert_inbox_matches_engine(org, iid)
