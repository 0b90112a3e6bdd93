"""textfield / textarea: type, minLength/maxLength (trimmed, like form-js), pattern, email, phone."""
import pytest

from tests.forms.helpers import comp, errors, form, ok


@pytest.mark.parametrize("ctype", ["textfield", "textarea"])
@pytest.mark.parametrize("bad", [12, 1.5, True, ["a"], {"a": 1}])
def test_text_must_be_a_string(ctype, bad):
    assert errors(form(comp(ctype, "t")), {"t": bad}) == {"t": "must be text"}


def test_min_length():
    schema = form(comp("textfield", "t", validate={"minLength": 3}))
    assert errors(schema, {"t": "ab"}) == {"t": "must be at least 3 characters"}
    assert ok(schema, {"t": "abc"}) == {"t": "abc"}


def test_max_length_counts_characters_not_bytes():
    schema = form(comp("textarea", "t", validate={"maxLength": 4}))
    assert ok(schema, {"t": "差旅报销"}) == {"t": "差旅报销"}
    assert errors(schema, {"t": "差旅费报销"}) == {"t": "must be at most 4 characters"}


def test_length_is_measured_on_the_trimmed_value_like_form_js():
    schema = form(comp("textfield", "t", validate={"maxLength": 3}))
    assert ok(schema, {"t": " abc "}) == {"t": " abc "}


def test_pattern_must_match_the_whole_value():
    schema = form(comp("textfield", "code", validate={"pattern": r"[A-Z]{2}\d{3}"}))
    assert ok(schema, {"code": "QJ123"}) == {"code": "QJ123"}
    assert errors(schema, {"code": "xQJ123"}) == {"code": r"must match the pattern [A-Z]{2}\d{3}"}


def test_pattern_digits_are_ascii_like_javascript():
    schema = form(comp("textfield", "n", validate={"pattern": r"\d+"}))
    assert "n" in errors(schema, {"n": "１２３"})  # full-width digits


def test_pattern_with_javascript_named_group():
    schema = form(comp("textfield", "y", validate={"pattern": r"(?<year>\d{4})"}))
    assert ok(schema, {"y": "2026"}) == {"y": "2026"}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("pattern", [r"^(\w+\s?)*$", r"(a+)+$", r"([a-zA-Z0-9]+)*@"])
def test_a_pattern_that_backtracks_exponentially_in_re_answers_at_once(pattern):
    """Python's re took 3 s for 27 characters against these and hours for 40 (a server thread pinned)."""
    schema = form(comp("textfield", "t", validate={"pattern": pattern}))
    assert errors(schema, {"t": "a" * 60 + "!"}) == {"t": f"must match the pattern {pattern}"}


@pytest.mark.timeout(20)
def test_a_match_still_too_slow_is_refused_at_the_field_after_the_timeout():
    schema = form(comp("textarea", "t", validate={"pattern": "(x+x+)+y"}))
    why = errors(schema, {"t": "x" * 5000})["t"]
    assert why.code == "pattern_too_slow" and "simplify" in why


def test_email():
    schema = form(comp("textfield", "mail", validate={"validationType": "email"}))
    assert ok(schema, {"mail": "li.lei@example.com.cn"}) == {"mail": "li.lei@example.com.cn"}
    assert errors(schema, {"mail": "li.lei@"}) == {"mail": "must be a valid email address"}


@pytest.mark.parametrize("phone", ["+8613800138000", "008613800138000", "13800138000", "+49 30 664040900"])
def test_phone_accepts_international_and_mainland_mobile(phone):
    schema = form(comp("textfield", "tel", validate={"validationType": "phone"}))
    assert ok(schema, {"tel": phone}) == {"tel": phone}


@pytest.mark.parametrize("phone", ["12345", "23800138000", "+0123456789", "phone"])
def test_phone_rejects_others(phone):
    schema = form(comp("textfield", "tel", validate={"validationType": "phone"}))
    assert errors(schema, {"tel": phone}) == {"tel": "must be a valid phone number"}


def test_custom_validation_type_uses_the_pattern():
    schema = form(comp("textfield", "t", validate={"validationType": "custom", "pattern": "[a-z]+"}))
    assert errors(schema, {"t": "ABC"}) == {"t": "must match the pattern [a-z]+"}
