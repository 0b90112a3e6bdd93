"""POST /process-instances, GET /process-instances/{id}, withdraw and urge."""
from __future__ import annotations

import re

import pytest

from tests.api.conftest import API, TWO_STEP, assert_error, deploy, login, start, task_of


@pytest.fixture
def deployed(client):
    assert deploy(client, TWO_STEP).status_code == 201


def test_start_is_201_with_a_business_key(client, deployed):
    r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {"amount": 5, "reason": "家事"}},
                    headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) == {"id", "business_key", "status"}
    assert re.fullmatch(r"TS-\d{4}-\d{6}", body["business_key"]) and body["status"] == "running"
    assert r.headers["Location"].endswith(f"/api/v1/process-instances/{body['id']}")


def test_read_shows_the_contract_fields(client, deployed):
    iid = start(client, "clerk", data={"amount": 5})
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk"))
    assert r.status_code == 200
    body = r.get_json()
    assert {"id", "process", "version", "business_key", "status", "end_event", "data", "open_tasks",
            "history"} <= set(body)
    assert body["process"] == "two_step" and body["version"] == 1 and body["status"] == "running"
    assert body["end_event"] is None and body["data"]["amount"] == 5
    assert [(t["node_id"], t["assignee"]) for t in body["open_tasks"]] == [("sup", "sales_lead")]
    assert body["history"][0]["action"] == "start"


def test_unknown_process_is_404_and_missing_process_is_422(client, deployed):
    clerk = login(client, "clerk")
    err = assert_error(client.post(f"{API}/process-instances", json={"process": "nope", "data": {}}, headers=clerk),
                       404)
    assert "process" in err["fields"]
    err = assert_error(client.post(f"{API}/process-instances", json={"data": {}}, headers=clerk), 422)
    assert "process" in err["fields"]
    err = assert_error(client.post(f"{API}/process-instances", json={"process": 7}, headers=clerk), 422)
    assert "process" in err["fields"]


def test_bad_data_is_422_naming_the_field(client, deployed):
    clerk = login(client, "clerk")
    err = assert_error(client.post(f"{API}/process-instances", json={"process": "two_step", "data": [1, 2]},
                                   headers=clerk), 422, "validation_failed")
    assert set(err["fields"]) == {"data"}
    err = assert_error(client.post(f"{API}/process-instances", json={"process": "two_step", "data": {"_x": 1}},
                                   headers=clerk), 422)
    assert set(err["fields"]) == {"data._x"}
    err = assert_error(client.post(f"{API}/process-instances", json={"process": "two_step", "extra": 1},
                                   headers=clerk), 422)
    assert set(err["fields"]) == {"extra"}
    assert client.get(f"{API}/tasks", query_string={"box": "started"}, headers=clerk).get_json()["total"] == 0


def test_participants_supervisors_and_admins_read_outsiders_get_403(client, deployed):
    iid = start(client, "clerk")
    # clerk: initiator; sales_lead: assignee; sales_head, gm: supervisors of participants; admin
    for user in ("clerk", "sales_lead", "sales_head", "gm", "admin"):
        r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
        assert r.status_code == 200, (user, r.get_json())
    for user in ("outsider", "clerk2", "v01", "fin1"):
        assert_error(client.get(f"{API}/process-instances/{iid}", headers=login(client, user)), 403, "forbidden")
    assert_error(client.get(f"{API}/process-instances/999999", headers=login(client, "admin")), 404)


def test_past_assignee_can_still_read(client, deployed):
    iid = start(client, "clerk")
    lead = login(client, "sales_lead")
    assert client.post(f"{API}/tasks/{task_of(client, 'sales_lead', iid)}/approve", json={},
                       headers=lead).status_code == 200
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "v01"))
    assert r.status_code == 200
    assert client.get(f"{API}/process-instances/{iid}", headers=lead).status_code == 200


def test_withdraw_by_the_initiator(client, deployed):
    iid = start(client, "clerk")
    clerk = login(client, "clerk")
    r = client.post(f"{API}/process-instances/{iid}/withdraw", json={"comment": "填错了"}, headers=clerk)
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    body = client.get(f"{API}/process-instances/{iid}", headers=clerk).get_json()
    assert body["status"] == "withdrawn" and body["open_tasks"] == []
    assert client.get(f"{API}/tasks", headers=login(client, "sales_lead")).get_json()["total"] == 0
    # a second withdraw: no longer running
    assert_error(client.post(f"{API}/process-instances/{iid}/withdraw", headers=clerk), 409, "conflict")


def test_withdraw_by_anyone_else_is_403(client, deployed):
    iid = start(client, "clerk")
    for user in ("sales_lead", "admin", "clerk2"):
        assert_error(client.post(f"{API}/process-instances/{iid}/withdraw", json={}, headers=login(client, user)),
                     403)
    assert client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()["status"] \
        == "running"


def test_withdraw_after_an_approver_acted_is_409(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    assert client.post(f"{API}/tasks/{tid}/approve", json={"comment": "ok"},
                       headers=login(client, "sales_lead")).status_code == 200
    err = assert_error(client.post(f"{API}/process-instances/{iid}/withdraw", headers=login(client, "clerk")), 409)
    assert "acted" in err["message"]


def test_withdraw_comment_must_be_text(client, deployed):
    iid = start(client, "clerk")
    err = assert_error(client.post(f"{API}/process-instances/{iid}/withdraw", json={"comment": 5},
                                   headers=login(client, "clerk")), 422)
    assert set(err["fields"]) == {"comment"}


def test_urge_by_the_initiator(client, deployed):
    iid = start(client, "clerk")
    r = client.post(f"{API}/process-instances/{iid}/urge", json={"comment": "请尽快"}, headers=login(client, "clerk"))
    assert r.status_code == 200 and r.get_json() == {"id": iid, "urged": 1, "recorded": True, "notified": True,
                                                     "users": [{"username": "sales_lead", "display_name": "周组长"}]}
    assert_error(client.post(f"{API}/process-instances/{iid}/urge", headers=login(client, "sales_lead")), 403)
    assert_error(client.post(f"{API}/process-instances/999999/urge", headers=login(client, "clerk")), 404)
