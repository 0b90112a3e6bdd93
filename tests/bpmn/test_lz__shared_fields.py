"""A countersign whose several signers would share an editable form field gets the warning
`lz_shared_field` (each would overwrite the others' input): the lint reports it, deploy goes ahead
and answers it under `warnings`. A single approver, or 或签, may edit without a warning."""
from __future__ import annotations

import pytest

from tests.bpmn.test_checks__lint import START, flow, lint, only, user_task

END = '<bpmn:endEvent id="end"/>'


def node(ext: str) -> str:
    return START + user_task("t", ext) + END + flow("f1", "start", "t") + flow("f2", "t", "end")


@pytest.mark.parametrize("mode, assignees", [
    ("all", '<lz:assignees strategy="dept_heads" value="法务部,财务部"/>'),
    ("majority", '<lz:assignees strategy="role" value="finance"/>'),
    ("ratio\" threshold=\"0.5", '<lz:assignees strategy="users" value="a,b,c"/>'),
    ("sequential", '<lz:assignees strategy="users" value="a，b"/>'),
    ("all", '<lz:assignees strategy="field" value="reviewers"/>'),
])
def test_a_countersign_with_editable_fields_is_reported(mode, assignees):
    problems = only(lint(node(f'<lz:approval mode="{mode}"/>{assignees}<lz:form key="f"/>'
                              '<lz:fields editable="review_note,amount"/>')), "lz_shared_field")
    assert [p.element_id for p in problems] == ["t"]
    assert "review_note, amount" in problems[0].message and "votes" in problems[0].message


@pytest.mark.parametrize("ext", [
    '<lz:approval mode="any"/><lz:assignees strategy="role" value="finance"/>',  # one decision
    '<lz:approval mode="all"/><lz:assignees strategy="supervisor" value="1"/>',  # one person
    '<lz:approval mode="all"/><lz:assignees strategy="users" value="a"/>',
    '<lz:assignees strategy="role" value="finance"/>',  # a handle task: the first to complete it
])
def test_one_editor_may_keep_editable_fields(ext):
    assert only(lint(node(ext + '<lz:form key="f"/><lz:fields editable="paid_at"/>')), "lz_shared_field") == []


def test_a_countersign_without_editable_fields_is_fine():
    ext = '<lz:approval mode="all"/><lz:assignees strategy="role" value="finance"/><lz:form key="f"/>'
    assert only(lint(node(ext)), "lz_shared_field") == []

