"""Through the API, a number sent as typed text is stored as the number it means (`"50,000"` is
50000 and reaches the department head of 通用审批); ambiguous or garbage text is 422 naming the
field, at start and at a task, and nothing is created or changed."""
from __future__ import annotations

import pytest

from app import BPMN_DIR
from tests.api.conftest import API, assert_error, deploy, login, task_of


@pytest.fixture
def general(client):
    assert deploy(client, (BPMN_DIR / "general_approval.bpmn").read_bytes()).status_code == 201


def start(client, amount):
    return client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                       json={"process": "general_approval", "data": {"title": "采购服务器", "amount": amount}})


def read(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


@pytest.mark.parametrize("typed, stored", [("50,000", 50000), ("５０，０００", 50000), ("50,000.50", 50000.5)])
def test_thousands_separators_store_the_real_number(client, general, typed, stored):
    r = start(client, typed)
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert read(client, iid)["data"]["amount"] == stored
    r = client.post(f"{API}/tasks/{task_of(client, 'sales_lead', iid)}/approve", headers=login(client, "sales_lead"),
                    json={"comment": "同意"})
    assert r.status_code == 200, r.get_json()
    assert [(t["node_id"], t["assignee"]) for t in read(client, iid)["open_tasks"]] == [("head_approval", "sales_head")]


@pytest.mark.parametrize("garbage", ["1,2", "50.000,00", "五万", "50000元", ""])
def test_ambiguous_or_garbage_amounts_are_422_naming_the_field(client, general, garbage):
    err = assert_error(start(client, garbage), 422, "validation_failed")
    assert set(err["fields"]) == {"data.amount"}
    r = client.get(f"{API}/tasks", query_string={"box": "started"}, headers=login(client, "clerk"))
    assert r.get_json()["total"] == 0, "nothing was started"
