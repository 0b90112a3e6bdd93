"""A hidden field (`lz:fields hidden=`) is hidden from that reader everywhere (issue 11,
engine/redaction.py): the instance API (data and history), before their node opens, to a future
assignee reading as a supervisor; the service-call audit detail and the service result derived
from it; the task API (no hidden component listed at all); the 抄送 summary line; the PDF record;
the search index; notifications. The initiator, an admin and an assignee of a node that does not
hide the field see it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import functions, record
from engine.models import ProcessInstance
from notify.models import Notification
from search.index import _instance_text
from tests.api.conftest import API, deploy, login, task_of
from tests.bpmn_factory import HEAD

AMOUNT = 98765.43
REASON = "机密的报销原因"


def echo(call, v):
    """returns its argument (a stand-in for a function that copies a value into the data)"""
    return {"copied": str(v)}


@pytest.fixture(autouse=True)
def registered():
    functions.register("test.echo", echo)
    yield
    functions.unregister("test.echo")


def _task(node, who, hidden, extra=""):
    fields = f'<lz:fields hidden="{hidden}"/>' if hidden else ""
    return (f'<bpmn:userTask id="{node}" name="{node}"><bpmn:extensionElements><lz:approval mode="any"/>'
            f'<lz:form key="general_approval"/><lz:assignees strategy="{who[0]}" value="{who[1]}"/>{fields}{extra}'
            '</bpmn:extensionElements></bpmn:userTask>')


# start -> svc (copies amount) -> sup (clerk's supervisor, amount and reason hidden, copies hr1)
#   -> fin (fin_head, sees everything) -> top (gm, amount hidden) -> end
PROCESS = (HEAD + '<bpmn:process id="secret2" isExecutable="true"><bpmn:extensionElements>'
           '<lz:process prefix="HD"/></bpmn:extensionElements>'
           '<bpmn:startEvent id="s"><bpmn:extensionElements><lz:form key="general_approval"/>'
           '</bpmn:extensionElements></bpmn:startEvent>'
           '<bpmn:serviceTask id="svc" name="svc"><bpmn:extensionElements><lz:call function="test.echo">'
           '<lz:arg name="v" expr="amount"/></lz:call></bpmn:extensionElements></bpmn:serviceTask>'
           + _task("sup", ("supervisor", ""), "amount,reason", '<lz:cc strategy="users" value="hr1"/>')
           + _task("fin", ("users", "fin_head"), "")
           + _task("top", ("users", "gm"), "amount")
           + '<bpmn:endEvent id="e"/>'
           + "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in enumerate(
               [("s", "svc"), ("svc", "sup"), ("sup", "fin"), ("fin", "top"), ("top", "e")]))
           + '</bpmn:process></bpmn:definitions>').encode()


def _get(client, user, path):
    r = client.get(f"{API}{path}", headers=login(client, user))
    assert r.status_code == 200, (user, path, r.get_data(as_text=True))
    return r.get_json()


def _leaks(value) -> bool:
    text = json.dumps(value, ensure_ascii=False)
    return "98765.43" in text or REASON in text


@pytest.fixture
def iid(client, org):
    assert deploy(client, PROCESS).status_code == 201
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "secret2", "data": {"title": "差旅", "amount": AMOUNT, "reason": REASON}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_the_current_assignee_sees_no_hidden_value_in_data_history_or_service_results(client, iid):
    view = _get(client, "sales_lead", f"/process-instances/{iid}")
    assert "amount" not in view["data"] and "reason" not in view["data"]
    assert "svc" not in view["data"], "the service result copied the hidden amount"
    calls = [e for e in view["history"] if e["action"] == "call"]
    assert calls and "v" not in calls[0]["detail"]["args"] and not _leaks(view)
    full = _get(client, "clerk", f"/process-instances/{iid}")  # the initiator sees everything
    assert full["data"]["amount"] == AMOUNT and full["data"]["svc"]["result"]["copied"] == str(AMOUNT)
    assert [e for e in full["history"] if e["action"] == "call"][0]["detail"]["args"]["v"] == AMOUNT
    assert _get(client, "admin", f"/process-instances/{iid}")["data"]["reason"] == REASON


def test_a_future_assignee_reading_as_a_supervisor_does_not_see_what_their_node_hides(client, iid):
    # gm reads as the supervisor of a participant; gm's node `top` (amount hidden) is not open yet
    view = _get(client, "gm", f"/process-instances/{iid}")
    assert "amount" not in view["data"] and "svc" not in view["data"] and "98765.43" not in json.dumps(view)
    assert view["data"]["reason"] == REASON, "reason is hidden only at sup, where gm is not"


def test_the_task_lists_no_hidden_component_and_no_hidden_value(client, iid):
    tid = task_of(client, "sales_lead", iid)
    task = _get(client, "sales_lead", f"/tasks/{tid}")
    keys = [c.get("key") for c in task["form"]["schema"]["components"]]
    assert "amount" not in keys and "reason" not in keys and "title" in keys
    assert "hidden" not in task["form"] and not _leaks(task)
    assert "amount" not in json.dumps(task, ensure_ascii=False)


def test_the_cc_summary_search_pdf_record_and_notifications_carry_no_hidden_value(client, org, iid):
    tid = task_of(client, "sales_lead", iid)
    assert client.post(f"{API}/tasks/{tid}/approve", json={"comment": "同意"},
                       headers=login(client, "sales_lead")).status_code == 200
    cc = _get(client, "hr1", "/tasks?box=cc")["items"]
    mine = [r for r in cc if r["instance_id"] == iid]
    assert mine and mine[0]["summary"] == "差旅" and not _leaks(cc)
    with org.db.uow() as s:
        text = _instance_text(s, s.get(ProcessInstance, iid))
        notes = list(s.scalars(select(Notification).where(Notification.instance_id == iid)))
    assert "98765.43" not in text and REASON not in text
    assert notes and not any(_leaks(n.payload) for n in notes)
    printed = record.record(org.db, org["gm"], iid)
    # gm's node hides the amount (the reason is hidden only at sup, where gm is not)
    assert "98765.43" not in json.dumps(printed, ensure_ascii=False, default=str)
    assert "amount" not in printed["instance"]["data"] and "svc" not in printed["instance"]["data"]
    fin = _get(client, "fin_head", f"/process-instances/{iid}")  # fin's node hides nothing
    assert fin["data"]["amount"] == AMOUNT


def test_the_summary_line_hides_a_field_hidden_anywhere_but_not_from_the_initiator(client, org):
    assert deploy(client, PROCESS).status_code == 201
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "secret2", "data": {"title": "x", "amount": 1, "reason": REASON}})
    iid = r.get_json()["id"]
    rows = [x for x in _get(client, "sales_lead", "/tasks?box=todo")["items"] if x["instance_id"] == iid]
    assert rows and REASON not in json.dumps(rows, ensure_ascii=False)
