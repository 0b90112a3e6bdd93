"""Free flows (自定流程): the initiator lays out the steps at start, the instance runs on the BPMN
generated from them (engine/free_flows.py); step lists and chosen approvers (常用审批人) are saved
per user and process (/me/flow-lists)."""
from __future__ import annotations

from typing import Any

from tests.api.conftest import API, act, assert_error, deploy, login
from tests.bpmn_factory import chain, user_task


def free_definition(lead: str) -> bytes:
    """A free process whose drawn path (used when no steps are given) is one approval by `lead`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
  id="defs_free" targetNamespace="urn:test">
  <bpmn:process id="free_approval" name="自由审批" isExecutable="true">
    <bpmn:extensionElements><lz:process mode="free" category="通用" prefix="ZY" name_en="Free approval"/>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="general_approval"/></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lead"/>
    <bpmn:userTask id="lead" name="组长审批"><bpmn:extensionElements><lz:approval mode="any"/>
      <lz:assignees strategy="users" value="{lead}"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="lead" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


FREE = free_definition("sales_lead")
PICKED = chain("picked", [user_task("pick", "any", "chosen")], prefix="PK", mode="predefined")
DATA = {"title": "采购打印机", "amount": 3000}
STEPS = [{"name": "组长审批", "mode": "any", "users": ["sales_lead"]},
         {"name": "财务会签", "mode": "all", "role": "finance"},
         {"name": "依次确认", "mode": "sequential", "users": ["v02", "v01"]}]


def _start(client: Any, steps: Any, process: str = "free_approval", user: str = "clerk") -> Any:
    return client.post(f"{API}/process-instances", json={"process": process, "data": DATA, "steps": steps},
                       headers=login(client, user))


def _get(client: Any, iid: int) -> dict[str, Any]:
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()


def _open(client: Any, iid: int) -> list[tuple[str, str]]:
    return sorted((t["node_name"], t["assignee"]) for t in _get(client, iid)["open_tasks"])


def test_three_laid_out_steps_run_in_order_to_the_end(client):
    assert deploy(client, FREE).status_code == 201
    r = _start(client, STEPS)
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("ZY-")
    inst = _get(client, iid)
    assert (inst["process"], inst["free_flow"], inst["data"]["amount"]) == ("free_approval", True, 3000)
    assert _open(client, iid) == [("组长审批", "sales_lead")]
    act(client, "sales_lead", iid)
    assert _open(client, iid) == [("财务会签", "fin1"), ("财务会签", "fin2")]
    act(client, "fin1", iid)
    act(client, "fin2", iid)
    assert _open(client, iid) == [("依次确认", "v02")]
    act(client, "v02", iid)
    assert _open(client, iid) == [("依次确认", "v01")]
    act(client, "v01", iid)
    inst = _get(client, iid)
    assert (inst["status"], inst["outcome"]) == ("completed", "approved")


def test_a_rejected_step_ends_the_free_flow_rejected(client):
    deploy(client, FREE)
    iid = _start(client, STEPS).get_json()["id"]
    act(client, "sales_lead", iid, "reject")
    inst = _get(client, iid)
    assert (inst["status"], inst["outcome"], inst["open_tasks"]) == ("completed", "rejected", [])


def test_each_instance_gets_its_own_steps_and_the_catalogue_shows_only_the_free_process(client):
    deploy(client, FREE)
    a = _start(client, STEPS[:1]).get_json()["id"]
    b = _start(client, [{"name": "人事确认", "mode": "handle", "users": ["hr1"]}]).get_json()["id"]
    assert _open(client, a) == [("组长审批", "sales_lead")]
    assert _open(client, b) == [("人事确认", "hr1")]
    keys = [d["key"] for d in client.get(f"{API}/process-definitions", headers=login(client, "clerk"))
            .get_json()["items"]]
    assert keys.count("free_approval") == 1 and not [k for k in keys if "__free_" in k]


def test_bad_steps_are_422_naming_the_field_and_start_nothing(client):
    deploy(client, FREE)
    assert_error(_start(client, None), 422, "validation_failed")["fields"]["steps"]
    err = assert_error(_start(client, [{"name": "", "mode": "any", "users": ["nobody_here"]},
                                       {"name": "B", "mode": "ratio", "role": "no_such_role"},
                                       {"name": "C", "mode": "all"}]), 422)
    assert {"steps.0.name", "steps.0.users", "steps.1.threshold", "steps.1.role", "steps.2.users"} <= set(err["fields"])
    assert "nobody_here" in err["fields"]["steps.0.users"]
    assert client.get(f"{API}/tasks", query_string={"box": "started"},
                      headers=login(client, "clerk")).get_json()["total"] == 0


def test_steps_on_a_fixed_process_and_starting_a_generated_definition_are_refused(client):
    deploy(client, FREE)
    deploy(client, PICKED)
    err = assert_error(_start(client, STEPS, process="picked"), 422)
    assert "steps" in err["fields"]
    iid = _start(client, STEPS[:1]).get_json()["id"]
    generated = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()
    assert generated["process"] == "free_approval"
    r = client.get(f"{API}/process-definitions/free_approval", headers=login(client, "admin")).get_json()
    assert [v["version"] for v in r["versions"]] == [1]


def test_a_saved_step_list_is_mine_to_start_from_replace_and_delete(client):
    deploy(client, FREE)
    me = login(client, "clerk")
    r = client.post(f"{API}/me/flow-lists", json={"process": "free_approval", "kind": "steps", "name": "常用三步",
                                                  "items": STEPS}, headers=me)
    assert r.status_code == 201, r.get_json()
    saved = r.get_json()
    assert saved["items"] == STEPS
    listed = client.get(f"{API}/me/flow-lists", query_string={"process": "free_approval"}, headers=me).get_json()
    assert [x["name"] for x in listed["items"]] == ["常用三步"]
    assert client.get(f"{API}/me/flow-lists", query_string={"process": "free_approval"},
                      headers=login(client, "clerk2")).get_json()["items"] == []
    iid = _start(client, listed["items"][0]["items"]).get_json()["id"]
    assert _open(client, iid) == [("组长审批", "sales_lead")]
    again = client.post(f"{API}/me/flow-lists", json={"process": "free_approval", "kind": "steps",
                                                      "name": "常用三步", "items": STEPS[1:]}, headers=me)
    assert again.get_json()["id"] == saved["id"] and len(again.get_json()["items"]) == 2
    assert_error(client.delete(f"{API}/me/flow-lists/{saved['id']}", headers=login(client, "clerk2")), 404)
    assert client.delete(f"{API}/me/flow-lists/{saved['id']}", headers=me).status_code == 204
    assert client.get(f"{API}/me/flow-lists", query_string={"process": "free_approval"},
                      headers=me).get_json()["total"] == 0


def test_saved_lists_are_checked_like_a_start(client):
    deploy(client, FREE)
    deploy(client, PICKED)
    me = login(client, "clerk")
    bad = client.post(f"{API}/me/flow-lists", json={"process": "free_approval", "kind": "steps", "name": "x",
                                                    "items": [{"name": "a", "mode": "any", "users": ["ghost"]}]},
                      headers=me)
    assert "items.0.users" in assert_error(bad, 422)["fields"]
    wrong_kind = client.post(f"{API}/me/flow-lists", json={"process": "picked", "kind": "steps", "name": "x",
                                                           "items": STEPS}, headers=me)
    assert "kind" in assert_error(wrong_kind, 422)["fields"]
    assert_error(client.post(f"{API}/me/flow-lists", json={"process": "nope", "kind": "steps", "name": "x",
                                                           "items": STEPS}, headers=me), 404)


def test_chosen_approvers_are_saved_and_reused_as_common_approvers(client):
    deploy(client, PICKED)
    me = login(client, "clerk")
    bad = client.post(f"{API}/me/flow-lists", json={"process": "picked", "kind": "approvers", "name": "x",
                                                    "items": {"pick": ["ghost"]}}, headers=me)
    assert "items.pick" in assert_error(bad, 422)["fields"]
    r = client.post(f"{API}/me/flow-lists", json={"process": "picked", "kind": "approvers", "name": "财务两位",
                                                  "items": {"pick": ["fin1", "fin2"]}}, headers=me)
    assert r.status_code == 201, r.get_json()
    (saved,) = client.get(f"{API}/me/flow-lists", query_string={"process": "picked", "kind": "approvers"},
                          headers=me).get_json()["items"]
    started = client.post(f"{API}/process-instances", json={"process": "picked", "data": {},
                                                             "chosen": saved["items"]}, headers=me)
    assert started.status_code == 201, started.get_json()
    assert _open(client, started.get_json()["id"]) == [("pick", "fin1"), ("pick", "fin2")]


def test_free_flow_and_saved_list_on_both_databases(any_org, app_for):
    client = app_for(any_org.db, SECRET_KEY="test", TESTING=True).test_client()
    assert deploy(client, FREE).status_code == 201
    me = login(client, "clerk")
    saved = client.post(f"{API}/me/flow-lists", json={"process": "free_approval", "kind": "steps", "name": "两步",
                                                      "items": STEPS[:2]}, headers=me)
    assert saved.status_code == 201, saved.get_json()
    (item,) = client.get(f"{API}/me/flow-lists", query_string={"process": "free_approval"}, headers=me
                         ).get_json()["items"]
    iid = _start(client, item["items"]).get_json()["id"]
    act(client, "sales_lead", iid)
    act(client, "fin1", iid)
    act(client, "fin2", iid)
    assert (_get(client, iid)["status"], _get(client, iid)["outcome"]) == ("completed", "approved")


def test_a_rejected_free_flow_is_submitted_again_with_its_steps(client):
    deploy(client, FREE)
    iid = _start(client, STEPS).get_json()["id"]
    act(client, "sales_lead", iid, "reject")
    r = client.get(f"{API}/process-instances/{iid}/resubmit", headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["process"] == "free_approval" and body["steps"] == STEPS
    again = client.post(f"{API}/process-instances", json={"process": "free_approval", "data": body["data"],
                                                          "steps": body["steps"], "resubmitted_from": iid},
                        headers=login(client, "clerk"))
    assert again.status_code == 201, again.get_json()
    assert _open(client, again.get_json()["id"]) == [("组长审批", "sales_lead")]
