"""The task page: only the assignee sees it; hidden fields never reach the page; the vote status
in words; actions as form posts and as JSON (the page's script), with 422 at the fields changing
nothing and a task decided meanwhile explained instead of an error."""
from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from crm import records
from engine import instances, tasks
from engine.design import definitions
from engine.models import AuditEvent, HumanTask, ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.web.conftest import signed_in

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
# sup: the clerk's supervisor; cs: v01 and v02 countersign (all)
TWO_STEP = chain("two_step", [user_task("sup", "any", "supervisor"), user_task("cs", "all", "users", "v01,v02")],
                 prefix="TS", route_last=True)
# the supervisor sees the general approval form, may change only the reason, never sees the amount
SECRET = chain("secret", [user_task("sup", "any", "supervisor",
                                    extra='<lz:form key="general_approval"/><lz:fields editable="reason" hidden="amount"/>')],
               prefix="SE")
EITHER = chain("either", [user_task("pick", "any", "users", "sales_lead,sales_head")], prefix="EI")
MAJORITY = chain("vote", [user_task("m", "majority", "users", "v01,v02,v03,v04,v05")], prefix="MJ")
SEQUENTIAL = chain("seq", [user_task("s", "sequential", "users", "v01,v02,v03")], prefix="SQ")


def deploy(org, *xmls):
    for xml in xmls:
        definitions.deploy(org.db, xml, org["admin"])


def start(org, user, process, data=None):
    return instances.start_process(org.db, org[user], process, data or {})["id"]


def open_task(org, user, instance_id):
    with org.db.uow() as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.assignee_id == org[user], HumanTask.status == "open"))


def fresh(app, user):
    c = app.test_client()
    return c, signed_in(c, user)


def page_json(html):
    return json.loads(re.search(r'<script type="application/json" id="task-json">(.*?)</script>', html, re.S).group(1))


def audit_count(org, instance_id):
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == instance_id))


def state(org, task_id):
    with org.db.uow() as s:
        t = s.get(HumanTask, task_id)
        inst = s.get(ProcessInstance, t.instance_id)
        return t.status, inst.revision, dict(inst.data)


def test_the_page_shows_the_task_and_never_the_hidden_field(client, org):
    deploy(org, SECRET)
    iid = start(org, "clerk", "secret", {"title": "采购打印机", "amount": 98765.43, "reason": "旧的坏了"})
    tid = open_task(org, "sales_lead", iid)
    signed_in(client, "sales_lead")
    r = client.get(f"/tasks/{tid}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "采购打印机" in html and "SE-" in html and "张三" in html  # header: the typed title, business key, initiator
    assert "98765" not in html, "the hidden amount is not in the page"
    page = page_json(html)
    assert "amount" not in page["data"]
    assert all(c.get("key") != "amount" for c in page["schema"]["components"]), "nor its field"
    assert page["editable"] == ["reason"] and page["data"]["title"] == "采购打印机"
    assert page["open"] is True and set(page["actions"]) >= {"approve", "reject"}
    # the API the page could also call hides it too
    api = client.get(f"/api/v1/tasks/{tid}").get_json()
    assert "amount" not in api["data"] and "98765" not in json.dumps(api)


def test_someone_elses_task_is_403_and_shows_nothing(app, client, org):
    deploy(org, SECRET)
    iid = start(org, "clerk", "secret", {"title": "采购打印机", "amount": 12, "reason": "旧的坏了"})
    tid = open_task(org, "sales_lead", iid)
    other, token = fresh(app, "clerk2")
    r = other.get(f"/tasks/{tid}")
    assert r.status_code == 403
    assert "采购打印机" not in r.get_data(as_text=True) and "SE-" not in r.get_data(as_text=True)
    r = other.post(f"/tasks/{tid}/approve", data={"csrf_token": token, "comment": "hi"})
    assert r.status_code == 403
    assert state(org, tid)[0] == "open"
    assert other.get("/tasks/999999").status_code == 404


def test_reject_without_a_comment_is_refused_at_the_field_and_changes_nothing(client, org):
    deploy(org, TWO_STEP)
    iid = start(org, "clerk", "two_step")
    tid = open_task(org, "sales_lead", iid)
    token = signed_in(client, "sales_lead")
    before, events = state(org, tid), audit_count(org, iid)
    r = client.post(f"/tasks/{tid}/reject", data={"csrf_token": token, "comment": "  "})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r'id="err-comment"[^>]*>请填写审批意见，说明原因。</p>', html), "the message at the comment field"
    assert 'class="invalid"' in html
    # the page's script gets the same as JSON
    r = client.post(f"/tasks/{tid}/reject", json={"comment": ""}, headers={"X-CSRFToken": token})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"comment": "请填写审批意见，说明原因。"}
    assert state(org, tid) == before and audit_count(org, iid) == events, "nothing changed"
    # with a reason it goes through, and the inbox says so
    r = client.post(f"/tasks/{tid}/reject", data={"csrf_token": token, "comment": "预算不足"})
    assert (r.status_code, r.location) == (302, "/")
    assert state(org, tid)[0] == "rejected"
    assert "已驳回：张三的two_step" in client.get("/").get_data(as_text=True)


