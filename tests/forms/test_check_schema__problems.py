"""check_schema lists problems in a schema itself; validate() refuses a broken schema with SchemaError."""
import pytest

from forms.validate import SchemaError, check_schema, validate
from tests.forms.helpers import comp, form


def one_problem(schema):
    problems = check_schema(schema)
    assert len(problems) == 1, problems
    return problems[0]


def test_good_schema_has_no_problems():
    schema = form(comp("textfield", "a", validate={"required": True, "minLength": 1, "maxLength": 5, "pattern": "[a-z]+"}),
                  comp("number", "n", validate={"min": 0, "max": 10}, decimalDigits=2, increment="0.5"),
                  comp("select", "s", values=[{"label": "A", "value": "a"}]),
                  {"type": "group", "path": "g", "components": [comp("datetime", "d", subtype="time")]},
                  {"type": "dynamiclist", "path": "l", "validate": {"minItems": 1, "maxItems": 2},
                   "components": [comp("textfield", "a")]})
    assert check_schema(schema) == []


@pytest.mark.parametrize("schema,needle", [
    (None, "schema must be a JSON object"),
    ([], "schema must be a JSON object"),
    ({"type": "default"}, "components must be a list"),
    ({"components": {}}, "components must be a list"),
])
def test_not_a_schema(schema, needle):
    assert needle in one_problem(schema)


def test_component_not_an_object():
    assert "must be a JSON object" in one_problem(form("textfield"))


def test_unknown_component_type():
    assert "unknown component type 'slider'" in one_problem(form(comp("slider", "x")))


@pytest.mark.parametrize("key", [None, "", "a..b", " a", 3])
def test_input_without_a_usable_key(key):
    c = comp("textfield", "x")
    c["key"] = key
    assert "needs a key" in one_problem(form(c))


def test_duplicate_keys():
    assert "duplicate key 'a'" in one_problem(form(comp("textfield", "a"), comp("number", "a")))


def test_duplicate_keys_inside_a_group_path():
    schema = form({"type": "group", "path": "g", "components": [comp("textfield", "a")]},
                  {"type": "group", "path": "g", "components": [comp("textfield", "a")]})
    assert "duplicate key 'g.a'" in one_problem(schema)


def test_same_key_in_different_lists_is_fine():
    schema = form({"type": "dynamiclist", "path": "l1", "components": [comp("textfield", "a")]},
                  {"type": "dynamiclist", "path": "l2", "components": [comp("textfield", "a")]}, comp("textfield", "a"))
    assert check_schema(schema) == []


def test_key_conflicting_with_a_group_path():
    schema = form(comp("textfield", "g"), {"type": "group", "path": "g", "components": [comp("textfield", "a")]})
    assert "already bound to a field" in one_problem(schema)


def test_bad_regex_pattern():
    assert "invalid pattern '[a-'" in one_problem(form(comp("textfield", "a", validate={"pattern": "[a-"})))


def test_bad_regex_is_a_schema_error_not_a_data_error():
    with pytest.raises(SchemaError) as info:
        validate(form(comp("textfield", "a", validate={"pattern": "(x"})), {"a": "x"})
    assert len(info.value.problems) == 1


@pytest.mark.parametrize("rules,needle", [
    ({"min": 5, "max": 1}, "validate.min 5 is greater than validate.max 1"),
    ({"minLength": 5, "maxLength": 1}, "validate.minLength 5 is greater than validate.maxLength 1"),
    ({"min": "five"}, "validate.min must be a number"),
    ({"maxLength": -1}, "validate.maxLength must be a non-negative integer"),
    ({"validationType": "url"}, "unknown validationType 'url'"),
])
def test_bad_validate_rules(rules, needle):
    assert needle in one_problem(form(comp("number", "a", validate=rules)))


def test_min_items_greater_than_max_items():
    schema = form({"type": "dynamiclist", "path": "l", "validate": {"minItems": 3, "maxItems": 1}, "components": []})
    assert "validate.minItems 3 is greater than validate.maxItems 1" in one_problem(schema)


def test_dynamiclist_without_path():
    assert "dynamiclist needs a path" in one_problem(form({"type": "dynamiclist", "components": []}))


def test_bad_number_and_datetime_settings():
    assert "decimalDigits" in one_problem(form(comp("number", "a", decimalDigits=-1)))
    assert "increment" in one_problem(form(comp("number", "a", increment=0)))
    assert "unknown datetime subtype 'week'" in one_problem(form(comp("datetime", "a", subtype="week")))


def test_bad_option_values():
    assert "values must be a list" in one_problem(form(comp("select", "a", values="a,b")))
    assert "values[0] must be an object" in one_problem(form(comp("select", "a", values=["a"])))
    assert "duplicate option value 'a'" in one_problem(
        form(comp("radio", "a", values=[{"label": "A", "value": "a"}, {"label": "B", "value": "a"}])))


def test_problems_inside_nested_components_are_found():
    schema = form({"type": "group", "components": [
        {"type": "dynamiclist", "path": "l", "components": [comp("textfield", "a", validate={"pattern": "("})]}]})
    problem = one_problem(schema)
    assert problem.startswith("components[0].components[0].components[0] (l.a): invalid pattern")


def test_every_problem_is_listed():
    schema = form(comp("slider", "x"), comp("textfield", "a"), comp("textfield", "a"), comp("number", "n", validate={"min": 2, "max": 1}))
    assert len(check_schema(schema)) == 3
