"""number: JSON numbers, or text that is unambiguously a number (test_validate__typed_numbers.py);
min/max, decimals, increment."""
import pytest

from tests.forms.helpers import comp, errors, form, ok


@pytest.mark.parametrize("bad", [True, [1], {"v": 1}, float("nan"), float("inf")])
def test_number_must_be_a_json_number(bad):
    assert errors(form(comp("number", "n")), {"n": bad}) == {"n": "must be a number"}


def test_int_and_float_pass_unchanged():
    schema = form(comp("number", "n"), comp("number", "m"))
    assert ok(schema, {"n": 3, "m": 2.5}) == {"n": 3, "m": 2.5}


def test_min_and_max():
    schema = form(comp("number", "n", validate={"min": 0.01, "max": 1000}))
    assert errors(schema, {"n": 0}) == {"n": "must be at least 0.01"}
    assert errors(schema, {"n": 1000.5}) == {"n": "must be at most 1000"}
    assert ok(schema, {"n": 0.01}) == {"n": 0.01}
    assert ok(schema, {"n": 1000}) == {"n": 1000}


def test_decimal_digits():
    schema = form(comp("number", "n", decimalDigits=2))
    assert ok(schema, {"n": 12.34}) == {"n": 12.34}
    assert errors(schema, {"n": 12.345}) == {"n": "must have at most 2 decimal places"}


def test_zero_decimal_digits_means_whole_number():
    schema = form(comp("number", "days", decimalDigits=0))
    assert ok(schema, {"days": 3}) == {"days": 3}
    assert ok(schema, {"days": 3.0}) == {"days": 3.0}
    assert errors(schema, {"days": 1.5}) == {"days": "must be a whole number"}


def test_increment():
    schema = form(comp("number", "days", increment="0.5"))
    assert ok(schema, {"days": 1.5}) == {"days": 1.5}
    assert errors(schema, {"days": 1.2}) == {"days": "must be a multiple of 0.5"}


def test_serialize_to_string_accepts_numeric_strings_and_keeps_them():
    schema = form(comp("number", "amount", serializeToString=True, validate={"min": 0}))
    assert ok(schema, {"amount": "12.50"}) == {"amount": "12.50"}
    assert ok(schema, {"amount": 12.5}) == {"amount": 12.5}
    assert "must be a number" in errors(schema, {"amount": "12,50"})["amount"]
    assert errors(schema, {"amount": "-1"}) == {"amount": "must be at least 0"}


def test_empty_string_is_not_a_number_unless_serialized_to_string():
    assert errors(form(comp("number", "n")), {"n": ""}) == {"n": "must be a number"}
    assert ok(form(comp("number", "n", serializeToString=True)), {"n": ""}) == {"n": ""}


def test_huge_values_against_a_small_increment():
    schema = form(comp("number", "n", increment="0.5"))
    assert ok(schema, {"n": 1e300}) == {"n": 1e300}
    assert errors(schema, {"n": 0.3}) == {"n": "must be a multiple of 0.5"}
    digits = "1" * 5000 + ".3"
    assert errors(form(comp("number", "n", increment="0.5", serializeToString=True)), {"n": digits}) == {
        "n": "must be a multiple of 0.5"
    }


def test_exponent_strings_are_not_serialized_numbers():
    schema = form(comp("number", "n", serializeToString=True))
    assert "must be a number" in errors(schema, {"n": "1e5"})["n"]
