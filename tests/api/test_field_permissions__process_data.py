"""Field permissions (字段权限) inside processes, per role, on every channel that shows process data:
a customer's 信用度 (credit) entered on a VIP customer entry is hidden from a clerk whose role may not
see it (instance API, task API and inbox, the printed record, the search, notifications),
while the supervisor and an admin see it; and a form cannot make a process write a record field its
sender's role may not change (refused with 422 naming the field, nothing changed)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from crm.records import Customer
from engine.design import definitions
from engine.models import ProcessInstance
from tests.api.conftest import API, assert_error, login

ROOT = Path(__file__).resolve().parents[2]
VIP = (ROOT / "bpmn" / "vip_customer.bpmn").read_bytes()
CREDIT = "AAA级信用"


def rule(client, role: str, kind: str, field: str, users: list[str], **perms: bool) -> None:
    """Give `users` the role `role` and set what the role may do with `kind.field`."""
    admin = login(client, "admin")
    client.post(f"{API}/roles", json={"key": role, "name": role}, headers=admin)
    everyone = client.get(f"{API}/users", query_string={"per_page": 100}, headers=admin).get_json()["items"]
    for u in everyone:
        if u["username"] in users:
            r = client.patch(f"{API}/users/{u['id']}", json={"roles": [role]}, headers=admin)
            assert r.status_code == 200, r.get_json()
    r = client.put(f"{API}/field-rules/{role}/{kind}/{field}", json=perms, headers=admin)
    assert r.status_code == 200, r.get_json()


def start_vip(client, user: str = "clerk", **customer):
    return client.post(f"{API}/process-instances", headers=login(client, user), json={
        "process": "vip_customer", "data": {"customer": {"name": "华北测绘院", **customer}, "reason": "年采购额过百万"}})


def counts(org):
    with org.db.uow() as s:
        return s.query(Customer).count(), s.query(ProcessInstance).count()


def get(client, user: str, path: str):
    r = client.get(f"{API}{path}", headers=login(client, user))
    assert r.status_code == 200, (user, path, r.get_data(as_text=True)[:300])
    return r.get_json()


def pdf_text(client, user: str, iid: int) -> str:
    r = client.get(f"{API}/process-instances/{iid}/record.pdf", headers=login(client, user))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return re.sub(r"\s+", "", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages))


@pytest.fixture
def vip(org):
    definitions.deploy(org.db, VIP, org["admin"])


# ------------------------------------------------------------------ write-backs (修改)


def test_a_start_form_may_not_write_a_field_the_initiators_role_may_not_change(client, org, vip):
    rule(client, "salesperson", "customer", "credit", ["clerk"], edit=False)
    before = counts(org)
    err = assert_error(start_vip(client, credit=CREDIT), 422)
    assert err["fields"] == {"data.customer.credit": "your role may not change this field"}, err
    assert counts(org) == before, "no instance, no customer"
    r = start_vip(client, level="战略客户")  # the fields the clerk may change go through
    assert r.status_code == 201, r.get_json()
    # the supervisor's role has no such rule: their entry writes the credit to the customer
    r = start_vip(client, "sales_lead", credit=CREDIT)
    assert r.status_code == 201, r.get_json()
    cid = get(client, "sales_lead", f"/process-instances/{r.get_json()['id']}")["data"]["enter"]["result"]["customer_id"]
    assert get(client, "admin", f"/customers/{cid}")["credit"] == CREDIT


def test_a_hidden_field_cannot_be_written_either(client, org, vip):
    rule(client, "salesperson", "customer", "credit", ["clerk"], view=False)
    before = counts(org)
    assert "data.customer.credit" in assert_error(start_vip(client, credit=CREDIT), 422)["fields"]
    assert counts(org) == before


TICKET = (ROOT / "bpmn" / "service_ticket.bpmn").read_bytes()


@pytest.fixture
def ticket_process(client, org):
    definitions.deploy(org.db, TICKET, org["admin"])
    admin = login(client, "admin")
    client.post(f"{API}/roles", json={"key": "technician", "name": "技术人员"}, headers=admin)
    r = client.post(f"{API}/users", json={"username": "tech1", "display_name": "高工", "password": "secret-pass-1",
                                          "roles": ["technician"]}, headers=admin)
    assert r.status_code == 201, r.get_json()
    r = client.post(f"{API}/users", json={"username": "svc_mgr", "display_name": "林经理",
                                          "password": "secret-pass-1"}, headers=admin)
    assert r.status_code == 201, r.get_json()
    # service managers may not change a ticket's category (the receptionist's classification stands)
    rule(client, "service_manager", "ticket", "category", ["svc_mgr"], edit=False)
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"), json={
        "process": "service_ticket", "data": {"complainant": "刘先生", "contact_info": "13800138000",
                                              "content": "系统升级后无法登录", "category": "product"}})
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    return iid, get(client, "admin", f"/process-instances/{iid}")["data"]["create_ticket"]["result"]["ticket_id"]


def test_a_task_may_not_change_a_field_its_actors_role_may_not_change(client, ticket_process):
    iid, tid = ticket_process
    [task] = [t for t in get(client, "svc_mgr", "/tasks?box=todo")["items"] if t["instance_id"] == iid]
    # the manager's form offers the fields their role may change, the category read-only
    assert get(client, "svc_mgr", f"/tasks/{task['id']}")["form"]["editable"] == ["verification", "technician"]
    before = get(client, "admin", f"/tickets/{tid}")
    data = {"category": "service", "verification": "已核实", "technician": "tech1"}
    r = client.post(f"{API}/tasks/{task['id']}/approve", json={"data": data}, headers=login(client, "svc_mgr"))
    assert assert_error(r, 422)["fields"] == {"data.category": "your role may not change this field"}
    assert get(client, "admin", f"/tickets/{tid}") == before, "the refused write-back changed nothing"
    assert get(client, "admin", f"/process-instances/{iid}")["data"]["category"] == "product"
    assert [t["id"] for t in get(client, "svc_mgr", "/tasks?box=todo")["items"] if t["instance_id"] == iid] == [
        task["id"]], "the task is still open"
    # clearing it is a change too (the process's own data says "product")
    r = client.post(f"{API}/tasks/{task['id']}/approve", json={"data": {**data, "category": ""}},
                    headers=login(client, "svc_mgr"))
    assert assert_error(r, 422)["fields"] == {"data.category": "your role may not change this field"}
    # sending the value the record already has is not a change
    r = client.post(f"{API}/tasks/{task['id']}/approve", json={"data": {**data, "category": "product"}},
                    headers=login(client, "svc_mgr"))
    assert r.status_code == 200, r.get_json()
    t = get(client, "admin", f"/tickets/{tid}")
    assert (t["status"], t["category"], t["handler"]) == ("assigned", "product", "tech1")


# ------------------------------------------------------------------ what a reader sees (查看)


@pytest.fixture
def entry(client, org, vip):
    """The clerk's VIP entry with a credit rating, made before their role lost sight of 信用度."""
    r = start_vip(client, credit=CREDIT, level="战略客户")
    assert r.status_code == 201, r.get_json()
    rule(client, "salesperson", "customer", "credit", ["clerk", "clerk2"], view=False)
    return r.get_json()["id"]


