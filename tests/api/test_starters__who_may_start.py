"""发起人权限 over HTTP: `lz:process starters="role:hr,user:clerk2,dept:法务部"` limits who may start a
process by hand. Anyone else gets 403 (`forbidden`, naming `process`; nothing created) from
POST /process-instances — before the form is even read — and neither a card on the start page's
list nor its form (404); a process without `starters` stays open to everyone. A malformed value is a
deploy problem naming the process (422, nothing deployed). Submitting one's own rejected request
again is not limited by a `starters` added since."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import NotFound
from engine import progress
from engine.models import ProcessInstance
from tests.api.conftest import API, TWO_STEP, act, assert_error, deploy, login, start


def restricted(starters: str, key: str = "two_step") -> bytes:
    xml = TWO_STEP.replace(b'prefix="TS"/>', f'prefix="TS" starters="{starters}"/>'.encode())
    assert xml != TWO_STEP
    return xml if key == "two_step" else xml.replace(b'"two_step"', f'"{key}"'.encode())


def instances(org) -> int:
    with org.db.uow() as s:
        return int(s.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


def keys(org, user) -> set[str]:
    return {p["key"] for p in progress.startable(org.db, org[user])}


@pytest.fixture
def limited(client):
    r = deploy(client, restricted("role:hr，user:clerk2, dept：法务部"))
    assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("user", ["hr1", "clerk2", "outsider", "v07"])  # role, user, department, department
def test_the_listed_start_it(client, limited, user):
    start(client, user)


@pytest.mark.parametrize("user", ["clerk", "sales_head", "admin", "fin1"])
def test_anyone_else_gets_403_and_nothing_is_created(client, org, limited, user):
    before = instances(org)
    r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {"x": 1}},
                    headers=login(client, user))
    err = assert_error(r, 403, "forbidden")
    assert set(err["fields"]) == {"process"}
    assert instances(org) == before


def test_the_start_list_and_page_follow_the_rule(client, org, limited):
    assert deploy(client, restricted("user:nobody_here", key="open_one").replace(b' starters="user:nobody_here"',
                                                                                  b"")).status_code == 201
    assert keys(org, "clerk") == {"open_one"}, "no card for a process the clerk may not start"
    assert keys(org, "hr1") == {"open_one", "two_step"}
    with pytest.raises(NotFound):
        progress.start_page(org.db, org["clerk"], "two_step")
    assert progress.start_page(org.db, org["clerk2"], "two_step")["key"] == "two_step"


@pytest.mark.parametrize("starters, entry", [("", None), ("boss:zhang", "boss:zhang"), ("role:Admin", "role:Admin"),
                                             ("user:zhangsan,role", "role"), ("user:", "user:")])
def test_a_malformed_starters_is_a_deploy_problem_naming_the_process(client, org, starters, entry):
    err = assert_error(deploy(client, restricted(starters)), 422)
    assert "two_step" in err["fields"], err
    assert "starters" in err["fields"]["two_step"]
    if entry:
        assert f"'{entry}'" in err["fields"]["two_step"]
    assert client.get(f"{API}/process-definitions/two_step", headers=login(client, "admin")).status_code == 404


def test_resubmitting_a_rejected_request_is_not_limited_by_a_later_starters(client, org):
    assert deploy(client, TWO_STEP).status_code == 201
    iid = start(client, "clerk", data={"x": 1})
    act(client, "sales_lead", iid, "reject", comment="不行")
    assert deploy(client, restricted("role:hr")).status_code == 201
    r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {"x": 2}},
                    headers=login(client, "clerk"))
    assert_error(r, 403)
    assert progress.start_page(org.db, org["clerk"], "two_step", iid)["key"] == "two_step"
    with pytest.raises(NotFound):
        progress.start_page(org.db, org["clerk2"], "two_step", iid)  # not clerk2's request
    again = {"process": "two_step", "data": {"x": 2}, "resubmitted_from": iid}
    r = client.post(f"{API}/process-instances", json=again, headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    # once only: a request submitted again cannot be the door to further starts the starters refuse
    err = assert_error(client.post(f"{API}/process-instances", json=again, headers=login(client, "clerk")), 409)
    assert err.get("reason") == "already_resubmitted" and r.get_json()["business_key"] in err["message"], err
    with pytest.raises(NotFound):
        progress.start_page(org.db, org["clerk"], "two_step", iid)
