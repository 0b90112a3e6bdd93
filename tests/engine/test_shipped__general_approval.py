"""The shipped general approval process (bpmn/general_approval.bpmn) on the demo company's roles."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import instances
from tests.engine import helpers as h

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_bytes()


@pytest.fixture
def key(org):
    return h.deploy(org, XML)


def test_small_amount_needs_only_the_supervisor(org, key):
    iid = h.start(org, "clerk", key, {"title": "买显示器", "amount": 2000})
    assert h.open_assignees(org, iid) == {"supervisor_approval": {"sales_lead"}}
    h.approve(org, "sales_lead", iid)
    inst = h.instance(org, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert inst["business_key"].startswith("TY-")


def test_large_amount_goes_on_to_the_department_head_and_copies_finance(org, key):
    iid = h.start(org, "clerk", key, {"title": "采购服务器", "amount": 50000})
    h.approve(org, "sales_lead", iid)
    assert h.open_assignees(org, iid) == {"head_approval": {"sales_head"}}
    from engine import inbox
    assert inbox.list_box(org.db, org["fin1"], "cc", 0, 5)[1] == 1
    h.reject(org, "sales_head", iid, "预算不足")
    inst = h.instance(org, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")


def test_supervisor_rejection_ends_rejected(org, key):
    iid = h.start(org, "clerk", key, {"title": "x", "amount": 1})
    h.reject(org, "sales_lead", iid, "理由不充分")
    assert h.instance(org, iid)["end_event"] == "end_rejected"


def test_a_supervisor_starting_it_is_not_asked_twice(org, key):
    """sales_lead's supervisor is sales_head, who is also the department head: skipRepeated."""
    iid = h.start(org, "sales_lead", key, {"title": "团建", "amount": 20000})
    h.approve(org, "sales_head", iid)
    inst = h.instance(org, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert inst["data"]["head_approval"]["votes"][0]["auto"] is True
    assert instances.verify_audit(org.db, iid)
