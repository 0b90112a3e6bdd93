"""自由审批 (bpmn/free_approval.bpmn, shipped: `app.py deploy-all` deploys it): a free flow (自定) over
HTTP as the real users. Its drawn step (总经理审批, role gm) is the start page's first proposal;
the initiator lays out three steps of their own, attaches a file, and the request runs through them
to the end; a rejection ends it rejected; a start without steps is refused naming the field."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm import org as org_svc
from engine import progress
from tests.api.conftest import API, act, assert_error, deploy, login
from tests.api.test_files__attachments_and_signatures import upload

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "free_approval.bpmn").read_bytes()
STEPS = [{"name": "组长审批", "mode": "any", "users": ["sales_lead"]},
         {"name": "财务会签", "mode": "all", "role": "finance"},
         {"name": "总经理审批", "mode": "any", "role": "gm"}]


@pytest.fixture(autouse=True)
def deployed(client):
    r = deploy(client, XML)
    assert r.status_code == 201, r.get_json()


def start(client: Any, data: dict[str, Any], steps: Any = STEPS) -> Any:
    return client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                       json={"process": "free_approval", "data": data, "steps": steps})


def instance(client: Any, iid: int) -> dict[str, Any]:
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def holders(client: Any, iid: int) -> list[tuple[str, str]]:
    return sorted((t["node_name"], t["assignee"]) for t in instance(client, iid)["open_tasks"])


def test_the_shipped_free_process_proposes_its_drawn_step(client, org):
    with org.db.uow() as s:
        clerk = org_svc.user_by_username(s, "clerk").id
    page = progress.start_page(org.db, clerk, "free_approval")
    assert (page["mode"], page["category"]) == ("free", "通用")
    assert page["suggested_steps"] == [{"name": "总经理审批", "mode": "any", "role": "gm"}]


def test_three_laid_out_steps_with_an_attachment_run_to_the_end(client):
    ref = upload(client, "clerk", "quote.pdf")
    r = start(client, {"title": "采购投影仪", "description": "会议室用", "amount": 4200, "attachments": [ref]})
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("ZY-")
    inst = instance(client, iid)
    assert (inst["process"], inst["free_flow"]) == ("free_approval", True)
    assert [f["name"] for f in inst["data"]["attachments"]] == ["quote.pdf"]
    assert holders(client, iid) == [("组长审批", "sales_lead")]
    act(client, "sales_lead", iid)
    assert holders(client, iid) == [("财务会签", "fin1"), ("财务会签", "fin2")]
    act(client, "fin2", iid)
    assert holders(client, iid) == [("财务会签", "fin1")]  # 会签: both sign
    act(client, "fin1", iid)
    assert holders(client, iid) == [("总经理审批", "gm")]
    act(client, "gm", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["outcome"], inst["open_tasks"]) == ("completed", "approved", [])


def test_a_rejection_at_the_second_step_ends_it_rejected(client):
    iid = start(client, {"title": "团建费用", "amount": 800}).get_json()["id"]
    act(client, "sales_lead", iid)
    act(client, "fin1", iid, "reject")
    inst = instance(client, iid)
    assert (inst["status"], inst["outcome"], inst["open_tasks"]) == ("completed", "rejected", [])


def test_without_steps_or_title_it_is_refused_naming_the_field(client):
    err = assert_error(start(client, {"title": "无步骤"}, []), 422)
    assert "steps" in err["fields"], err
    err = assert_error(start(client, {"amount": 10}), 422)
    assert err["fields"] == {"data.title": "is required"}, err