def test_approve_sends_only_editable_fields_and_a_wrong_one_changes_nothing(client, org):
    deploy(org, SECRET)
    iid = start(org, "clerk", "secret", {"title": "采购打印机", "amount": 12, "reason": "旧的坏了"})
    tid = open_task(org, "sales_lead", iid)
    token = signed_in(client, "sales_lead")
    before = state(org, tid)
    r = client.post(f"/tasks/{tid}/approve", json={"comment": "ok", "data": {"title": "改标题"}},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 422
    assert list(r.get_json()["error"]["fields"]) == ["data.title"]
    r = client.post(f"/tasks/{tid}/approve", data={"csrf_token": token, "comment": "ok", "data": '{"title": "改标题"}'})
    assert r.status_code == 422 and 'data-field="data.title"' in r.get_data(as_text=True)
    assert state(org, tid) == before
    r = client.post(f"/tasks/{tid}/approve", json={"comment": "同意购买", "data": {"reason": "旧的坏了，已报修无果"}},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["redirect"] == "/"
    status, _rev, data = state(org, tid)
    assert status == "approved" and data["reason"] == "旧的坏了，已报修无果" and data["amount"] == 12


def test_a_task_decided_meanwhile_is_explained_not_an_error(client, org):
    deploy(org, EITHER)
    iid = start(org, "clerk", "either")
    tid = open_task(org, "sales_lead", iid)
    token = signed_in(client, "sales_lead")
    assert client.get(f"/tasks/{tid}").status_code == 200  # opened ...
    tasks.approve(org.db, org["sales_head"], open_task(org, "sales_head", iid), "我批了")  # ... decided meanwhile
    r = client.post(f"/tasks/{tid}/approve", data={"csrf_token": token, "comment": "同意"})
    assert (r.status_code, r.location) == (302, f"/tasks/{tid}")
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "该事项在此期间已被处理或已结束，本次操作未做任何更改。" in html
    assert "该事项已由李销售总监处理完毕" in html
    assert f'href="/instances/{iid}"' in html
    assert 'id="action-form"' not in html, "no buttons on a closed task"
    assert page_json(html)["open"] is False
    r = client.post(f"/tasks/{tid}/reject", json={"comment": "晚了"}, headers={"X-CSRFToken": token})
    assert r.status_code == 409 and r.get_json()["error"]["redirect"] == f"/tasks/{tid}"
    assert state(org, tid)[0] == "cancelled"


def test_vote_status_in_words(app, org):
    deploy(org, TWO_STEP, MAJORITY, SEQUENTIAL)
    iid = start(org, "clerk", "two_step")
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "同意")
    tasks.approve(org.db, org["v01"], open_task(org, "v01", iid), "法务无异议")
    c, _ = fresh(app, "v02")
    html = c.get(f"/tasks/{open_task(org, 'v02', iid)}").get_data(as_text=True)
    assert "会签：2 人全部同意才通过" in html and "已同意 1 / 2" in html
    assert "法务无异议" in html and "投票人01" in html, "who approved, with the comment"
    assert "周组长" in html, "the history names the earlier approver"

    mj = start(org, "clerk", "vote")
    c, _ = fresh(app, "v03")
    html = c.get(f"/tasks/{open_task(org, 'v03', mj)}").get_data(as_text=True)
    assert "多数通过：5 人中需 3 人同意" in html and "已同意 0 / 5" in html

    sq = start(org, "clerk", "seq")
    tasks.approve(org.db, org["v01"], open_task(org, "v01", sq), "先批")
    c, _ = fresh(app, "v02")
    html = c.get(f"/tasks/{open_task(org, 'v02', sq)}").get_data(as_text=True)
    assert "依次审批：3 人按顺序逐一同意" in html and "已同意 1 / 3" in html
    assert re.search(r"投票人03</span> <span class=\"tag\">等待轮到", html), "the next in line is named"


def test_return_transfer_and_add_signers_from_the_page(app, org):
    deploy(org, TWO_STEP)
    iid = start(org, "clerk", "two_step")
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "同意")
    v01, token = fresh(app, "v01")
    tid = open_task(org, "v01", iid)
    html = v01.get(f"/tasks/{tid}").get_data(as_text=True)
    assert '<option value="sup"' in html, "the earlier step can be chosen"
    r = v01.post(f"/tasks/{tid}/add-signer", data={"csrf_token": token, "users": ["v03"]})
    assert r.status_code == 302 and open_task(org, "v03", iid) is not None
    r = v01.post(f"/tasks/{tid}/return", data={"csrf_token": token, "to_node": "", "comment": "补材料"})
    assert r.status_code == 422 and "请选择要退回到的环节。" in r.get_data(as_text=True)
    r = v01.post(f"/tasks/{tid}/return", data={"csrf_token": token, "to_node": "sup", "comment": "补材料"})
    assert r.status_code == 302
    assert open_task(org, "sales_lead", iid) is not None, "back at the supervisor"
    lead, token = fresh(app, "sales_lead")
    tid = open_task(org, "sales_lead", iid)
    r = lead.post(f"/tasks/{tid}/transfer", data={"csrf_token": token, "to_user": "sales_head", "comment": "你来"})
    assert r.status_code == 302 and open_task(org, "sales_head", iid) is not None
    assert "已转办给 李销售总监 (sales_head)" in lead.get("/").get_data(as_text=True)


