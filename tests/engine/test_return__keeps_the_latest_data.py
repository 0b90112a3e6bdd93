"""Return (退回) re-opens an earlier node with the instance's latest data: what was filled in
after that node (and at it) is kept, not rolled back to the data the node first saw."""
from __future__ import annotations

from engine import tasks
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

EDIT = '<lz:form key="general_approval"/><lz:fields editable="title,amount"/>'
PROCESS = chain("keep_data", [user_task("a", "any", "users", "sales_lead", extra=EDIT),
                              user_task("b", "any", "users", "sales_head", extra=EDIT),
                              user_task("c", "any", "users", "gm")], prefix="KD")


def test_a_return_keeps_the_data_filled_in_after_the_target_node(org):
    key = h.deploy(org, PROCESS)
    iid = h.start(org, "clerk", key, {"title": "采购", "amount": 100})
    h.approve(org, "sales_lead", iid, data={"title": "采购", "amount": 200})
    h.approve(org, "sales_head", iid, data={"title": "采购电脑", "amount": 300})
    assert h.instance(org, iid)["data"]["amount"] == 300

    tasks.return_task(org.db, org["gm"], h.task_of(org, "gm", iid), "a", "请重新核对")
    assert h.open_assignees(org, iid) == {"a": {"sales_lead"}}
    data = h.instance(org, iid)["data"]
    assert (data["title"], data["amount"]) == ("采购电脑", 300), "not the data node a first saw (100)"

    h.approve(org, "sales_lead", iid)  # no changes this time
    h.approve(org, "sales_head", iid)
    h.approve(org, "gm", iid)
    inst = h.instance(org, iid)
    assert inst["status"] == "completed"
    assert (inst["data"]["title"], inst["data"]["amount"]) == ("采购电脑", 300)