def test_the_instance_api_hides_the_field_from_the_clerk_only(client, entry):
    clerk = get(client, "clerk", f"/process-instances/{entry}")
    assert "credit" not in clerk["data"]["customer"] and clerk["data"]["customer"]["level"] == "战略客户"
    assert CREDIT not in json.dumps(clerk, ensure_ascii=False), "nor in the history (the call's arguments)"
    for user in ("sales_lead", "admin"):
        assert get(client, user, f"/process-instances/{entry}")["data"]["customer"]["credit"] == CREDIT


def test_the_task_api_and_inbox_follow_the_approvers_role(client, org, entry):
    [row] = [t for t in get(client, "sales_lead", "/tasks?box=todo")["items"] if t["instance_id"] == entry]
    task = get(client, "sales_lead", f"/tasks/{row['id']}")
    assert task["data"]["customer"]["credit"] == CREDIT
    # the supervisor's role loses sight of it too: their task no longer shows it, nor its component
    rule(client, "salesperson", "customer", "credit", ["clerk", "clerk2", "sales_lead"], view=False)
    task = get(client, "sales_lead", f"/tasks/{row['id']}")
    assert "credit" not in task["data"]["customer"] and CREDIT not in json.dumps(task, ensure_ascii=False)
    assert "信用度" not in json.dumps(task, ensure_ascii=False)
    inbox = get(client, "sales_lead", "/tasks?box=todo")
    assert CREDIT not in json.dumps(inbox, ensure_ascii=False)
    assert CREDIT not in json.dumps(get(client, "sales_lead", "/notifications"), ensure_ascii=False)
    assert get(client, "admin", f"/tasks/{row['id']}")["data"]["customer"]["credit"] == CREDIT


def test_the_started_box_and_notifications_of_the_clerk_carry_no_credit(client, entry):
    assert CREDIT not in json.dumps(get(client, "clerk", "/tasks?box=started"), ensure_ascii=False)
    assert CREDIT not in json.dumps(get(client, "clerk", "/notifications"), ensure_ascii=False)


