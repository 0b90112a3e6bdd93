"""试用账号开通 end to end over HTTP as the real users: a salesperson registers a trial account for a
customer (the user is created inactive, nobody knows its password), an admin approves (the user
becomes active and, once the admin has set a password, can sign in) or rejects (the user stays
inactive; the reason is kept in the process data and the audit trail)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm.models import User
from engine.design import definitions
from tests.api.conftest import API, act, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "trial_account.bpmn").read_bytes()
ACCOUNT = {"username": "trial.hbch", "display_name": "刘试用", "company": "华北测绘院", "phone": "13812345678",
           "email": "liu@hbch.example.cn", "expires_on": "2030-06-30"}


@pytest.fixture(autouse=True)
def deployed(org):
    definitions.deploy(org.db, XML, org["admin"])


def start(client, account: dict[str, Any] | None = None, user: str = "clerk"):
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": "trial_account", "data": {"account": account or ACCOUNT}})


def trial_user(org, username: str = "trial.hbch") -> User | None:
    with org.db.uow() as s:
        u = s.query(User).filter_by(username=username).one_or_none()
        if u is not None:
            s.expunge(u)
        return u


def instance(client, iid, user="clerk"):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, user)).get_json()


def todo(client, user, iid):
    rows = client.get(f"{API}/tasks?box=todo", headers=login(client, user)).get_json()["items"]
    return [r["id"] for r in rows if r["instance_id"] == iid]


def can_login(client, username, password):
    return client.post(f"{API}/auth/token", json={"username": username, "password": password}).status_code == 200


def test_admin_approves_and_the_trial_user_becomes_active(client, org):
    r = start(client)
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("SY-")
    u = trial_user(org)
    assert u is not None and not u.active and u.display_name == "刘试用"
    assert u.supervisor_id is None, "the registering salesperson does not become a supervisor"
    inst = instance(client, iid)
    assert [t["assignee"] for t in inst["open_tasks"]] == ["admin"]
    assert inst["data"]["register"]["result"] == {"user_id": u.id, "username": "trial.hbch", "active": False}
    assert inst["data"]["account"]["expires_on"] == "2030-06-30", "the trial end date stays in the process data"
    assert "password" not in str(inst["data"])
    act(client, "admin", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_activated")
    assert trial_user(org).active
    # the admin sets the first password; then the trial user signs in
    r = client.patch(f"{API}/users/{u.id}", json={"password": "trial-pass-1"}, headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    assert can_login(client, "trial.hbch", "trial-pass-1")


def test_admin_rejects_the_user_stays_inactive_and_the_reason_is_kept(client, org):
    iid = start(client).get_json()["id"]
    r = client.post(f"{API}/tasks/{todo(client, 'admin', iid)[0]}/reject", json={}, headers=login(client, "admin"))
    assert_error(r, 422)
    act(client, "admin", iid, action="reject", comment="公司信息无法核实")
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")
    assert inst["data"]["record_rejection"]["result"]["reason"] == "公司信息无法核实"
    assert inst["data"]["admin_approval"]["outcome"] == "rejected"
    u = trial_user(org)
    assert u is not None and not u.active
    # even with a password set, an inactive user cannot sign in
    client.patch(f"{API}/users/{u.id}", json={"password": "trial-pass-1"}, headers=login(client, "admin"))
    assert not can_login(client, "trial.hbch", "trial-pass-1")


def test_the_pending_user_cannot_sign_in(client, org):
    iid = start(client).get_json()["id"]
    u = trial_user(org)
    client.patch(f"{API}/users/{u.id}", json={"password": "trial-pass-1"}, headers=login(client, "admin"))
    assert not can_login(client, "trial.hbch", "trial-pass-1")
    assert instance(client, iid)["status"] == "running"


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "gm", "hr1"])
def test_only_the_admin_role_gets_the_approval(client, org, user):
    iid = start(client).get_json()["id"]
    assert todo(client, user, iid) == []
    [tid] = todo(client, "admin", iid)
    r = client.post(f"{API}/tasks/{tid}/approve", json={"comment": "我来批"}, headers=login(client, user))
    assert r.status_code in (403, 404), r.get_json()
    assert not trial_user(org).active
    assert instance(client, iid)["status"] == "running"


def test_a_taken_user_name_is_refused_at_start_and_nothing_is_created(client, org):
    err = assert_error(start(client, {**ACCOUNT, "username": "clerk2"}), 422)
    assert err["fields"] == {"data.account.username": "already taken"}
    assert start(client).status_code == 201
    err = assert_error(start(client, {**ACCOUNT, "display_name": "另一个"}), 422)
    assert "data.account.username" in err["fields"]
    with org.db.uow() as s:
        assert s.query(User).filter(User.username.like("trial%")).count() == 1


@pytest.mark.parametrize("account, field", [
    ({**ACCOUNT, "username": "1bad name"}, "data.account.username"),
    ({**ACCOUNT, "display_name": " "}, "data.account.display_name"),
    ({k: v for k, v in ACCOUNT.items() if k != "company"}, "data.account.company"),
    ({**ACCOUNT, "email": "not-an-email"}, "data.account.email"),
    ({**ACCOUNT, "phone": "12"}, "data.account.phone"),
    ({**ACCOUNT, "expires_on": "2030-02-30"}, "data.account.expires_on"),
    ({**ACCOUNT, "password": "secret-pass-9"}, "data.account.password"),
])
def test_form_errors_name_the_field_and_create_nothing(client, org, account, field):
    err = assert_error(start(client, account), 422)
    assert field in err["fields"], err
    assert trial_user(org, account.get("username", "")) is None
    assert trial_user(org) is None
