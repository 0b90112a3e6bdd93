"""designer/table_edit.py: a table edit changes the diagram in place. The XML diff of editing
one step is only that step; end events, names, labels, other extensions and the layout stay;
added and removed steps leave a file that deploys and reads back as the edited table."""
from __future__ import annotations

import copy
import difflib
from pathlib import Path

import pytest
from lxml import etree

from designer.table import from_table, to_table
from designer.table_edit import EditRefused, apply_table
from engine.design import definitions, versions
from engine.design.definitions import compile_definition
from tests.designer.test_table__pages import form_of
from tests.web.conftest import signed_in

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
GENERAL = (BPMN / "general_approval.bpmn").read_bytes()


def changed_lines(a: bytes, b: bytes) -> list[str]:
    diff = difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def lines_of_element(xml: bytes, element_id: str) -> set[str]:
    """The source lines of one element (start to end tag)."""
    root = etree.fromstring(xml)
    el = next(e for e in root.iter() if e.get("id") == element_id)
    last = el
    while len(last):
        last = last[-1]
    text = xml.decode().splitlines()
    end = (last.sourceline or el.sourceline) + (1 if len(el) else 0)
    return set(text[el.sourceline - 1:end])


def edited(xml: bytes, change) -> tuple[dict, bytes]:
    old = to_table(xml)
    new = copy.deepcopy(old)
    change(new)
    return new, apply_table(xml, old, new)


def test_editing_one_step_changes_only_that_step():
    def change(t):
        t["steps"][1].update(assignee_strategy="role", assignee_value="finance", name="财务负责人审批",
                             deadline_duration="P3D", deadline_action="remind")
    new, out = edited(GENERAL, change)
    diff = changed_lines(GENERAL, out)
    assert diff and all(line[1:] in lines_of_element(GENERAL, "head_approval") | lines_of_element(out, "head_approval")
                        for line in diff), diff
    assert to_table(out)["steps"] == new["steps"]
    compile_definition(out)


def test_the_rest_of_the_diagram_stays():
    """What the old generator lost: end events, the start's name, labels of conditions."""
    _new, out = edited(GENERAL, lambda t: t["steps"][0].update(assignee_value="2"))
    root = etree.fromstring(out)
    names = {e.get("id"): e.get("name") for e in root.iter() if e.get("id")}
    assert names["end_approved"] == "已通过" and names["end_rejected"] == "已驳回"
    assert names["start"] == "提交申请" and names["to_head"] == "金额 > 10000"
    assert out.startswith(GENERAL.split(b"<bpmn:process", 1)[0])  # declaration, comment, root tag as they were


def test_a_changed_condition_is_replaced_where_it_is_written_with_its_label():
    new, out = edited(GENERAL, lambda t: t["steps"][1].update(condition="amount > 20000"))
    assert to_table(out)["steps"] == new["steps"]
    root = etree.fromstring(out)
    to_head = next(e for e in root.iter() if e.get("id") == "to_head")
    assert to_head.get("name") == "amount > 20000"
    assert "supervisor_approval[\"outcome\"] == \"approved\" and amount > 20000" in to_head[0].text
    compile_definition(out)


def test_an_added_last_step_follows_every_approved_path():
    def change(t):
        t["steps"].append({**t["steps"][0], "id": "finance_check", "name": "财务复核", "condition": ""})
    new, out = edited(GENERAL, change)
    assert to_table(out)["steps"] == new["steps"]
    assert all(line.startswith("+") or "targetRef=\"end_approved\"" in line for line in changed_lines(GENERAL, out))
    compile_definition(out)


def test_a_removed_step_takes_its_gateway_and_leaves_the_rejection_end():
    new, out = edited(GENERAL, lambda t: t["steps"].pop(1))
    assert to_table(out)["steps"] == new["steps"]
    ids = {e.get("id") for e in etree.fromstring(out).iter()}
    assert {"head_approval", "gw_head", "to_head", "f_head"}.isdisjoint(ids)
    assert {"end_rejected", "end_approved", "gw_supervisor"} <= ids
    compile_definition(out)


def test_moving_steps_is_refused_with_the_reason():
    with pytest.raises(EditRefused, match="reorder"):
        edited(GENERAL, lambda t: t["steps"].reverse())


def test_a_designed_diagram_keeps_its_layout():
    table = to_table(GENERAL)
    table["process"]["key"] = "designed"
    xml = from_table(table)  # with a diagram (bpmn/layout.py)
    _new, out = edited(xml, lambda t: t["steps"][0].update(mode="all"))
    diff = changed_lines(xml, out)
    assert len(diff) == 2 and 'mode="any"' in diff[0] and 'mode="all"' in diff[1], diff


def test_deploying_from_the_table_page_changes_only_the_edited_step(client, org):
    definitions.deploy(org.db, GENERAL, None)
    token = signed_in(client, "admin")
    table = to_table(GENERAL)
    table["steps"][1].update(assignee_strategy="role", assignee_value="finance")
    r = client.post("/designer/general_approval/table", data=form_of(table, token))
    assert r.status_code == 302, r.get_data(as_text=True)
    v2 = versions.get_version(org.db, org["admin"], "general_approval")["bpmn_xml"].encode()
    assert changed_lines(GENERAL, v2) == ['-        <lz:assignees strategy="dept_head"/>',
                                          '+        <lz:assignees strategy="role" value="finance"/>']


def test_a_move_on_the_page_is_refused_in_chinese_and_nothing_is_deployed(client, org):
    definitions.deploy(org.db, GENERAL, None)
    token = signed_in(client, "admin")
    table = to_table(GENERAL)
    table["steps"].reverse()
    r = client.post("/designer/general_approval/table", data=form_of(table, token))
    assert r.status_code == 409
    assert "调整顺序请在流程图中进行" in r.get_data(as_text=True)
    assert len(versions.list_versions(org.db, org["admin"], "general_approval")) == 1
