"""The instance page: who may see it, what it shows (progress, open tasks, timeline, data without
the fields hidden from the viewer), withdraw for the initiator only, urge."""
from __future__ import annotations

import json
import re

import pytest

from engine import instances
from forms import library
from tests import bpmn_factory as bf
from tests.engine import helpers as h
from tests.web.conftest import csrf_of, signed_in

TWO = bf.chain("two", [bf.user_task("sup", "any", "supervisor"), bf.user_task("boss", "any", "users", "gm")])

FORM = {"type": "default", "schemaVersion": 16, "components": [
    {"type": "textfield", "key": "title", "label": "标题", "validate": {"required": True}},
    {"type": "textfield", "key": "bank_account", "label": "银行账号"},
]}
HIDDEN = (bf.HEAD + """<bpmn:process id="hidden_acct" name="付款" isExecutable="true">
  <bpmn:startEvent id="s"><bpmn:extensionElements><lz:form key="t_pay"/></bpmn:extensionElements></bpmn:startEvent>
  <bpmn:userTask id="review" name="审核"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="sales_lead"/><lz:form key="t_pay"/>
    <lz:fields hidden="bank_account"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
</bpmn:process></bpmn:definitions>""").encode()


def json_block(html: str, element_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert m, f"no {element_id} on the page"
    return json.loads(m.group(1))


@pytest.fixture
def iid(org):
    h.deploy(org, TWO)
    return h.start(org, "clerk", "two")


def test_an_outsider_gets_403_and_a_participant_sees_the_page(org, client, iid):
    signed_in(client, "outsider")
    r = client.get(f"/instances/{iid}")
    assert r.status_code == 403
    assert "403 · 无权访问" in r.get_data(as_text=True)
    assert "sup" not in r.get_data(as_text=True)
    client = client.application.test_client()
    signed_in(client, "sales_lead")  # the open task's assignee
    r = client.get(f"/instances/{iid}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "周组长" in html and "sup" in html  # who the instance waits for, by display name
    assert f'href="/tasks/{h.task_of(org, "sales_lead", iid)}"' in html, "a link to their own open task"
    assert "/withdraw" not in html and "/urge" not in html, "only the initiator withdraws or urges"
    assert client.get("/instances/999999").status_code == 404


def test_the_page_carries_the_progress_for_the_diagram(org, client, iid):
    h.approve(org, "sales_lead", iid)
    signed_in(client, "clerk")
    diagram = json_block(client.get(f"/instances/{iid}").get_data(as_text=True), "instance-diagram")
    assert "<bpmn:process" in diagram["xml"]
    assert set(diagram["completed"]) == {"start", "sup"} and diagram["current"] == ["boss"]
    assert set(diagram["taken"]) == {"f0", "f1"}


def test_the_timeline_lists_every_action_with_its_comment(org, client, iid):
    h.approve(org, "sales_lead", iid, comment="可以，尽快安排")
    signed_in(client, "clerk")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    timeline = html.split('id="timeline"', 1)[1]
    assert timeline.index("张三") < timeline.index("周组长") < timeline.index("可以，尽快安排")
    assert "王总" in timeline  # the node now waits for gm


def test_only_the_initiator_may_withdraw(org, client, iid):
    token = signed_in(client, "sales_lead")
    assert "/withdraw" not in client.get(f"/instances/{iid}").get_data(as_text=True)
    r = client.post(f"/instances/{iid}/withdraw", data={"csrf_token": token})
    assert r.status_code == 403
    assert h.instance(org, iid)["status"] == "running"

    client = client.application.test_client()
    token = signed_in(client, "clerk")
    assert f"/instances/{iid}/withdraw" in client.get(f"/instances/{iid}").get_data(as_text=True)
    assert client.post(f"/instances/{iid}/withdraw", data={}).status_code == 400, "CSRF token required"
    assert h.instance(org, iid)["status"] == "running"
    r = client.post(f"/instances/{iid}/withdraw", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200
    assert h.instance(org, iid)["status"] == "withdrawn"
    html = r.get_data(as_text=True)
    assert "/withdraw" not in html and "/urge" not in html


def test_withdraw_is_refused_once_an_approver_has_acted(org, client, iid):
    h.approve(org, "sales_lead", iid)
    token = signed_in(client, "clerk")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert f"/instances/{iid}/withdraw" not in html and f"/instances/{iid}/urge" in html
    r = client.post(f"/instances/{iid}/withdraw", data={"csrf_token": token}, follow_redirects=True)
    assert "flash-error" in r.get_data(as_text=True)
    assert "已有审批人处理，无法撤回。" in r.get_data(as_text=True), "the refusal, translated by its code"
    assert h.instance(org, iid)["status"] == "running"


def test_urge_records_who_was_reminded(org, client, iid):
    token = signed_in(client, "clerk")
    r = client.post(f"/instances/{iid}/urge", data={"csrf_token": token}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "flash-success" in html
    assert "已催办：周组长（已发站内消息" in html, "says what really happened: a message was written for him"
    urges = [e for e in h.instance(org, iid)["history"] if e["action"] == "urge"]
    assert len(urges) == 1 and urges[0]["actor"] == "clerk" and urges[0]["detail"]["users"] == ["sales_lead"]
    r = client.post(f"/instances/{iid}/urge", data={"csrf_token": token}, follow_redirects=True)
    assert "10 分钟内已催办过" in r.get_data(as_text=True)
    assert len([e for e in h.instance(org, iid)["history"] if e["action"] == "urge"]) == 1


@pytest.fixture
def hidden_iid(org, tmp_path, monkeypatch):
    (tmp_path / "t_pay.json").write_text(json.dumps(FORM), encoding="utf-8")
    monkeypatch.setattr(library, "SCHEMA_DIR", tmp_path)
    h.deploy(org, HIDDEN)
    return instances.start_process(org.db, org["clerk"], "hidden_acct",
                                   {"title": "付供应商", "bank_account": "6222-7777-SECRET"})["id"]


def test_hidden_fields_are_not_in_the_page_of_the_node_assignee(org, client, hidden_iid):
    signed_in(client, "sales_lead")
    html = client.get(f"/instances/{hidden_iid}").get_data(as_text=True)
    assert "付供应商" in html
    assert "6222-7777-SECRET" not in html
    assert "银行账号" not in html, "the hidden field is not even shown empty"


def test_the_initiator_sees_every_field(org, client, hidden_iid):
    signed_in(client, "clerk")
    shown = json_block(client.get(f"/instances/{hidden_iid}").get_data(as_text=True), "instance-form")
    assert shown["data"]["bank_account"] == "6222-7777-SECRET"
    assert [c["key"] for c in shown["schema"]["components"]] == ["title", "bank_account"]


def test_in_english_the_page_speaks_english(org, client):
    from pathlib import Path

    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_bytes()
    h.deploy(org, xml)
    iid = h.start(org, "clerk", "general_approval", {"title": "显示器", "amount": 3600, "reason": "入职"})
    token = signed_in(client, "clerk")
    client.post("/language", data={"csrf_token": token, "locale": "en"})
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert "General approval" in html and "In progress" in html and "submitted the request" in html
    assert "Withdraw" in html and "History" in html
    start = client.get("/start").get_data(as_text=True)
    assert "Start a process" in start and "General approval" in start


def test_comment_with_a_mention_from_the_instance_page(org, app, client, iid):
    token = signed_in(client, "clerk")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert 'id="comment-form"' in html and 'value="fin1"' in html, "people to mention are offered"
    assert "未读" in html, "the open task is not read yet"
    r = client.post(f"/instances/{iid}/comments", data={"csrf_token": token, "text": "请财务确认预算",
                                                       "mentions": ["fin1"]}, follow_redirects=True)
    assert "沟通意见已发表" in r.get_data(as_text=True)
    client = app.test_client()
    signed_in(client, "fin1")
    page = client.get(f"/instances/{iid}")
    assert page.status_code == 200 and "请财务确认预算" in page.get_data(as_text=True)
    r = client.post(f"/instances/{iid}/comments", data={"csrf_token": csrf_of(page.get_data(as_text=True)),
                                                       "text": ""}, follow_redirects=True)
    assert "沟通意见未保存" in r.get_data(as_text=True)


def test_take_back_button_only_for_who_completed_the_previous_step(org, app, client, iid):
    h.approve(org, "sales_lead", iid)
    signed_in(client, "clerk")
    assert 'id="take-back"' not in client.get(f"/instances/{iid}").get_data(as_text=True)
    client = app.test_client()
    token = signed_in(client, "sales_lead")
    assert 'id="take-back"' in client.get(f"/instances/{iid}").get_data(as_text=True)
    r = client.post(f"/instances/{iid}/take-back", data={"csrf_token": token}, follow_redirects=True)
    assert "已拿回" in r.get_data(as_text=True)
    assert h.open_assignees(org, iid) == {"sup": {"sales_lead"}}
    h.assert_inbox_matches_engine(org, iid)
