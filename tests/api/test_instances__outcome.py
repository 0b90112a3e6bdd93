"""Every instance answer carries a truthful `outcome` (DESIGN.md §8): null while running, then
approved | rejected | withdrawn | terminated; `<lz:end outcome=.../>` on an end event wins, else the
last approval node decided before the end. GET /process-instances/{id} and every inbox box."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, TWO_STEP, act, assert_error, deploy, inbox, login, start
from tests.bpmn_factory import chain, user_task


def _get(client, iid, user="admin"):
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _row(client, user, box, iid):
    rows = [r for r in inbox(client, user, box)["items"] if r["instance_id"] == iid]
    assert rows, f"{user} has no row for {iid} in {box}"
    return rows[0]


# the rejection routed to a plain end event after a handle step; the approval to a declared end
ROUTED = chain("routed", [user_task("sup", "any", "supervisor"), user_task("cs", "all", "users", "v01,v02")],
               prefix="RT", route_last=True)
DECLARED = ROUTED.replace(b'id="routed"', b'id="declared"').replace(
    b'<bpmn:endEvent id="end"/>',
    b'<bpmn:endEvent id="end"><bpmn:extensionElements><lz:end outcome="rejected"/></bpmn:extensionElements>'
    b'</bpmn:endEvent>')


@pytest.fixture
def deployed(client):
    for xml in (TWO_STEP, ROUTED, DECLARED):
        assert deploy(client, xml).status_code == 201


def _run_to_end(client, process, cs_decision):
    iid = start(client, "clerk", process)
    act(client, "sales_lead", iid)
    act(client, "v01", iid, cs_decision)
    if cs_decision == "approve":
        act(client, "v02", iid)
    return iid


def test_running_instance_has_no_outcome_yet(client, deployed):
    iid = start(client, "clerk")
    assert _get(client, iid)["outcome"] is None
    assert _row(client, "clerk", "started", iid)["outcome"] is None
    assert _row(client, "sales_lead", "todo", iid)["outcome"] is None


def test_a_rejection_routed_to_a_plain_end_event_is_rejected_everywhere(client, deployed):
    iid = _run_to_end(client, "routed", "reject")
    body = _get(client, iid)
    assert (body["status"], body["end_event"], body["outcome"]) == ("completed", "end_rejected", "rejected")
    assert _row(client, "clerk", "started", iid)["outcome"] == "rejected"
    done = _row(client, "v01", "done", iid)
    assert (done["outcome"], done["instance_status"]) == ("rejected", "completed")
    assert _row(client, "sales_lead", "done", iid)["outcome"] == "rejected"


def test_an_approval_is_approved(client, deployed):
    iid = _run_to_end(client, "routed", "approve")
    assert (_get(client, iid)["end_event"], _get(client, iid)["outcome"]) == ("end", "approved")
    assert _row(client, "clerk", "started", iid)["outcome"] == "approved"


def test_an_end_event_declaring_its_outcome_wins_over_the_votes(client, deployed):
    iid = _run_to_end(client, "declared", "approve")  # every vote approved, but the end says rejected
    assert _get(client, iid)["outcome"] == "rejected"


def test_a_withdrawn_instance_is_withdrawn_in_every_box(client, deployed):
    iid = start(client, "clerk")
    r = client.post(f"{API}/process-instances/{iid}/withdraw", json={}, headers=login(client, "clerk"))
    assert r.status_code == 200
    assert _get(client, iid)["outcome"] == "withdrawn"
    assert _row(client, "clerk", "started", iid)["outcome"] == "withdrawn"


def test_copied_instances_carry_the_outcome(client):
    xml = chain("copied", [user_task("sup", "any", "supervisor", extra='<lz:cc strategy="role" value="hr"/>')],
                prefix="CP", route_last=True)
    assert deploy(client, xml).status_code == 201
    iid = start(client, "clerk", "copied")
    assert _row(client, "hr1", "cc", iid)["outcome"] is None
    act(client, "sales_lead", iid, "reject")
    row = _row(client, "hr1", "cc", iid)
    assert (row["outcome"], row["instance_status"]) == ("rejected", "completed")


@pytest.mark.parametrize("end, element", [
    ('<bpmn:endEvent id="end"><bpmn:extensionElements><lz:end outcome="maybe"/></bpmn:extensionElements>'
     '</bpmn:endEvent>', "end"),
    ('<bpmn:endEvent id="end"><bpmn:extensionElements><lz:end/></bpmn:extensionElements></bpmn:endEvent>', "end"),
])
def test_deploy_refuses_an_unknown_end_outcome_naming_the_element(client, end, element):
    xml = chain("bad_end", [user_task("sup", "any", "supervisor")], prefix="BE").replace(
        b'<bpmn:endEvent id="end"/>', end.encode())
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    assert element in err["fields"] and "lz:end" in err["fields"][element]
    r = client.get(f"{API}/process-definitions/bad_end", headers=login(client, "admin"))
    assert r.status_code == 404, "nothing deployed"


def test_lz_end_on_a_task_is_refused(client):
    xml = chain("bad_place", [user_task("sup", "any", "supervisor", extra='<lz:end outcome="approved"/>')],
                prefix="BP")
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    assert "sup" in err["fields"]


def test_openapi_documents_the_outcome(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert schemas["Outcome"]["enum"] == ["approved", "rejected", "withdrawn", "terminated"]
    assert "outcome" in schemas["Instance"]["properties"] and "outcome" in schemas["InboxRow"]["properties"]
    assert "suspended" in schemas["InstanceStatus"]["enum"]
