"""validate.required: missing, None, "", whitespace and [] all count as missing; checkbox needs True."""
import pytest

from tests.forms.helpers import comp, errors, form, ok


@pytest.mark.parametrize("data", [{}, {"title": None}, {"title": ""}, {"title": "   "}])
def test_missing_or_empty_text_is_reported(data):
    schema = form(comp("textfield", "title", validate={"required": True}))
    assert errors(schema, data) == {"title": "is required"}


def test_present_value_passes():
    schema = form(comp("textfield", "title", validate={"required": True}))
    assert ok(schema, {"title": "报销"}) == {"title": "报销"}


def test_empty_list_is_missing_for_a_required_checklist():
    schema = form(comp("checklist", "tags", values=[{"label": "A", "value": "a"}], validate={"required": True}))
    assert errors(schema, {"tags": []}) == {"tags": "is required"}


def test_zero_is_a_value_for_a_required_number():
    schema = form(comp("number", "amount", validate={"required": True}))
    assert ok(schema, {"amount": 0}) == {"amount": 0}
    assert errors(schema, {"amount": None}) == {"amount": "is required"}


def test_required_checkbox_must_be_checked():
    schema = form(comp("checkbox", "agree", validate={"required": True}))
    assert errors(schema, {"agree": False}) == {"agree": "is required"}
    assert ok(schema, {"agree": True}) == {"agree": True}


def test_optional_fields_may_be_absent_or_empty():
    schema = form(comp("textfield", "a"), comp("number", "b"), comp("select", "c", values=[]), comp("taglist", "d"))
    assert ok(schema, {}) == {}
    assert ok(schema, {"a": "", "b": None, "c": None, "d": []}) == {"a": "", "b": None, "c": None, "d": []}


def test_every_missing_required_field_is_reported_at_once():
    schema = form(comp("textfield", "a", validate={"required": True}), comp("number", "b", validate={"required": True}))
    assert errors(schema, {}) == {"a": "is required", "b": "is required"}
