"""Keys that are not fields of the form are rejected (no injecting process variables) unless allowed."""
from tests.forms.helpers import comp, errors, form, ok

SCHEMA = form(comp("textfield", "title"), {"type": "text", "text": "说明"}, comp("expression", "total", expression="=1+1"))


def test_unknown_top_level_key():
    assert errors(SCHEMA, {"title": "x", "dept_countersign": {"outcome": "approved"}}) == {
        "dept_countersign": "not a field of this form"
    }


def test_allow_extra_passes_named_keys_through_unchanged():
    data = {"title": "x", "business_key": "QJ-2026-000001"}
    assert ok(SCHEMA, data, allow_extra={"business_key"}) == data
    assert errors(SCHEMA, {"title": "x", "other": 1}, allow_extra={"business_key"}) == {"other": "not a field of this form"}


def test_display_components_carry_no_data():
    display = [{"type": t, "id": t} for t in
               ["text", "html", "image", "spacer", "separator", "button", "iframe", "table", "documentPreview"]]
    schema = form(*display)
    assert ok(schema, {}) == {}
    assert errors(schema, {"text": "x"}) == {"text": "not a field of this form"}


def test_expression_values_are_accepted_but_never_kept():
    assert ok(SCHEMA, {"title": "x", "total": 2}) == {"title": "x"}


def test_submission_must_be_an_object():
    assert errors(SCHEMA, ["title"]) == {"": "the submission must be a JSON object"}
