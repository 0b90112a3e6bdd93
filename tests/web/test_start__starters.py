"""The start pages under 发起人权限 (lz:process starters=): 离职交接 (starters="role:admin") is no card
for a clerk, its form answers 404 and a hand-made submit 403 in the user's language; an admin
sees the card, and the form's 离职人员 picker offers the deactivated users."""
from __future__ import annotations

from pathlib import Path

from crm import org as org_service
from engine.design import definitions
from tests.web.conftest import signed_in
from tests.web.test_start__pages import config_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "staff_handover.bpmn").read_bytes()


def test_a_clerk_gets_no_card_no_form_and_a_403(org, client):
    definitions.deploy(org.db, XML, org["admin"])
    token = signed_in(client, "clerk")
    assert "/start/staff_handover" not in client.get("/start").get_data(as_text=True)
    assert client.get("/start/staff_handover").status_code == 404
    r = client.post("/start/staff_handover", json={"data": {"leaver": "clerk2"}},
                    headers={"X-CSRFToken": token, "Accept-Language": "zh"})
    assert r.status_code == 403
    assert r.get_json()["error"]["fields"] == {"process": "您无权发起此流程。"}


def test_an_admin_sees_the_card_and_picks_a_deactivated_user(org, client):
    definitions.deploy(org.db, XML, org["admin"])
    with org.db.uow(write=True) as s:
        org_service.update_user(s, org["clerk2"], {"active": False})
    signed_in(client, "admin")
    assert 'href="/start/staff_handover"' in client.get("/start").get_data(as_text=True)
    r = client.get("/start/staff_handover")
    assert r.status_code == 200
    config = config_of(r.get_data(as_text=True))
    (leaver,) = [c for c in config["schema"]["components"] if c.get("key") == "leaver"]
    assert leaver["valuesKey"] == "deactivated_users"
    assert [o["value"] for o in config["options"]["deactivated_users"]] == ["clerk2"]
