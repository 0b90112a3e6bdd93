"""bpmn/diff.py and engine/design/versions.py: what changed between two versions, the versions list, copies under a new key."""
from __future__ import annotations

from pathlib import Path

import pytest

from bpmn import diff as version_diff
from core.errors import Forbidden, Unauthenticated, ValidationFailed
from designer.table import from_table, to_table
from engine.design import definitions, versions

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
GENERAL = (BPMN / "general_approval.bpmn").read_bytes()


def _edited() -> bytes:
    t = to_table(GENERAL)
    t["steps"][0]["deadline_duration"] = "P3D"
    t["steps"][1]["condition"] = "amount > 20000"
    t["steps"].append({**t["steps"][0], "id": "board", "name": "委员会", "mode": "majority", "skip_initiator": False,
                       "assignee_strategy": "users", "assignee_value": "lisi,zhouqiang,lijun",
                       "deadline_duration": "", "deadline_action": "", "condition": ""})
    t["process"]["category"] = "行政"
    return from_table(t)


def test_diff_lists_added_removed_and_changed_nodes_with_their_settings():
    d = version_diff.diff(GENERAL, _edited())
    added = {n["id"] for n in d.added}
    removed = {n["id"] for n in d.removed}
    assert "board" in added and {"head_approval__if", "head_approval__join", "end"} <= added
    assert {"gw_supervisor", "gw_head", "end_approved", "end_rejected"} == removed
    changed = {n["id"]: {c["field"]: (c["old"], c["new"]) for c in n["changes"]} for n in d.changed}
    assert changed["supervisor_approval"] == {"deadline": ("P2D remind", "P3D remind")}
    assert changed["head_approval"]["condition"] == (
        'supervisor_approval["outcome"] == "approved" and amount > 10000', "amount > 20000")
    assert changed["start"] == {"name": ("提交申请", "发起")}
    assert {"field": "category", "old": "通用", "new": "行政"} in d.process
    assert not d.empty
    assert version_diff.diff(GENERAL, GENERAL).empty


def test_versions_list_and_copy_under_a_new_key(org):
    definitions.deploy(org.db, GENERAL, None)
    definitions.deploy(org.db, _edited(), org["admin"])
    items = versions.list_versions(org.db, org["admin"], "general_approval")
    assert [(i["version"], i["deployed_by"], i["nodes"]) for i in items] == [(2, "系统管理员", 7), (1, "", 7)]
    d = versions.copy_as_new_process(org.db, org["admin"], "general_approval", 1, "purchase", "采购审批")
    assert (d["key"], d["version"], d["name"]) == ("purchase", 1, "采购审批")
    copy = versions.get_version(org.db, org["admin"], "purchase")["bpmn_xml"].encode()
    assert version_diff.diff(GENERAL, copy).empty is False  # only the process name differs
    assert version_diff.describe(copy)[1] == version_diff.describe(GENERAL)[1]
    with pytest.raises(ValidationFailed) as e:
        versions.copy_as_new_process(org.db, org["admin"], "general_approval", 1, "purchase", "again")
    assert "already used" in e.value.fields["new_key"]
    with pytest.raises(ValidationFailed) as e:
        versions.copy_as_new_process(org.db, org["admin"], "general_approval", 1, "9 bad", "")
    assert set(e.value.fields) == {"new_key", "new_name"}
    assert [i["version"] for i in versions.list_versions(org.db, org["admin"], "purchase")] == [1]


def test_version_reads_are_for_designers_only(org):
    """Reading versions is what the designer pages allow: admins and process admins."""
    definitions.deploy(org.db, GENERAL, None)
    for call in (lambda who: versions.list_versions(org.db, who, "general_approval"),
                 lambda who: versions.get_version(org.db, who, "general_approval", 1),
                 lambda who: versions.key_in_use(org.db, who, "general_approval")):
        assert call(org["admin"])
        with pytest.raises(Forbidden):
            call(org["clerk"])
        with pytest.raises(Unauthenticated):
            call(999_999)
    with pytest.raises(Forbidden):
        versions.copy_as_new_process(org.db, org["clerk"], "general_approval", 1, "purchase", "采购审批")
