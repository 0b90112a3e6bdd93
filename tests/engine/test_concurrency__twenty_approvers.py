"""Twenty approvers act on one all-node at the same instant: every vote is counted and the node
advances exactly once (DESIGN.md §3), on PostgreSQL (row lock) and SQLite (serialized writes)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine import tasks
from engine.models import AuditEvent, NodeActivation
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

N = 20


def test_twenty_simultaneous_votes_are_all_counted_and_the_node_decides_once(any_org):
    org = any_org
    voters = [f"v{i:02d}" for i in range(1, N + 1)]
    key = h.deploy(org, chain("twenty", [user_task("cs", "all", "users", ",".join(voters)),
                                         user_task("after", "any", "users", "gm")], route_last=True))
    iid = h.start(org, "clerk", key)
    task_ids = {u: h.task_of(org, u, iid) for u in voters}
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def vote(user: str) -> None:
        try:
            barrier.wait(timeout=30)
            tasks.approve(org.db, org[user], task_ids[user], f"{user} 同意")
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=vote, args=(u,)) for u in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    inst = h.instance(org, iid)
    assert inst["status"] == "running"
    assert sorted(v["user"] for v in inst["data"]["cs"]["votes"]) == voters
    assert inst["data"]["cs"]["outcome"] == "approved"
    assert h.open_assignees(org, iid) == {"after": {"gm"}}, "the node advanced exactly once"
    with org.db.uow() as s:
        decides = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "decide", AuditEvent.node_id == "cs"))
        entries = s.scalar(select(func.count()).select_from(NodeActivation).where(
            NodeActivation.instance_id == iid, NodeActivation.node_id == "after"))
    assert decides == 1
    assert entries == 1
    h.assert_inbox_matches_engine(org, iid)
    from engine import instances
    assert instances.verify_audit(org.db, iid)


def test_two_approvers_racing_on_an_any_node_one_wins_one_gets_409(any_org):
    org = any_org
    key = h.deploy(org, chain("race_any", [user_task("a", "any", "users", "v01,v02")], route_last=True))
    iid = h.start(org, "clerk", key)
    ids = {u: h.task_of(org, u, iid) for u in ("v01", "v02")}
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(user: str) -> None:
        barrier.wait(timeout=30)
        try:
            tasks.approve(org.db, org[user], ids[user])
            results[user] = "ok"
        except Exception as e:
            results[user] = type(e).__name__

    threads = [threading.Thread(target=act, args=(u,)) for u in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results.values()) == ["Conflict", "ok"]
    inst = h.instance(org, iid)
    assert inst["status"] == "completed" and len(inst["data"]["a"]["votes"]) == 1
