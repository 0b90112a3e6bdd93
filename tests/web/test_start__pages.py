"""The start pages: only processes a user can start, grouped by category; the start form page
carries the form, the picker options the user may pick, and 404s for anything else."""
from __future__ import annotations

import json
import re

from engine.design import definitions
from tests import bpmn_factory as bf
from tests.engine import helpers as h
from tests.web.conftest import signed_in

LEAVE_LIKE = bf.chain("by_hand", [bf.user_task("a", "any", "supervisor")]).replace(
    b'<lz:process mode="fixed" prefix="T"/>', b'<lz:process mode="fixed" prefix="BH" category="HR-cat"/>')
TIMER_STARTED = bf.chain("nightly", [bf.user_task("a", "any", "users", "gm")]).replace(
    b'<bpmn:startEvent id="start"/>',
    b'<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
    b'</bpmn:timerEventDefinition></bpmn:startEvent>')


def config_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="start-config">(.*?)</script>', html, re.S)
    assert m, "the page carries no start config"
    return json.loads(m.group(1))


def test_the_start_list_shows_only_processes_started_by_hand_by_category(org, client):
    h.deploy(org, LEAVE_LIKE)
    definitions.deploy(org.db, TIMER_STARTED, org["admin"])
    signed_in(client, "clerk")
    html = client.get("/start").get_data(as_text=True)
    assert 'href="/start/by_hand"' in html
    assert "/start/nightly" not in html, "a timer-started process cannot be started by hand"
    assert "<h2>HR-cat</h2>" in html
    assert client.get("/start/nightly").status_code == 404
    assert client.get("/start/no_such_process").status_code == 404


def test_the_start_list_and_form_need_a_login(org, client):
    h.deploy(org, LEAVE_LIKE)
    r = client.get("/start/by_hand")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_start_form_page_carries_the_form_and_picker_options(org, client):
    from pathlib import Path

    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_bytes()
    h.deploy(org, xml)
    signed_in(client, "clerk")
    r = client.get("/start/general_approval")
    assert r.status_code == 200
    config = config_of(r.get_data(as_text=True))
    assert config["process"] == "general_approval"
    assert [c.get("key") for c in config["schema"]["components"] if c.get("key")][:2] == ["title", "amount"]
    assert config["api"] == "/start/general_approval"
    assert config["instance_url"] == "/instances"


def test_the_start_menu_entry_is_shown_to_everyone(org, client):
    signed_in(client, "clerk")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/start"' in html


def test_picker_options_on_the_start_form_are_only_the_records_the_user_may_see(org, client):
    from pathlib import Path

    from crm import records as rs

    mine = rs.create(org.db, org["clerk"], "customer", {"name": "张三的客户"})
    rs.create(org.db, org["clerk2"], "customer", {"name": "李四的客户"})
    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "service_ticket.bpmn").read_bytes()
    h.deploy(org, xml)
    signed_in(client, "clerk")
    config = config_of(client.get("/start/service_ticket").get_data(as_text=True))
    customers = config["options"]["customers"]
    assert [o["value"] for o in customers] == [mine["id"]]
    assert "李四的客户" not in json.dumps(config, ensure_ascii=False)
    # the technician is picked by the service manager later: not asked (nor offered) at the start
    keys = {c.get("key") for c in config["schema"]["components"]}
    assert {"complainant", "customer", "content"} <= keys
    assert not keys & {"technician", "verification", "handling_method", "satisfaction"}
    assert "users" not in config["options"]


def test_a_predefined_flow_asks_for_the_chosen_approvers_and_the_api_takes_them(org, client):
    xml = bf.chain("picked", [bf.user_task("reviewer", "any", "chosen")], mode="predefined")
    h.deploy(org, xml)
    token = signed_in(client, "clerk")
    html = client.get("/start/picked").get_data(as_text=True)
    config = config_of(html)
    assert config["chosen"] == [{"node_id": "reviewer", "name": "reviewer"}]
    assert 'data-node="reviewer"' in html and 'value="legal_head"' in html
    # what start.js sends: the session cookie and the CSRF header
    r = client.post("/api/v1/process-instances", json={"process": "picked", "data": {},
                                                        "chosen": {"reviewer": ["legal_head"]}},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_json()
    assert h.open_assignees(org, r.get_json()["id"]) == {"reviewer": {"legal_head"}}
