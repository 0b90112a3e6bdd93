"""Each vote rule run through the engine: random approver counts and vote orders, the node
decides at the oracle's moment, cancels the other open tasks, writes outcome and votes."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h
from tests.engine.test_votes__rules import oracle

MODES = ["any", "all", "majority", "ratio", "sequential"]


@pytest.fixture(scope="module")
def world(module_org):
    return module_org


def _process(org, mode: str, n: int, threshold: str | None) -> str:
    users = ",".join(f"v{i:02d}" for i in range(1, n + 1))
    attrs = f'threshold="{threshold}"' if threshold else ""
    xml = chain(f"p_{mode}_{n}_{(threshold or '').replace('.', '_').replace('/', '_')}",
                [user_task("vote", mode, "users", users, approval_attrs=attrs)], route_last=True)
    return h.deploy(org, xml)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(MODES), n=st.integers(1, 7), data=st.data(),
       threshold=st.sampled_from(["0.5", "0.6", "2/3", "1", "0.25"]))
def test_node_decides_when_the_rule_is_satisfied(world, mode, n, data, threshold):
    org = world
    t = threshold if mode == "ratio" else None
    key = _process(org, mode, n, t)
    iid = h.start(org, "clerk", key)
    voters = [f"v{i:02d}" for i in range(1, n + 1)]
    order = voters if mode == "sequential" else data.draw(st.permutations(voters))
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), min_size=n, max_size=n))
    cast: list[str] = []
    for user, ballot in zip(order, ballots, strict=True):
        open_now = h.open_assignees(org, iid).get("vote", set())
        if mode == "sequential":
            assert open_now == {user}, "sequential: only the next approver has the task"
        else:
            assert open_now == set(order) - set(order[:len(cast)])
        (h.approve if ballot == "approve" else h.reject)(org, user, iid)
        cast.append(ballot)
        expected = oracle(mode, n, cast, Fraction(t) if t else None)
        inst = h.instance(org, iid)
        if expected is None:
            assert inst["status"] == "running"
            continue
        assert inst["status"] == "completed"
        assert inst["end_event"] == ("end" if expected == "approved" else "end_rejected")
        assert inst["data"]["vote"]["outcome"] == expected
        assert [v["user"] for v in inst["data"]["vote"]["votes"]] == list(order[:len(cast)])
        assert [v["decision"] for v in inst["data"]["vote"]["votes"]] == cast
        assert h.open_assignees(org, iid) == {}, "remaining tasks leave the inboxes"
        for u in set(order) - set(order[:len(cast)]):
            assert h.todo(org, u, iid) == []
        break
    else:
        pytest.fail("the node never decided")


def test_rejected_node_without_routing_ends_the_instance_as_rejected(world):
    org = world
    key = h.deploy(org, chain("no_route", [user_task("a", "any", "users", "v01"),
                                           user_task("b", "any", "users", "v02")]))
    iid = h.start(org, "clerk", key)
    h.reject(org, "v01", iid, "金额不对")
    inst = h.instance(org, iid)
    assert inst["status"] == "completed" and inst["outcome"] == "rejected" and inst["end_event"] is None
    assert h.todo(org, "v02", iid) == [], "the rejection did not flow on as if approved"


def test_decided_node_writes_votes_with_comments(world):
    org = world
    key = h.deploy(org, chain("votes_data", [user_task("cs", "all", "users", "v01,v02")], route_last=True))
    iid = h.start(org, "clerk", key)
    h.approve(org, "v02", iid, "第二个先批")
    h.approve(org, "v01", iid, "好")
    votes = h.instance(org, iid)["data"]["cs"]["votes"]
    assert [(v["user"], v["decision"], v["comment"]) for v in votes] == [("v02", "approve", "第二个先批"),
                                                                         ("v01", "approve", "好")]
    assert all(v["at"] for v in votes)