def contract_card(html):
    card = re.search(r'<section class="card record-card" data-kind="contract">(.*?)</section>', html, re.S)
    assert card, "a contract card"
    return card.group(1)


def test_the_contract_being_countersigned_is_shown_to_the_heads(app, org):
    definitions.deploy(org.db, (BPMN / "contract_countersign.bpmn").read_bytes(), org["admin"])
    customer = records.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    contract = records.create(org.db, org["clerk"], "contract",
                                      {"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})
    iid = start(org, "clerk", "contract_countersign", {"contract_id": contract["id"], "reason": "请会签"})
    # the sales head may see the clerk's records: the contract as it is now, with its customer
    c, _ = fresh(app, "sales_head")
    html = c.get(f"/tasks/{open_task(org, 'sales_head', iid)}").get_data(as_text=True)
    card = contract_card(html)
    assert "年度测绘服务" in card and "250,000.00" in card and "审核中" in card and "华北测绘院" in card
    assert "无权查看该记录本身" not in card
    page = page_json(html)
    assert page["editable"] == [], "no shared opinion field: each head's opinion is their comment"
    label = f"年度测绘服务 ({contract['number']})"
    assert {"value": contract["id"], "label": label} in page["data"]["contracts"]
    # the legal head may not open the CRM record: the card shows what was submitted for review
    c, _ = fresh(app, "legal_head")
    html = c.get(f"/tasks/{open_task(org, 'legal_head', iid)}").get_data(as_text=True)
    card = contract_card(html)
    assert "年度测绘服务" in card and contract["number"] in card and "无权查看该记录本身" in card
    assert "华北测绘院" not in html, "nothing the CRM would not show them"
    assert {"value": contract["id"], "label": label} in page_json(html)["data"]["contracts"]


def test_the_pages_speak_english_when_asked(client, org):
    deploy(org, TWO_STEP)
    iid = start(org, "clerk", "two_step")
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "ok")
    token = signed_in(client, "v01")
    client.post("/language", data={"csrf_token": token, "locale": "en"})
    html = client.get("/").get_data(as_text=True)
    assert "Approve selected" in html and "Initiator" in html and "批量同意" not in html
    html = client.get(f"/tasks/{open_task(org, 'v01', iid)}").get_data(as_text=True)
    assert "All 2 must approve" in html and "0 of 2 approved" in html and ">Approve</button>" in html
    assert "审批意见" not in html


def test_a_withdrawn_or_already_handled_task_says_so(app, org):
    deploy(org, TWO_STEP)
    gone = start(org, "clerk", "two_step")
    tid = open_task(org, "sales_lead", gone)
    instances.withdraw(org.db, org["clerk"], gone, "不需要了")
    lead, token = fresh(app, "sales_lead")
    html = lead.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "张三已撤回该流程，无需再处理。" in html and 'id="action-form"' not in html
    r = lead.post(f"/tasks/{tid}/approve", data={"csrf_token": token, "comment": "同意"})
    assert (r.status_code, r.location) == (302, f"/tasks/{tid}")

    done = start(org, "clerk", "two_step")
    tid = open_task(org, "sales_lead", done)
    lead.post(f"/tasks/{tid}/approve", data={"csrf_token": token, "comment": "同意"})
    html = lead.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "该事项已由周组长处理（同意，" in html
    assert "同意" in re.search(r'<section class="card history-card".*?</section>', html, re.S).group(0)
