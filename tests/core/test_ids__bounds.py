"""core.ids: an id is a whole number from 1 to MAX_ID (the 32-bit id columns). `as_id` reads one
from an int or ASCII digits; `is_id` accepts an int only, as the CRM services take ids from JSON."""
from __future__ import annotations

from core.ids import MAX_ID, as_id, is_id


def test_is_id_takes_ints_in_range_only():
    assert MAX_ID == 2**31 - 1
    assert is_id(1) and is_id(MAX_ID)
    for bad in (0, -1, MAX_ID + 1, 2**63, True, False, "5", 5.0, None):
        assert not is_id(bad), bad


def test_as_id_reads_digits_too_and_refuses_what_no_row_can_have():
    assert as_id(" 42 ") == 42 and as_id(42) == 42 and as_id(str(MAX_ID)) == MAX_ID
    for bad in (str(MAX_ID + 1), "²", "4 2", "", True, 0, MAX_ID + 1, None):
        assert as_id(bad) is None, bad
