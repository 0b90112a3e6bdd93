"""The table view over every shipped process: a chain of approval steps is editable; any other
process shows its main path as read-only rows (user, service and script tasks, parallel groups)
with the other branches explained, or names the element where the rows stop."""
from __future__ import annotations

from pathlib import Path

import pytest

from designer.table import to_table

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = sorted(BPMN.glob("*.bpmn"))


def notes(t: dict) -> list[str]:
    return [template % params for template, params in t["overview"]["notes"]]


def rows(t: dict) -> list[tuple[str, str]]:
    return [(r["id"], r["kind"]) for r in t["overview"]["rows"]]


def test_the_shipped_processes_and_the_table_opens_all_of_them():
    assert len(SHIPPED) == 14  # the 11 fixed / predefined ones, 自由审批 (free_approval, a free flow), customer_care
    # (客户关怀任务), staff_handover (离职交接)
    chains = [p.stem for p in SHIPPED if to_table(p.read_bytes())["editable"]]
    shown = [p.stem for p in SHIPPED if (t := to_table(p.read_bytes()))["editable"]
             or (t["overview"]["rows"] and t["overview"]["stopped"] is None)]
    # editable as a chain of steps, as before; free_approval's one drawn step is a chain too
    assert chains == ["free_approval", "general_approval"]
    assert shown == [p.stem for p in SHIPPED]  # every one shows its path


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_user_task_of_a_shipped_process_is_a_row_or_explained(path):
    t = to_table(path.read_bytes())
    if t["editable"]:
        return
    ov = t["overview"]
    assert ov["stopped"] is None
    ids = [r["id"] for r in ov["rows"]]
    assert len(ids) == len(set(ids))
    for r in ov["rows"]:
        assert r["readonly"] == (r["kind"] != "approval")
        if r["kind"] == "approval":
            assert r["mode"] and r["strategy"]  # its lz: settings are read


def test_expense_reimbursement_rows_conditions_and_branches():
    t = to_table((BPMN / "expense_reimbursement.bpmn").read_bytes())
    assert rows(t) == [("clear_payment", "script"), ("submit", "service"), ("sup_approval", "approval"),
                       ("dept_approval", "approval"), ("gm_approval", "approval"), ("mark_approved", "service"),
                       ("pay", "approval"), ("mark_paid", "service")]
    by_id = {r["id"]: r for r in t["overview"]["rows"]}
    assert by_id["dept_approval"]["condition"] == 'Decimal(submit["result"]["total"]) > 5000'
    assert by_id["sup_approval"]["condition"] == ""
    assert by_id["pay"]["mode"] == "handle" and by_id["pay"]["strategy"] == "role"
    assert 'When Decimal(submit["result"]["total"]) <= 5000: the steps up to \'报销单已批准\' are skipped.' \
        in notes(t)
    assert "When rejected: 报销单驳回 → 已驳回." in notes(t)


def test_leave_request_rejection_goes_to_the_revision_and_vip_shortcut_and_ticket_loop():
    leave = to_table((BPMN / "leave_request.bpmn").read_bytes())
    assert rows(leave) == [("check", "service"), ("supervisor", "approval"), ("dept_head", "approval"),
                           ("hr", "approval"), ("deduct", "service")]
    assert "When rejected: 清除上次的选择 → 修改或取消." in notes(leave)
    vip = to_table((BPMN / "vip_customer.bpmn").read_bytes())
    assert rows(vip) == [("enter", "service"), ("supervisor_approval", "approval"), ("make_vip", "service")]
    assert 'When enter["result"]["initiator_is_supervisor"]: 主管录入，立即生效 → 已生效（主管录入）.' in notes(vip)
    ticket = to_table((BPMN / "service_ticket.bpmn").read_bytes())
    assert [i for i, _ in rows(ticket)][-1] == "record_callback"
    assert "Otherwise: back to '技术人员处理'." in notes(ticket)


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
  id="d" targetNamespace="urn:t"><process id="p" name="P" isExecutable="true">"""


def flows(*pairs: str) -> str:
    return "".join(f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                   for i, (a, b) in enumerate(p.split(">") for p in pairs))


def test_a_parallel_countersign_is_a_group_of_branches():
    xml = (HEAD + """<startEvent id="s"/><parallelGateway id="split"/>
      <userTask id="legal" name="法务"><extensionElements><lz:approval mode="any"/>
        <lz:assignees strategy="role" value="legal"/></extensionElements></userTask>
      <serviceTask id="note" name="记录"/>
      <userTask id="finance" name="财务"><extensionElements><lz:assignees strategy="role" value="finance"/>
        </extensionElements></userTask>
      <parallelGateway id="join"/><userTask id="gm" name="总经理"><extensionElements>
        <lz:approval mode="any"/><lz:assignees strategy="role" value="gm"/></extensionElements></userTask>
      <endEvent id="e"/>""" + flows("s>split", "split>legal", "legal>note", "note>join", "split>finance",
                                    "finance>join", "join>gm", "gm>e") + "</process></definitions>").encode()
    t = to_table(xml)
    assert not t["editable"] and t["overview"]["stopped"] is None
    got = [(r["id"], r["group"], r["branch"]) for r in t["overview"]["rows"]]
    assert got == [("legal", "split", 1), ("note", "split", 1), ("finance", "split", 2), ("gm", "", 0)]


def test_what_cannot_be_a_row_stops_the_rows_and_is_named():
    xml = (HEAD + """<startEvent id="s"/><serviceTask id="prep" name="准备"/>
      <subProcess id="sub" name="子流程甲"><startEvent id="s2"/><endEvent id="e2"/></subProcess>
      <endEvent id="e"/>""" + flows("s>prep", "prep>sub", "sub>e") + "</process></definitions>").encode()
    t = to_table(xml)
    assert rows(t) == [("prep", "service")]
    template, params = t["overview"]["stopped"]
    assert template % params == "'子流程甲' (subProcess) cannot be a table row; the rows end before it"
