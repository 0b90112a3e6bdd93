"""lz:fields editable/hidden on a task, and static readonly/disabled components."""
from forms.validate import redact
from tests.forms.helpers import comp, errors, form, ok

SCHEMA = form(
    comp("textfield", "title", validate={"required": True}),
    comp("number", "amount", validate={"required": True, "min": 0}),
    comp("textarea", "remark"),
    comp("textfield", "bank_account"),
    {"type": "dynamiclist", "path": "lines", "components": [comp("number", "amount"), comp("textfield", "note")]},
)
PREVIOUS = {"title": "采购", "amount": 100, "remark": "", "bank_account": "6222", "lines": [{"amount": 1, "note": "a"}]}


def test_editable_fields_may_change():
    data = {"amount": 90, "remark": "压价"}
    assert ok(SCHEMA, data, editable={"amount", "remark"}, previous=PREVIOUS) == data


def test_read_only_field_may_be_resubmitted_unchanged():
    data = {"title": "采购", "amount": 90}
    assert ok(SCHEMA, data, editable={"amount"}, previous=PREVIOUS) == data


def test_read_only_field_may_not_change():
    assert errors(SCHEMA, {"title": "改了", "amount": 90}, editable={"amount"}, previous=PREVIOUS) == {
        "title": "read-only at this step"
    }


def test_required_is_not_enforced_on_read_only_fields():
    assert ok(SCHEMA, {"remark": "ok"}, editable={"remark"}, previous=PREVIOUS) == {"remark": "ok"}


def test_required_is_enforced_on_editable_fields():
    assert errors(SCHEMA, {"amount": None}, editable={"amount"}, previous=PREVIOUS) == {"amount": "is required"}
    assert errors(SCHEMA, {}, editable={"amount"}, previous={}) == {"amount": "is required"}


def test_absent_editable_field_keeps_its_previous_value():
    assert ok(SCHEMA, {"remark": "x"}, editable={"amount", "remark"}, previous=PREVIOUS) == {"remark": "x"}


def test_empty_read_only_value_matches_no_previous_value():
    assert ok(SCHEMA, {"remark": None, "amount": 1}, editable={"amount"}, previous={}) == {"remark": None, "amount": 1}


def test_hidden_field_must_not_be_submitted():
    assert errors(SCHEMA, {"amount": 1, "bank_account": "6222"}, hidden={"bank_account"}, previous=PREVIOUS) == {
        "bank_account": "hidden at this step"
    }


def test_hidden_required_field_is_not_required():
    assert ok(SCHEMA, {"amount": 1}, hidden={"title"}) == {"amount": 1}


def test_whole_list_editable_by_its_path():
    data = {"lines": [{"amount": 2, "note": "b"}, {"amount": 3}]}
    assert ok(SCHEMA, data, editable={"lines"}, previous=PREVIOUS) == data


def test_one_column_of_a_list_editable():
    data = {"lines": [{"amount": 2, "note": "a"}]}
    assert ok(SCHEMA, data, editable={"lines.amount"}, previous=PREVIOUS) == data
    assert errors(SCHEMA, {"lines": [{"amount": 2, "note": "b"}]}, editable={"lines.amount"}, previous=PREVIOUS) == {
        "lines.0.note": "read-only at this step"
    }
    assert errors(SCHEMA, {"lines": [{"amount": 2}, {"amount": 3}]}, editable={"lines.amount"}, previous=PREVIOUS) == {
        "lines": "read-only at this step"
    }


def test_read_only_list_may_not_grow():
    data = {"lines": PREVIOUS["lines"] + [{"amount": 5}]}
    assert errors(SCHEMA, data, editable={"title"}, previous=PREVIOUS) == {"lines": "read-only at this step"}


def test_hidden_column_of_a_list():
    assert errors(SCHEMA, {"title": "t", "amount": 1, "lines": [{"amount": 1, "note": "a"}]}, hidden={"lines.note"}) == {
        "lines.0.note": "hidden at this step"
    }


def test_static_readonly_component_keeps_its_default_or_previous_value():
    schema = form(comp("textfield", "dept", readonly=True, defaultValue="销售部"), comp("textfield", "x", disabled=True))
    assert ok(schema, {"dept": "销售部"}) == {"dept": "销售部"}
    assert errors(schema, {"dept": "财务部"}) == {"dept": "read-only at this step"}
    assert errors(schema, {"x": "1"}) == {"x": "read-only at this step"}
    assert ok(schema, {"x": "1"}, previous={"x": "1"}) == {"x": "1"}


def test_readonly_group_makes_its_fields_read_only():
    schema = form({"type": "group", "path": "g", "readonly": True, "components": [comp("textfield", "a")]})
    assert errors(schema, {"g": {"a": "new"}}, previous={"g": {"a": "old"}}) == {"g.a": "read-only at this step"}


def test_feel_readonly_expressions_are_not_evaluated():
    schema = form(comp("textfield", "a", readonly="=status = \"done\""))
    assert ok(schema, {"a": "x"}) == {"a": "x"}


def test_redact_removes_hidden_paths_without_touching_the_input():
    data = {"title": "t", "bank_account": "6222", "applicant": {"id": "110", "name": "李"},
            "lines": [{"amount": 1, "note": "a"}, {"amount": 2}]}
    out = redact(data, ["bank_account", "applicant.id", "lines.note", "missing.path"])
    assert out == {"title": "t", "applicant": {"name": "李"}, "lines": [{"amount": 1}, {"amount": 2}]}
    assert data["bank_account"] == "6222" and data["lines"][0]["note"] == "a"