def test_the_printed_record_follows_the_readers_role(client, entry):
    clerk = pdf_text(client, "clerk", entry)
    assert "华北测绘院" in clerk and CREDIT not in clerk and "信用度" not in clerk
    for user in ("sales_lead", "admin"):
        assert CREDIT in pdf_text(client, user, entry)


def test_the_search_does_not_find_an_instance_by_a_field_some_role_may_not_see(client, entry):
    for user in ("clerk", "sales_lead"):
        r = client.get(f"{API}/search", query_string={"q": CREDIT}, headers=login(client, user))
        assert r.status_code == 200
        assert [i for i in r.get_json()["items"] if i["kind"] == "instance"] == [], user


# ------------------------------------------------------------------ service results and the process's own values

CONTRACT = (ROOT / "bpmn" / "contract_countersign.bpmn").read_bytes()


@pytest.fixture
def countersign(client, org):
    definitions.deploy(org.db, CONTRACT, org["admin"])
    h = login(client, "clerk")
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h).get_json()
    r = client.post(f"{API}/contracts", headers=h,
                    json={"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_a_status_the_process_sets_is_not_the_initiators_write(client, countersign):
    """The clerk may not change a contract's status by hand, yet submitting it for countersign moves
    it to under_review: the diagram's constant is the process's decision, not the clerk's input."""
    rule(client, "salesperson", "contract", "status", ["clerk"], edit=False)
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "contract_countersign", "data": {"contract_id": countersign, "reason": "请会签"}})
    assert r.status_code == 201, r.get_json()
    assert get(client, "admin", f"/contracts/{countersign}")["status"] == "under_review"


def test_a_service_result_repeating_a_hidden_field_is_hidden_with_it(client, countersign):
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "contract_countersign", "data": {"contract_id": countersign, "reason": "请会签"}})
    iid = r.get_json()["id"]
    rule(client, "legal", "contract", "amount", ["legal_head"], view=False)
    [row] = [t for t in get(client, "legal_head", "/tasks?box=todo")["items"] if t["instance_id"] == iid]
    legal = get(client, "legal_head", f"/tasks/{row['id']}")
    assert "amount" not in legal["data"]["submit"]["result"] and legal["data"]["submit"]["result"]["title"] == "年度测绘服务"
    assert "250000" not in json.dumps(get(client, "legal_head", f"/process-instances/{iid}"))
    assert get(client, "fin_head", f"/process-instances/{iid}")["data"]["submit"]["result"]["amount"] == "250000.00"
    assert get(client, "clerk", f"/process-instances/{iid}")["data"]["submit"]["result"]["amount"] == "250000.00"


def test_a_resubmission_may_not_change_a_field_the_initiators_role_may_not_change(client, org, vip):
    r = start_vip(client, level="战略客户")
    iid = r.get_json()["id"]
    [row] = [t for t in get(client, "sales_lead", "/tasks?box=todo")["items"] if t["instance_id"] == iid]
    r = client.post(f"{API}/tasks/{row['id']}/return", json={"to_node": "initiator", "comment": "请补充"},
                    headers=login(client, "sales_lead"))
    assert r.status_code == 200, r.get_json()
    rule(client, "salesperson", "customer", "level", ["clerk"], edit=False)
    [mine] = [t for t in get(client, "clerk", "/tasks?box=todo")["items"] if t["instance_id"] == iid]
    assert "level" not in get(client, "clerk", f"/tasks/{mine['id']}")["form"]["editable"]
    changed = {"customer": {"name": "华北测绘院", "level": "重点客户"}, "reason": "补充说明"}
    r = client.post(f"{API}/tasks/{mine['id']}/approve", json={"data": changed}, headers=login(client, "clerk"))
    assert assert_error(r, 422)["fields"] == {"data.customer.level": "your role may not change this field"}
    kept = {"customer": {"name": "华北测绘院", "level": "战略客户"}, "reason": "补充说明"}
    r = client.post(f"{API}/tasks/{mine['id']}/approve", json={"data": kept}, headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    assert get(client, "admin", f"/process-instances/{iid}")["data"]["reason"] == "补充说明"


def test_the_inbox_summary_line_follows_the_readers_role(client, ticket_process):
    iid, _tid = ticket_process

    def summary(user: str, box: str) -> str | None:
        [row] = [t for t in get(client, user, f"/tasks?box={box}")["items"] if t["instance_id"] == iid]
        return row["summary"]

    assert summary("svc_mgr", "todo") == "系统升级后无法登录"
    rule(client, "service_manager", "ticket", "content", ["svc_mgr"], view=False)
    assert summary("svc_mgr", "todo") != "系统升级后无法登录"
    assert "系统升级后无法登录" not in json.dumps(get(client, "svc_mgr", "/tasks?box=todo"), ensure_ascii=False)
    assert summary("clerk", "started") == "系统升级后无法登录", "the receptionist's role may see it"
