"""客户投诉/服务工单 end to end over HTTP as the real users: the receptionist (clerk) records a
complaint, a service manager classifies it and names a technician, the technician handles it, a
service manager calls the customer back; satisfied (>= 3) closes the ticket, dissatisfied reopens
handling. The ticket record is checked after every step."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.design import definitions
from tests.api.conftest import API, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "service_ticket.bpmn").read_bytes()


def admin_post(client, path, body):
    r = client.post(f"{API}/{path}", json=body, headers=login(client, "admin"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def deployed(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    admin_post(client, "roles", {"key": "service_manager", "name": "服务经理"})
    admin_post(client, "roles", {"key": "technician", "name": "技术人员"})
    for username, display, roles in [("svc_mgr", "林经理", ["service_manager"]), ("svc_mgr2", "何经理", ["service_manager"]),
                                     ("tech1", "高工", ["technician"]), ("tech2", "马工", ["technician"])]:
        admin_post(client, "users", {"username": username, "display_name": display, "password": "secret-pass-1",
                                     "roles": roles})
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=login(client, "clerk")).get_json()
    return customer["id"]


def complaint(**over):
    data = {"complainant": "刘先生", "contact_info": "13800138000", "content": "系统升级后无法登录",
            "category": "product", "expected_at": "2026-03-10T18:00"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def start(client, data, user="clerk"):
    return client.post(f"{API}/process-instances", json={"process": "service_ticket", "data": data},
                       headers=login(client, user))


def started(client, **over):
    r = start(client, complaint(**over))
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    return iid, instance(client, iid)["data"]["create_ticket"]["result"]["ticket_id"]


def instance(client, iid, user="admin"):
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def ticket(client, tid, user="admin"):
    r = client.get(f"{API}/tickets/{tid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def todo(client, user, iid):
    rows = client.get(f"{API}/tasks?box=todo", headers=login(client, user)).get_json()["items"]
    return [r for r in rows if r["instance_id"] == iid]


def act(client, user, iid, data=None):
    rows = todo(client, user, iid)
    assert len(rows) == 1, (user, rows)
    return client.post(f"{API}/tasks/{rows[0]['id']}/approve", json={"data": data or {}}, headers=login(client, user))


def ok(r):
    assert r.status_code == 200, r.get_json()
    return r.get_json()


CLASSIFY = {"category": "service", "verification": "已核实：升级脚本遗漏权限迁移", "technician": "tech1"}
HANDLE = {"handling_method": "远程补执行权限迁移脚本", "result": "客户已可正常登录"}


def test_the_happy_path_carries_every_step_on_the_ticket(client, deployed):
    iid, tid = started(client, customer=deployed)
    assert instance(client, iid)["business_key"].startswith("GD-")
    t = ticket(client, tid)
    assert (t["status"], t["complainant"], t["contact_info"], t["content"], t["category"]) == (
        "open", "刘先生", "13800138000", "系统升级后无法登录", "product")
    assert t["expected_at"].startswith("2026-03-10T18:00")
    assert (t["customer"], t["created_by"], t["instance_id"], t["handler"]) == (deployed, "clerk", iid, None)
    assert len(todo(client, "svc_mgr", iid)) == len(todo(client, "svc_mgr2", iid)) == 1, "every service manager"

    ok(act(client, "svc_mgr", iid, CLASSIFY))
    t = ticket(client, tid)
    assert (t["status"], t["category"], t["verification"], t["handler"]) == (
        "assigned", "service", CLASSIFY["verification"], "tech1")
    assert todo(client, "svc_mgr2", iid) == [], "the other manager's task is gone"

    ok(act(client, "tech1", iid, HANDLE))
    t = ticket(client, tid, user="tech1")  # the handler reads the ticket
    assert (t["status"], t["handling_method"], t["result"]) == ("callback", HANDLE["handling_method"], HANDLE["result"])

    ok(act(client, "svc_mgr2", iid, {"satisfaction": 4, "customer_opinion": "处理及时"}))
    t = ticket(client, tid)
    assert (t["status"], t["satisfaction"], t["customer_opinion"]) == ("closed", 4, "处理及时")
    assert (t["verification"], t["handler"], t["result"]) == (CLASSIFY["verification"], "tech1", HANDLE["result"])
    inst = instance(client, iid, user="clerk")
    assert (inst["status"], inst["end_event"]) == ("completed", "end_closed")


def test_a_dissatisfied_callback_reopens_handling_then_a_satisfied_one_closes(client, deployed):
    iid, tid = started(client, category=None, expected_at=None)
    assert ticket(client, tid)["category"] is None
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    ok(act(client, "tech1", iid, HANDLE))
    # dissatisfied without saying why: refused, nothing changes
    r = act(client, "svc_mgr", iid, {"satisfaction": 2})
    assert "data.customer_opinion" in assert_error(r, 422, "validation_failed")["fields"]
    assert ticket(client, tid)["status"] == "callback"
    ok(act(client, "svc_mgr", iid, {"satisfaction": 2, "customer_opinion": "仍偶发登录失败"}))
    t = ticket(client, tid)
    assert (t["status"], t["satisfaction"], t["customer_opinion"], t["handler"]) == (
        "handling", 2, "仍偶发登录失败", "tech1")
    assert len(todo(client, "tech1", iid)) == 1, "back to the same technician"
    assert todo(client, "svc_mgr", iid) == []
    ok(act(client, "tech1", iid, {"handling_method": "更换认证服务器证书", "result": "连续三天无登录失败"}))
    t = ticket(client, tid)
    assert (t["status"], t["handling_method"], t["result"]) == ("callback", "更换认证服务器证书", "连续三天无登录失败")
    # the new callback starts blank: the earlier satisfaction is not reused
    assert instance(client, iid)["data"]["satisfaction"] is None
    ok(act(client, "svc_mgr", iid, {"satisfaction": 3}))
    t = ticket(client, tid)
    assert (t["status"], t["satisfaction"]) == ("closed", 3)
    assert instance(client, iid)["status"] == "completed"


def test_the_technician_must_exist_and_be_a_technician(client, deployed):
    iid, tid = started(client)
    r = act(client, "svc_mgr", iid, {**CLASSIFY, "technician": "nobody"})
    assert "data.technician" in assert_error(r, 422)["fields"]
    r = act(client, "svc_mgr", iid, {**CLASSIFY, "technician": "clerk2"})  # exists, not a technician
    err = assert_error(r, 422, "validation_failed")
    assert "not a technician" in err["fields"]["data.technician"]
    r = act(client, "svc_mgr", iid, {"category": "service"})
    assert "data.technician" in assert_error(r, 422)["fields"]
    assert (ticket(client, tid)["status"], ticket(client, tid)["handler"]) == ("open", None), "nothing changed"
    assert instance(client, iid)["error"] is None, "a refusal is not an engine fault"
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    assert ticket(client, tid)["status"] == "assigned"


def test_satisfaction_out_of_range_is_422(client, deployed):
    iid, tid = started(client)
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    ok(act(client, "tech1", iid, HANDLE))
    for bad in (0, 6, 3.5, "4,5"):
        r = act(client, "svc_mgr", iid, {"satisfaction": bad})
        assert "data.satisfaction" in assert_error(r, 422)["fields"], bad
    r = act(client, "svc_mgr", iid, {})
    assert "data.satisfaction" in assert_error(r, 422, "validation_failed")["fields"]
    assert ticket(client, tid)["status"] == "callback", "nothing changed"


def test_each_step_edits_only_its_own_fields(client, deployed):
    iid, tid = started(client)
    r = act(client, "svc_mgr", iid, {**CLASSIFY, "content": "改写投诉内容"})
    assert "data.content" in assert_error(r, 422)["fields"]
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    r = act(client, "tech1", iid, {**HANDLE, "technician": "tech2"})
    assert "data.technician" in assert_error(r, 422)["fields"]
    r = act(client, "tech1", iid, {"handling_method": "重启"})
    assert "data.result" in assert_error(r, 422)["fields"]
    assert ticket(client, tid)["status"] == "assigned"


def test_the_technician_only_sees_the_task_assigned_to_them(client, deployed):
    iid, tid = started(client)
    other, other_tid = started(client, complainant="王女士", content="发票抬头错误")
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    ok(act(client, "svc_mgr", other, {**CLASSIFY, "technician": "tech2"}))
    mine = client.get(f"{API}/tasks?box=todo", headers=login(client, "tech1")).get_json()["items"]
    assert [(row["instance_id"], row["node_id"]) for row in mine] == [(iid, "handle")]
    theirs = client.get(f"{API}/tasks?box=todo", headers=login(client, "tech2")).get_json()["items"]
    assert [row["instance_id"] for row in theirs] == [other]
    r = client.post(f"{API}/tasks/{theirs[0]['id']}/approve", json={"data": HANDLE}, headers=login(client, "tech1"))
    assert r.status_code in (403, 404), r.get_json()
    assert ticket(client, other_tid)["status"] == "assigned"
    assert client.get(f"{API}/tickets/{other_tid}", headers=login(client, "tech1")).status_code == 404
    assert ticket(client, tid, user="tech1")["handler"] == "tech1"


@pytest.mark.parametrize(("over", "field"), [
    ({"complainant": None}, "data.complainant"),
    ({"content": "  "}, "data.content"),
    ({"contact_info": "x" * 201}, "data.contact_info"),
    ({"category": "weather"}, "data.category"),
    ({"expected_at": "2026-13-01T10:00"}, "data.expected_at"),
    ({"customer": 999999}, "data.customer"),
    ({"technician": "tech1", "satisfaction": 5}, None),
])
def test_the_start_form(client, deployed, over, field):
    r = start(client, complaint(**over))
    if field is None:  # later steps' fields sent at start are dropped
        assert r.status_code == 201, r.get_json()
        data = instance(client, r.get_json()["id"])["data"]
        assert (data["technician"], data["satisfaction"]) == (None, None)
        return
    assert field in assert_error(r, 422)["fields"]
    assert client.get(f"{API}/tickets", headers=login(client, "admin")).get_json()["total"] == 0, "no ticket"


def test_a_customer_the_receptionist_may_not_see_is_refused(client, deployed):
    r = start(client, complaint(customer=deployed), user="clerk2")
    assert "data.customer" in assert_error(r, 422)["fields"]
