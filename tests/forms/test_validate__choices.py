"""select / radio / checklist / taglist: static values, server-supplied options (valuesKey), or any scalar."""
import pytest

from tests.forms.helpers import comp, errors, form, ok

CATEGORIES = [{"label": "交通", "value": "transport"}, {"label": "住宿", "value": "hotel"}]


@pytest.mark.parametrize("ctype", ["select", "radio"])
def test_single_choice_from_static_values(ctype):
    schema = form(comp(ctype, "cat", values=CATEGORIES))
    assert ok(schema, {"cat": "hotel"}) == {"cat": "hotel"}
    assert errors(schema, {"cat": "meal"}) == {"cat": "is not one of the allowed values"}


def test_single_choice_must_be_a_scalar():
    schema = form(comp("select", "cat", values=CATEGORIES))
    assert errors(schema, {"cat": ["hotel"]}) == {"cat": "must be a single value"}


def test_value_types_are_not_confused():
    schema = form(comp("radio", "level", values=[{"label": "一", "value": 1}, {"label": "二", "value": 2}]))
    assert ok(schema, {"level": 1}) == {"level": 1}
    assert errors(schema, {"level": True}) == {"level": "is not one of the allowed values"}
    assert errors(schema, {"level": "1"}) == {"level": "is not one of the allowed values"}


@pytest.mark.parametrize("ctype", ["checklist", "taglist"])
def test_multi_choice_from_static_values(ctype):
    schema = form(comp(ctype, "cats", values=CATEGORIES))
    assert ok(schema, {"cats": ["hotel", "transport"]}) == {"cats": ["hotel", "transport"]}
    assert errors(schema, {"cats": ["hotel", "meal"]}) == {"cats": "contains a value that is not one of the allowed values"}
    assert errors(schema, {"cats": "hotel"}) == {"cats": "must be a list"}
    assert errors(schema, {"cats": ["hotel", "hotel"]}) == {"cats": "contains a value twice"}
    assert errors(schema, {"cats": [{"value": "hotel"}]}) == {"cats": "must be a list of values"}


def test_server_supplied_options_for_a_crm_picker():
    schema = form(comp("select", "customer_id", valuesKey="customers"))
    options = {"customers": [{"label": "华为", "value": 101}, {"label": "腾讯", "value": 102}]}
    assert ok(schema, {"customer_id": 102}, options=options) == {"customer_id": 102}
    assert errors(schema, {"customer_id": 999}, options=options) == {"customer_id": "is not one of the allowed values"}


def test_server_options_may_be_bare_values():
    schema = form(comp("taglist", "regions", valuesKey="regions"))
    assert ok(schema, {"regions": ["华东"]}, options={"regions": ["华东", "华南"]}) == {"regions": ["华东"]}
    assert "regions" in errors(schema, {"regions": ["西北"]}, options={"regions": ["华东", "华南"]})


def test_without_known_options_any_scalar_is_accepted():
    schema = form(comp("select", "customer_id", valuesKey="customers"), comp("radio", "x", valuesExpression="=opts"))
    assert ok(schema, {"customer_id": 7, "x": "anything"}) == {"customer_id": 7, "x": "anything"}
    assert errors(schema, {"customer_id": {"id": 7}}) == {"customer_id": "must be a single value"}
