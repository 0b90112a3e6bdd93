"""Errors carry a code, a precise reason and parameters, so faces translate them without parsing English."""
from __future__ import annotations

import json
import pickle

from core.errors import Conflict, DefinitionInvalid, Msg, Problem, ValidationFailed, code_of


def test_a_msg_is_the_english_text_and_carries_its_code_and_params():
    m = Msg("min_length", "must be at least 3 characters", min=3)
    assert m == "must be at least 3 characters"
    assert json.dumps({"f": m}) == '{"f": "must be at least 3 characters"}'
    assert (m.code, m.params) == ("min_length", {"min": 3})
    assert code_of(m) == "min_length" and code_of("plain") is None


def test_a_msg_survives_pickling_with_its_code():
    m = pickle.loads(pickle.dumps(Msg("required", "is required")))
    assert (str(m), m.code, m.params) == ("is required", "required", {})


def test_the_reason_defaults_to_the_kind_and_follows_a_msg_message():
    plain = Conflict("task 3 is no longer open")
    assert (plain.code, plain.reason, plain.params) == ("conflict", "conflict", {})
    precise = ValidationFailed(Msg("leave_not_enough", "not enough leave: 2 left", left=2), {"days": "too many"})
    assert (precise.code, precise.reason, precise.params) == ("validation_failed", "leave_not_enough", {"left": 2})
    given = Conflict("already decided", reason="task_decided", task=7)
    assert (given.code, given.reason, given.params) == ("conflict", "task_decided", {"task": 7})


def test_a_definition_error_counts_its_problems():
    e = DefinitionInvalid([Problem("a", "bad"), Problem("a", "worse"), Problem(None, "no start")])
    assert e.params == {"count": 3}
    assert e.fields == {"a": "bad; worse", "definition": "no start"}
