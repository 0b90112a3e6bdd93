"""Deactivating a user who has open tasks or owns CRM records asks for a successor (422 naming
`successor` when it is missing, unknown, inactive or the user themself; nothing changes). With one,
the open tasks move to the successor's 待办, each recorded as a handover in its instance's audit
trail, and the customers and contracts they owned now belong to the successor. A task the
successor already holds a vote on stays and is reported."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, TWO_STEP, act, assert_error, deploy, inbox, login, start
from tests.engine.helpers import assert_inbox_matches_engine


def user_id(client, username):
    users = client.get(f"{API}/users?per_page=100", headers=login(client, "admin")).get_json()["items"]
    return next(u["id"] for u in users if u["username"] == username)


def deactivate(client, username, as_user="admin", **body):
    return client.patch(f"{API}/users/{user_id(client, username)}", json={"active": False, **body},
                        headers=login(client, as_user))


def is_active(client, username):
    users = client.get(f"{API}/users?per_page=100", headers=login(client, "admin")).get_json()["items"]
    return next(u["active"] for u in users if u["username"] == username)


@pytest.fixture
def busy(client, org):
    """sales_lead holds two open tasks and owns a customer with a contract."""
    assert deploy(client, TWO_STEP).status_code == 201
    iids = [start(client, "clerk"), start(client, "clerk")]
    h = login(client, "sales_lead")
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h).get_json()
    contract = client.post(f"{API}/contracts", headers=h,
                           json={"customer": customer["id"], "title": "年度测绘服务", "amount": "1000.00"}).get_json()
    return {"instances": iids, "customer": customer, "contract": contract}


@pytest.mark.parametrize("body, why", [({}, "successor"), ({"successor": "nobody"}, "no user"),
                                       ({"successor": "sales_lead"}, "someone else")])
def test_a_successor_is_required_and_must_be_someone_else_who_is_active(client, busy, body, why):
    err = assert_error(deactivate(client, "sales_lead", **body), 422, "validation_failed")
    assert set(err["fields"]) == {"successor"} and why in err["fields"]["successor"]
    assert is_active(client, "sales_lead"), "nothing changed"
    assert len(inbox(client, "sales_lead")["items"]) == 2


def test_an_inactive_successor_is_refused_and_only_admins_deactivate(client, busy):
    assert deactivate(client, "clerk2").status_code == 200  # no work: no successor needed
    err = assert_error(deactivate(client, "sales_lead", successor="clerk2"), 422)
    assert "deactivated" in err["fields"]["successor"]
    assert_error(deactivate(client, "sales_lead", as_user="sales_head", successor="sales_head"), 403)
    assert is_active(client, "sales_lead")
    r = client.patch(f"{API}/users/{user_id(client, 'clerk')}", json={"successor": "sales_head"},
                     headers=login(client, "admin"))
    assert "successor" in assert_error(r, 422)["fields"], "a successor only comes with a deactivation"


def test_tasks_and_records_move_to_the_successor_with_a_handover_in_the_audit(client, org, busy):
    r = deactivate(client, "sales_lead", successor="sales_head")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["active"] is False
    hand = body["handover"]
    assert hand["successor"] == "sales_head" and hand["tasks_not_moved"] == []
    assert sorted(t["instance_id"] for t in hand["tasks_moved"]) == sorted(busy["instances"])
    assert hand["records"] == {"customer": 1, "contract": 1}

    assert sorted(t["instance_id"] for t in inbox(client, "sales_head")["items"]) == sorted(busy["instances"])
    for iid in busy["instances"]:
        inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()
        (ev,) = [e for e in inst["history"] if e["action"] == "handover"]
        assert (ev["actor"], ev["node_id"], ev["detail"]["from_user"], ev["detail"]["to_user"]) == (
            "admin", "sup", "sales_lead", "sales_head")
        assert [(t["node_id"], t["assignee"]) for t in inst["open_tasks"]] == [("sup", "sales_head")]
        assert_inbox_matches_engine(org, iid)
    admin = login(client, "admin")
    assert client.get(f"{API}/customers/{busy['customer']['id']}", headers=admin).get_json()["owner"] == "sales_head"
    assert client.get(f"{API}/contracts/{busy['contract']['id']}", headers=admin).get_json()["owner"] == "sales_head"
    history = client.get(f"{API}/customers/{busy['customer']['id']}/owner-history", headers=admin).get_json()
    assert [(h["from"], h["to"], h["by"]) for h in history["items"]][-1] == ("sales_lead", "sales_head", "admin")
    # the successor decides, and the flow goes on
    act(client, "sales_head", busy["instances"][0])
    assert_inbox_matches_engine(org, busy["instances"][0])


def test_a_task_the_successor_already_votes_on_stays_and_is_reported(client, org, busy):
    iid = busy["instances"][0]
    act(client, "sales_lead", iid)  # on to the countersign of v01 and v02
    r = deactivate(client, "v01", successor="v02")
    assert r.status_code == 200, r.get_json()
    (kept,) = r.get_json()["handover"]["tasks_not_moved"]
    assert (kept["instance_id"], kept["node_id"]) == (iid, "cs") and "already" in kept["reason"]
    inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()
    assert sorted(t["assignee"] for t in inst["open_tasks"]) == ["v01", "v02"], "still with v01, for an admin"
    assert_inbox_matches_engine(org, iid)


def test_openapi_documents_the_successor(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    assert "successor" in doc["components"]["schemas"]["UserPatch"]["properties"]
    assert doc["components"]["schemas"]["User"]["properties"]["handover"] == {"$ref": "#/components/schemas/Handover"}
