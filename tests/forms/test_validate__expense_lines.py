"""dynamiclist: a list of objects (expense lines) validated item by item, errors at 0-based paths."""
from tests.forms.helpers import comp, errors, form, ok

EXPENSE = form(
    comp("textfield", "title", validate={"required": True}),
    {
        "type": "dynamiclist",
        "id": "List_lines",
        "path": "lines",
        "label": "费用明细",
        "isRepeating": True,
        "allowAddRemove": True,
        "defaultRepetitions": 1,
        "validate": {"minItems": 1, "maxItems": 3},
        "components": [
            comp("datetime", "date", subtype="date", validate={"required": True}),
            comp("select", "category", values=[{"label": "交通", "value": "transport"}, {"label": "住宿", "value": "hotel"}],
                 validate={"required": True}),
            comp("number", "amount", decimalDigits=2, validate={"required": True, "min": 0.01}),
            comp("select", "customer", valuesKey="customers"),
            comp("textarea", "note", validate={"maxLength": 200}),
        ],
    },
)


def line(**overrides):
    base = {"date": "2026-03-02", "category": "transport", "amount": 120.5, "customer": 101, "note": "高铁"}
    base.update(overrides)
    return base


def test_valid_lines_pass_unchanged():
    data = {"title": "三月差旅", "lines": [line(), line(category="hotel", amount=480, note="")]}
    assert ok(EXPENSE, data) == data


def test_error_in_the_second_line_is_reported_at_index_1():
    data = {"title": "三月差旅", "lines": [line(), line(amount=0)]}
    assert errors(EXPENSE, data) == {"lines.1.amount": "must be at least 0.01"}


def test_required_fields_inside_items():
    data = {"title": "t", "lines": [line(), {"amount": 10}]}
    assert errors(EXPENSE, data) == {"lines.1.date": "is required", "lines.1.category": "is required"}


def test_errors_in_several_items_are_all_reported():
    data = {"title": "t", "lines": [line(date="2026-02-30"), line(), line(category="meal", note="x" * 201)]}
    assert errors(EXPENSE, data) == {
        "lines.0.date": "must be a date (YYYY-MM-DD)",
        "lines.2.category": "is not one of the allowed values",
        "lines.2.note": "must be at most 200 characters",
    }


def test_options_apply_inside_items():
    data = {"title": "t", "lines": [line(customer=999)]}
    assert errors(EXPENSE, data, options={"customers": [{"label": "华为", "value": 101}]}) == {
        "lines.0.customer": "is not one of the allowed values"
    }


def test_unknown_key_inside_an_item():
    data = {"title": "t", "lines": [line(approved=True)]}
    assert errors(EXPENSE, data) == {"lines.0.approved": "not a field of this form"}


def test_item_count_limits_are_a_liuzhuan_extension():
    assert errors(EXPENSE, {"title": "t", "lines": []}) == {"lines": "must have at least 1 items"}
    assert errors(EXPENSE, {"title": "t"}) == {"lines": "must have at least 1 items"}
    assert errors(EXPENSE, {"title": "t", "lines": [line()] * 4}) == {"lines": "must have at most 3 items"}


def test_required_list_needs_one_item():
    schema = form({"type": "dynamiclist", "path": "people", "validate": {"required": True},
                   "components": [comp("textfield", "name")]})
    assert errors(schema, {"people": []}) == {"people": "is required"}


def test_list_and_items_must_have_the_right_shape():
    assert errors(EXPENSE, {"title": "t", "lines": {"0": line()}}) == {"lines": "must be a list"}
    assert errors(EXPENSE, {"title": "t", "lines": [line(), "oops"]}) == {"lines.1": "must be an object"}


def test_nested_list_inside_a_list():
    schema = form({"type": "dynamiclist", "path": "trips", "components": [
        comp("textfield", "city", validate={"required": True}),
        {"type": "dynamiclist", "path": "legs", "components": [comp("number", "km", validate={"min": 0})]},
    ]})
    data = {"trips": [{"city": "上海", "legs": [{"km": 3}]}, {"city": "北京", "legs": [{"km": 1}, {"km": -1}]}]}
    assert errors(schema, data) == {"trips.1.legs.1.km": "must be at least 0"}


def test_absent_list_keeps_the_previous_items():
    previous = {"title": "t", "lines": [line()]}
    assert ok(EXPENSE, {"title": "t2"}, previous=previous) == {"title": "t2"}
