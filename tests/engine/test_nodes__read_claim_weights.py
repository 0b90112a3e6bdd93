"""Engine-side rules of the wave-2 node kinds: a deadline on a read-only node completes it; weights
follow a transfer and survive a save/restore; a removed signer's weight leaves the total."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from engine import task_ops, tasks, timers
from engine.models import NodeActivation
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


@pytest.mark.parametrize("action", ["remind", "approve", "reject", "escalate"])
def test_a_deadline_on_a_read_node_just_completes_it(org, action):
    key = h.deploy(org, chain(f"rd_{action}", [
        user_task("r", "read", "users", "v01,v02,v03", extra=f'<lz:deadline duration="P1D" action="{action}"/>'),
        user_task("after", "any", "users", "gm")]))
    iid = h.start(org, "clerk", key)
    h.approve(org, "v01", iid, "已阅")
    assert timers.fire_due_timers(org.db, now=utcnow() + timedelta(days=2)) == 1
    inst = h.instance(org, iid)
    assert inst["data"]["r"]["outcome"] == "read"
    assert [v["user"] for v in inst["data"]["r"]["votes"]] == ["v01"], "nobody is marked read who did not read"
    assert h.open_assignees(org, iid) == {"after": {"gm"}}
    assert any(e["action"] == "deadline_read" for e in inst["history"])
    h.assert_inbox_matches_engine(org, iid)


def _weights(org, iid):
    with org.db.uow() as s:
        return s.scalar(select(NodeActivation.weights).where(NodeActivation.instance_id == iid))


def test_weights_follow_a_transfer_and_leave_with_a_removed_signer(org):
    node = user_task("m", "majority", "users", "v01,v02,v03").replace(
        'value="v01,v02,v03"/>', 'value="v01,v02,v03" weights="v01:3,v02:2"/>')
    iid = h.start(org, "clerk", h.deploy(org, chain("wt", [node], route_last=True)))
    assert _weights(org, iid) == {str(org["v01"]): 3, str(org["v02"]): 2}
    tasks.transfer(org.db, org["v01"], h.task_of(org, "v01", iid), "v09")
    assert _weights(org, iid) == {str(org["v09"]): 3, str(org["v02"]): 2}
    task_ops.remove_signer(org.db, org["v03"], h.task_of(org, "v03", iid), ["v02"])
    assert _weights(org, iid) == {str(org["v09"]): 3}
    # W = 4 (v09: 3, v03: 1): v03 alone is no majority, v09 is
    h.approve(org, "v03", iid)
    assert h.instance(org, iid)["status"] == "running"
    h.approve(org, "v09", iid)
    assert h.instance(org, iid)["end_event"] == "end"
