"""group without path keeps its fields at the parent level; with path (or a dotted key) nests them."""
from tests.forms.helpers import comp, errors, form, ok


def test_group_without_path_is_only_layout():
    schema = form({"type": "group", "label": "申请人", "components": [comp("textfield", "name", validate={"required": True})]})
    assert ok(schema, {"name": "李雷"}) == {"name": "李雷"}
    assert errors(schema, {}) == {"name": "is required"}


def test_group_with_path_nests_its_data():
    schema = form({"type": "group", "path": "applicant", "components": [
        comp("textfield", "name", validate={"required": True}), comp("textfield", "phone")]})
    assert ok(schema, {"applicant": {"name": "李雷"}}) == {"applicant": {"name": "李雷"}}
    assert errors(schema, {"applicant": {"phone": "1"}}) == {"applicant.name": "is required"}
    assert errors(schema, {}) == {"applicant.name": "is required"}
    assert errors(schema, {"applicant": "李雷"}) == {"applicant": "must be an object"}
    assert errors(schema, {"name": "李雷", "applicant": {"name": "x"}}) == {"name": "not a field of this form"}


def test_dotted_group_path_and_dotted_keys():
    schema = form(
        {"type": "group", "path": "order.customer", "components": [comp("textfield", "name")]},
        comp("number", "order.total"),
    )
    data = {"order": {"customer": {"name": "华为"}, "total": 3}}
    assert ok(schema, data) == data
    assert errors(schema, {"order": {"total": "3,0"}})["order.total"].code == "number_format"


def test_absent_optional_group_stays_absent():
    schema = form({"type": "group", "path": "extra", "components": [comp("textfield", "note")]})
    assert ok(schema, {}) == {}
