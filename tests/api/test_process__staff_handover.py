"""离职交接 as a process over HTTP: an admin deactivates a salesperson who has work without naming a
successor; the account is deactivated at once (no sign-in) and the staff_handover process starts as
them, so their supervisor gets the task of choosing the successor (a user picker; the leaver himself,
a deactivated or an unknown user: 422 naming `successor`, nothing changed; anyone else: 403). On the
choice the customers (with their contacts), contracts, opportunities and open tasks move in one step,
each task with a `handover` in its audit trail, and the instance's data holds the counts. A user with
no work is simply deactivated; a leaver without a supervisor goes to the process admins. Only admins
start a handover by hand (starters="role:admin"), for a user deactivated earlier: the choice still
goes to the leaver's supervisor."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import ValidationFailed
from crm import opportunities, successors
from engine import handover as handovers
from engine.design import definitions
from tests.api.conftest import API, TWO_STEP, assert_error, deploy, inbox, login, start, task_of
from tests.engine.helpers import assert_inbox_matches_engine
from tests.test_layers import imports_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "staff_handover.bpmn").read_bytes()


def user_id(client, username):
    users = client.get(f"{API}/users?per_page=100", headers=login(client, "admin")).get_json()["items"]
    return next(u["id"] for u in users if u["username"] == username)


def deactivate(client, username, **body):
    return client.patch(f"{API}/users/{user_id(client, username)}", json={"active": False, **body},
                        headers=login(client, "admin"))


def instance(client, iid, user="admin") -> dict[str, Any]:
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, user)).get_json()


def choose(client, user, iid, successor):
    tid = task_of(client, user, iid)
    return client.post(f"{API}/tasks/{tid}/approve", json={"comment": "交接", "data": {"successor": successor}},
                       headers=login(client, user))


def owner(client, kind, rid):
    return client.get(f"{API}/{kind}/{rid}", headers=login(client, "admin")).get_json()["owner"]


def _leaver(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    assert deploy(client, TWO_STEP).status_code == 201
    iids = [start(client, "clerk"), start(client, "clerk")]
    h = login(client, "sales_lead")
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h).get_json()
    assert client.post(f"{API}/customers/{customer['id']}/contacts", json={"name": "王经理"},
                       headers=h).status_code == 201
    contract = client.post(f"{API}/contracts", headers=h,
                           json={"customer": customer["id"], "title": "年度测绘服务", "amount": "1000.00"}).get_json()
    opp = client.post(f"{API}/opportunities", headers=h,
                      json={"customer_name": "华北测绘院", "summary": "二期平台", "probability": 40}).get_json()
    with org.db.uow(write=True) as s:
        opportunities.assign(s, opp["id"], "sales_lead")
    return {"instances": iids, "customer": customer["id"], "contract": contract["id"], "opportunity": opp["id"]}


@pytest.fixture
def leaver(client, org):
    """sales_lead holds two open tasks and owns a customer (one contact), a contract and an opportunity."""
    return _leaver(client, org)


@pytest.fixture
def started(client, leaver):
    r = deactivate(client, "sales_lead")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["active"] is False and body["handover"]["successor"] is None
    iid = body["handover"]["process"]
    assert isinstance(iid, int)
    return {**leaver, "handover": iid}


def test_deactivating_without_a_successor_starts_the_handover_for_the_supervisor(client, org, started):
    r = client.post(f"{API}/auth/token", json={"username": "sales_lead", "password": "secret-pass-1"})
    assert r.status_code == 401, "deactivated at once: no sign-in while the handover runs"
    inst = instance(client, started["handover"])
    assert (inst["process"], inst["status"]) == ("staff_handover", "running")
    assert [(t["node_id"], t["assignee"]) for t in inst["open_tasks"]] == [("choose_successor", "sales_head")]
    what = inst["data"]["open_handover"]["result"]
    assert (what["leaver"], what["tasks"], what["customer"], what["contract"], what["opportunity"]) == (
        "sales_lead", 2, 1, 1, 1)
    assert owner(client, "customers", started["customer"]) == "sales_lead", "nothing moves before the choice"
    log = client.get(f"{API}/admin-log", headers=login(client, "admin")).get_json()["items"]
    (entry,) = [e for e in log if e["action"] == "user.deactivate"]
    assert (entry["target"], entry["detail"]["handover_process"]) == ("sales_lead", started["handover"])
    assert_inbox_matches_engine(org, started["handover"])


@pytest.mark.parametrize("successor, why", [("sales_lead", "successor"), ("v01x", "successor"), ("", "successor")])
def test_a_bad_successor_is_refused_and_nothing_changes(client, org, started, successor, why):
    if successor == "v01x":
        assert deactivate(client, "clerk2").status_code == 200  # no work: simply deactivated
        successor = "clerk2"
    err = assert_error(choose(client, "sales_head", started["handover"], successor), 422)
    assert any(why in f for f in err["fields"]), err
    inst = instance(client, started["handover"])
    assert [(t["node_id"], t["assignee"]) for t in inst["open_tasks"]] == [("choose_successor", "sales_head")]
    assert owner(client, "customers", started["customer"]) == "sales_lead"
    assert owner(client, "opportunities", started["opportunity"]) == "sales_lead"
    assert len(inbox(client, "sales_head")["items"]) == 1, "only the handover task; the leaver's stay put"


def test_only_the_supervisor_chooses(client, started):
    handover_task = instance(client, started["handover"])["open_tasks"][0]["id"]
    for user in ("clerk2", "gm", "clerk"):
        r = client.post(f"{API}/tasks/{handover_task}/approve", json={"data": {"successor": "clerk2"}},
                        headers=login(client, user))
        assert_error(r, 403)
    assert owner(client, "customers", started["customer"]) == "sales_lead"


def test_the_chosen_successor_gets_records_opportunities_and_tasks_with_the_audit(client, org, started):
    r = choose(client, "sales_head", started["handover"], "clerk2")
    assert r.status_code == 200, r.get_json()
    inst = instance(client, started["handover"])
    assert (inst["status"], inst["outcome"]) == ("completed", "approved")
    moved = inst["data"]["do_handover"]["result"]
    assert {k: moved[k] for k in ("successor", "customer", "contact", "contract", "opportunity", "ticket", "tasks")} == {
        "successor": "clerk2", "customer": 1, "contact": 1, "contract": 1, "opportunity": 1, "ticket": 0, "tasks": 2}
    assert moved["tasks_not_moved"] == []
    for kind, key in (("customers", "customer"), ("contracts", "contract"), ("opportunities", "opportunity")):
        assert owner(client, kind, started[key]) == "clerk2", kind
    history = client.get(f"{API}/customers/{started['customer']}/owner-history",
                         headers=login(client, "admin")).get_json()
    assert [(h["from"], h["to"], h["by"]) for h in history["items"]][-1] == ("sales_lead", "clerk2", "sales_head")
    assert sorted(t["instance_id"] for t in inbox(client, "clerk2")["items"]) == sorted(started["instances"])
    for iid in started["instances"]:
        (ev,) = [e for e in instance(client, iid)["history"] if e["action"] == "handover"]
        assert (ev["actor"], ev["node_id"], ev["detail"]["from_user"], ev["detail"]["to_user"]) == (
            "sales_head", "sup", "sales_lead", "clerk2")
        assert_inbox_matches_engine(org, iid)
    mine = client.get(f"{API}/customers", headers=login(client, "clerk2")).get_json()["items"]
    assert started["customer"] in [c["id"] for c in mine]


def test_a_user_with_no_work_is_simply_deactivated(client, org, leaver):
    r = deactivate(client, "clerk2")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["handover"]["process"] is None
    assert handovers.running(org.db, "staff_handover") == {}, "no process needed"


def test_a_leaver_without_a_supervisor_goes_to_the_process_admins(client, org, leaver):
    h = login(client, "gm")
    assert client.post(f"{API}/customers", json={"name": "总部大客户"}, headers=h).status_code == 201
    r = deactivate(client, "gm")
    assert r.status_code == 200, r.get_json()
    inst = instance(client, r.get_json()["handover"]["process"])
    assert [t["assignee"] for t in inst["open_tasks"]] == ["admin"]
    assert choose(client, "admin", inst["id"], "sales_head").status_code == 200



def test_the_direct_path_moves_opportunities_too(client, leaver):
    r = deactivate(client, "sales_lead", successor="sales_head")
    assert r.status_code == 200, r.get_json()
    hand = r.get_json()["handover"]
    assert hand["process"] is None, "a named successor: no process"
    assert hand["records"] == {"customer": 1, "contact": 1, "contract": 1, "opportunity": 1}
    assert owner(client, "opportunities", leaver["opportunity"]) == "sales_head"
    assert len(hand["tasks_moved"]) == 2


def test_only_admins_start_a_handover_by_hand_and_only_for_a_deactivated_user(client, leaver):
    body = {"process": "staff_handover", "data": {"leaver": "sales_lead"}}
    for user in ("clerk", "sales_head"):  # starters="role:admin": 403, before the form is read
        err = assert_error(client.post(f"{API}/process-instances", json=body, headers=login(client, user)), 403,
                           "forbidden")
        assert set(err["fields"]) == {"process"}
    r = client.post(f"{API}/process-instances", json=body, headers=login(client, "admin"))
    assert set(assert_error(r, 422)["fields"]) == {"data.leaver"}, "sales_lead is still active"
    assert owner(client, "customers", leaver["customer"]) == "sales_lead"


def deactivated_users(client, user):
    return [o["value"] for o in client.get(f"{API}/pickers/deactivated_users",
                                           headers=login(client, user)).get_json()["items"]]


def test_an_admin_hands_over_by_hand_for_someone_deactivated_earlier(client, org, started):
    """The handover started on deactivation was terminated: sales_lead stays deactivated and still owns
    the records. An admin picks him from the deactivated users and starts the handover by hand; the
    choice goes to sales_lead's supervisor (not the admin's), and the records move."""
    r = client.post(f"{API}/process-instances/{started['handover']}/terminate", json={"comment": "重新发起"},
                    headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    assert deactivated_users(client, "admin") == ["sales_lead"]
    assert deactivated_users(client, "clerk") == [], "only admins are offered the deactivated users"
    r = client.post(f"{API}/process-instances", json={"process": "staff_handover", "data": {"leaver": "sales_lead"}},
                    headers=login(client, "admin"))
    assert r.status_code == 201, r.get_json()
    inst = instance(client, r.get_json()["id"])
    assert (inst["initiator"], inst["status"]) == ("admin", "running")
    assert [(t["node_id"], t["assignee"]) for t in inst["open_tasks"]] == [("choose_successor", "sales_head")]
    assert inst["data"]["open_handover"]["result"]["customer"] == 1
    assert_inbox_matches_engine(org, inst["id"])
    assert handovers.running(org.db, "staff_handover") == {org["sales_lead"]: inst["id"]}, "交接中: the leaver"
    assert handovers.running(org.db, "staff_handover", [org["admin"]]) == {}
    assert choose(client, "sales_head", inst["id"], "clerk2").status_code == 200
    assert owner(client, "customers", started["customer"]) == "clerk2"
    assert instance(client, inst["id"])["outcome"] == "approved"


def test_the_handover_needs_an_admin_even_when_its_starters_are_widened(org, started):
    """The CRM step itself accepts only the leaver (the automatic start) or an administrator as the
    initiator, whatever `starters` a redeployed version says."""
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        successors.open_handover(s, org["clerk"], "sales_lead")
    assert set(e.value.fields) == {"leaver"}
    with org.db.uow(write=True) as s:
        # (as the running handover's own step: no other handover of sales_lead runs)
        assert successors.open_handover(s, org["admin"], "sales_lead", started["handover"])["supervisor"] == "sales_head"


def instance_count(org) -> int:
    from sqlalchemy import func, select

    from engine.models import ProcessInstance
    with org.db.uow() as s:
        return int(s.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


def test_one_handover_at_a_time(client, org, started):
    """While sales_lead's handover runs, an admin's second one is refused at its first step (422 on
    data.leaver naming the running instance) and nothing is created; once the first has ended, a new
    one may start."""
    body = {"process": "staff_handover", "data": {"leaver": "sales_lead"}}
    before = instance_count(org)
    err = assert_error(client.post(f"{API}/process-instances", json=body, headers=login(client, "admin")), 422)
    assert set(err["fields"]) == {"data.leaver"} and str(started["handover"]) in err["fields"]["data.leaver"]
    assert instance_count(org) == before, "the refused start created nothing"
    assert handovers.running(org.db, "staff_handover") == {org["sales_lead"]: started["handover"]}
    r = client.post(f"{API}/process-instances/{started['handover']}/terminate", json={"comment": "重来"},
                    headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    assert client.post(f"{API}/process-instances", json=body, headers=login(client, "admin")).status_code == 201


def test_the_crm_step_refuses_the_leaver_himself_and_an_active_leaver(org, started):
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        successors.hand_over_in(s, org["admin"], "sales_lead", "sales_lead")
    assert set(e.value.fields) == {"successor"}
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        successors.hand_over_in(s, org["admin"], "clerk", "clerk2")
    assert set(e.value.fields) == {"leaver"}


def test_crm_reaches_the_engine_only_through_the_wiring():
    """crm/successors.py and crm/processes/handover.py import nothing from engine/ (the layer rule of
    tests/test_layers.py); the task hand-over is the hook app.wire() registers."""
    root = Path(__file__).resolve().parents[2]
    for path in (root / "crm" / "successors.py", root / "crm" / "processes" / "handover.py"):
        assert not [m for m in imports_of(path) if m.split(".")[0] == "engine"], path
    assert successors._hooks["move_in"] is handovers.hand_over_in


def test_the_step_locks_and_saves_the_other_instances_on_both_databases(any_org, app_for):
    """The hand-over step changes the leaver's instances inside its own transaction (each locked
    FOR UPDATE on PostgreSQL): on both databases the records and the tasks move together."""
    client = app_for(any_org.db, SECRET_KEY="test", TESTING=True).test_client()
    work = _leaver(client, any_org)
    iid = deactivate(client, "sales_lead").get_json()["handover"]["process"]
    assert choose(client, "sales_head", iid, "clerk2").status_code == 200
    moved = instance(client, iid)["data"]["do_handover"]["result"]
    assert (moved["tasks"], moved["customer"], moved["opportunity"]) == (2, 1, 1)
    assert sorted(t["instance_id"] for t in inbox(client, "clerk2")["items"]) == sorted(work["instances"])
    for other in work["instances"]:
        assert_inbox_matches_engine(any_org, other)
