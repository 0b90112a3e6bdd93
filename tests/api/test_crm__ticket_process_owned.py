"""A service ticket's process-step fields (核实结果, 处理方法, 处理人, 处理结果, 客户满意度, 客户意见,
status) belong to the service-ticket process while its instance runs: only the process's write-back
changes them; a PATCH through the API gets 422 naming each field (admins too). Other fields stay editable; without a running instance the API edits
them as before."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login
from tests.api.test_process__service_ticket import CLASSIFY, act, deployed, ok, started, ticket  # noqa: F401

PROCESS_OWNED = {"verification": "改口：未核实", "handling_method": "重装", "handler": "sales_lead", "result": "已解决",
                 "satisfaction": 5, "customer_opinion": "满意", "status": "closed"}


def patch(client, tid, body, user="clerk"):
    return client.patch(f"{API}/tickets/{tid}", json=body, headers=login(client, user))


def test_every_process_step_field_is_refused_by_name_while_the_instance_runs(client, deployed):  # noqa: F811
    iid, tid = started(client)
    for user in ("clerk", "admin"):
        err = assert_error(patch(client, tid, PROCESS_OWNED, user), 422, "validation_failed")
        assert set(err["fields"]) == set(PROCESS_OWNED), err
        assert "process" in err["fields"]["status"]
        for name, value in PROCESS_OWNED.items():
            err = assert_error(patch(client, tid, {name: value}, user), 422)
            assert set(err["fields"]) == {name}
    t = ticket(client, tid)
    assert (t["status"], t["verification"], t["handler"], t["satisfaction"]) == ("open", None, None, None)
    # the process itself still writes them
    ok(act(client, "svc_mgr", iid, CLASSIFY))
    t = ticket(client, tid)
    assert (t["status"], t["verification"], t["handler"]) == ("assigned", CLASSIFY["verification"], "tech1")
    err = assert_error(patch(client, tid, {"handler": "tech2"}, "admin"), 422)
    assert set(err["fields"]) == {"handler"}
    assert ticket(client, tid)["handler"] == "tech1"


def test_other_fields_and_unchanged_values_are_accepted_while_it_runs(client, deployed):  # noqa: F811
    _, tid = started(client)
    r = patch(client, tid, {"contact_info": "010-62345678", "remark": "客户来电补充", "status": "open"})
    assert r.status_code == 200, r.get_json()
    t = r.get_json()
    assert (t["contact_info"], t["remark"], t["status"]) == ("010-62345678", "客户来电补充", "open")


def test_once_the_instance_is_withdrawn_the_fields_can_be_corrected(client, deployed):  # noqa: F811
    iid, tid = started(client)
    r = client.post(f"{API}/process-instances/{iid}/withdraw", json={}, headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    r = patch(client, tid, {"status": "closed", "result": "客户撤销投诉"}, "admin")
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["result"]) == ("closed", "客户撤销投诉")


def test_a_ticket_without_a_process_is_edited_through_the_api(client, deployed):  # noqa: F811
    r = client.post(f"{API}/tickets", json={"complainant": "王女士", "content": "电话咨询"}, headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    r = patch(client, r.get_json()["id"], {"status": "closed", "result": "电话中已答复", "satisfaction": 5})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["satisfaction"]) == ("closed", 5)
