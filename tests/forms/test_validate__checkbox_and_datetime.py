"""checkbox is a boolean; datetime is an ISO date, HH:MM time or ISO date-time by subtype."""
import pytest

from tests.forms.helpers import comp, errors, form, ok


@pytest.mark.parametrize("bad", ["true", 1, 0, "on"])
def test_checkbox_must_be_a_boolean(bad):
    assert errors(form(comp("checkbox", "c")), {"c": bad}) == {"c": "must be true or false"}


def test_checkbox_false_is_fine_when_not_required():
    assert ok(form(comp("checkbox", "c")), {"c": False}) == {"c": False}


@pytest.mark.parametrize("value", ["2026-02-28", "2024-02-29"])
def test_date_ok(value):
    assert ok(form(comp("datetime", "d", subtype="date")), {"d": value}) == {"d": value}


@pytest.mark.parametrize("value", ["2026-02-30", "2026-2-3", "2026/02/03", "2026-02-03T10:00", 20260203])
def test_date_bad(value):
    assert errors(form(comp("datetime", "d", subtype="date")), {"d": value}) == {"d": "must be a date (YYYY-MM-DD)"}


def test_missing_subtype_means_date_as_in_the_form_js_editor():
    assert errors(form(comp("datetime", "d")), {"d": "10:00"}) == {"d": "must be a date (YYYY-MM-DD)"}


@pytest.mark.parametrize("value", ["09:30", "23:59", "09:30Z", "09:30+08:00", "09:30:15"])
def test_time_ok(value):
    assert ok(form(comp("datetime", "t", subtype="time")), {"t": value}) == {"t": value}


@pytest.mark.parametrize("value", ["24:00", "9:30", "09:60", "noon"])
def test_time_bad(value):
    assert errors(form(comp("datetime", "t", subtype="time")), {"t": value}) == {"t": "must be a time (HH:MM)"}


@pytest.mark.parametrize("value", ["2026-03-01T09:30", "2026-03-01T09:30Z", "2026-03-01T09:30:00+08:00"])
def test_datetime_ok(value):
    assert ok(form(comp("datetime", "at", subtype="datetime")), {"at": value}) == {"at": value}


@pytest.mark.parametrize("value", ["2026-03-01", "2026-03-01 09:30", "2026-13-01T09:30"])
def test_datetime_bad(value):
    message = "must be a date and time (YYYY-MM-DDTHH:MM)"
    assert errors(form(comp("datetime", "at", subtype="datetime")), {"at": value}) == {"at": message}
