"""A number typed with thousands separators is the number it means (`50,000` is 50000, never 50);
text that is not unambiguously a number (`1,2`) is refused at its field. Property: any number
formatted with separators (ASCII or full-width) parses back to itself."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.numbers import parse_number
from tests.forms.helpers import comp, errors, form, ok

AMOUNT = form(comp("number", "amount"))


def grouped(number: Decimal, places: int) -> str:
    return f"{number:,.{places}f}"


def wide(text: str) -> str:
    return text.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"} | {ord(","): "，", ord("."): "．"})


@given(st.decimals(min_value=-10**15, max_value=10**15, places=2, allow_nan=False, allow_infinity=False),
       st.booleans())
def test_any_number_with_separators_parses_back_to_itself(number, full_width):
    text = grouped(number, 2)
    assert parse_number(wide(text) if full_width else text) == number
    assert parse_number(grouped(number, 2).replace(",", "")) == number


@given(st.integers(min_value=-10**18, max_value=10**18))
def test_whole_numbers_with_separators_are_stored_as_the_whole_number(n):
    assert ok(form(comp("number", "n")), {"n": f"{n:,}"}) == {"n": n}


@pytest.mark.parametrize("typed, stored", [
    ("50,000", 50000), ("50000", 50000), ("50,000.50", 50000.5), ("1,234,567", 1234567),
    ("５０，０００", 50000), (" 50,000 ", 50000), ("-1,234.5", -1234.5), ("0.5", 0.5), ("１２．５", 12.5),
])
def test_typed_numbers_are_stored_as_numbers(typed, stored):
    result = ok(AMOUNT, {"amount": typed})["amount"]
    assert result == stored and not isinstance(result, str)


@pytest.mark.parametrize("garbage", [
    "1,2", "12,34", "1,2345", "1.234,56", ",000", "50,000,", "50,,000", "5 0000", "abc", "50000元", "1e5",
    "--5", "50.000.000", "0x10", "١٢٣",
])
def test_ambiguous_or_garbage_text_is_refused_at_the_field(garbage):
    why = errors(AMOUNT, {"amount": garbage})["amount"]
    assert why.code == "number_format" and "50,000" in why


def test_the_rules_apply_to_the_number_it_means():
    schema = form(comp("number", "n", validate={"max": 1000}, decimalDigits=0))
    assert errors(schema, {"n": "1,001"}) == {"n": "must be at most 1000"}
    assert ok(schema, {"n": "1,000"}) == {"n": 1000}


def test_serialize_to_string_fields_keep_the_plain_digits():
    schema = form(comp("number", "amount", serializeToString=True))
    assert ok(schema, {"amount": "50,000.50"}) == {"amount": "50000.50"}


@pytest.mark.parametrize("typed", ["12345678901234567.89", "1,234,567,890,123.456", "0.1234567890123456"])
def test_decimals_a_double_cannot_hold_as_typed_are_refused_not_rounded(typed):
    """A number with decimals is stored as a JSON (double) number: beyond 15 significant digits it
    would come back changed (12345678901234567.89 as 12345678901234568.0), so it is refused."""
    why = errors(AMOUNT, {"amount": typed})["amount"]
    assert why.code == "precision" and why.params == {"max": 15}


@given(st.decimals(min_value=-10**13, max_value=10**13, places=2, allow_nan=False, allow_infinity=False))
def test_up_to_15_significant_digits_come_back_as_typed(number):
    stored = ok(AMOUNT, {"amount": f"{number:,.2f}"})["amount"]
    assert Decimal(repr(stored)) == number


def test_whole_numbers_and_text_fields_keep_every_digit():
    assert ok(AMOUNT, {"amount": "123,456,789,012,345,678"}) == {"amount": 123456789012345678}
    schema = form(comp("number", "amount", serializeToString=True))
    assert ok(schema, {"amount": "12345678901234567.89"}) == {"amount": "12345678901234567.89"}
