"""One expense-line validator (crm/records/expense_lines.py): `POST /expense-claims` (records.create)
and the expense process (expenses.create_claim) give the same answer for the same bad lines."""
from __future__ import annotations

from typing import Any

import pytest

from core.errors import Msg, ValidationFailed
from crm import expenses
from crm import records as rs

GOOD = {"date": "2026-11-02", "category": "travel", "amount": "35.50"}


def by_api(org, lines: Any, user: str = "clerk") -> dict[str, str]:
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org[user], "expense_claim", {"title": "出差", "lines": lines})
    return e.value.fields


def by_process(org, lines: Any, user: str = "clerk") -> dict[str, str]:
    with pytest.raises(ValidationFailed) as e, org.db.uow(write=True) as s:
        expenses.create_claim(s, org[user], lines, "出差")
    return e.value.fields


@pytest.mark.parametrize("lines", [
    [{"date": "x", "amount": 0, "bogus": 1}, 3],
    [GOOD, {**GOOD, "amount": -1}],
    [{**GOOD, "amount": "1.005", "category": "餐费"}],
    [{**GOOD, "amount": True, "date": "2026-02-30", "note": "x" * 501}],
    [{**GOOD, "customer": "1"}],
    [{**GOOD, "customer": 999999}],
    [{"category": " ", "amount": ""}],
    [{**GOOD, "category": ["travel"], "amount": {"v": 1}, "date": 20261102, "note": 5}],
    [],
    None,
    [GOOD] * 201,
], ids=["several_problems", "negative_amount", "decimals_and_category", "bool_amount_bad_date_long_note",
        "customer_not_an_id", "unknown_customer", "blanks", "wrong_types", "no_lines", "missing_lines", "too_many"])
def test_both_paths_answer_alike(org, lines):
    assert by_api(org, lines) == by_process(org, lines)


def test_the_answer_names_each_problem_by_dotted_path_with_a_code(org):
    fields = by_api(org, [{"date": "x", "amount": 0, "bogus": 1}, 3])
    assert fields == {"lines.0.date": "must be a date (YYYY-MM-DD)", "lines.0.amount": "must be at least 0.01",
                      "lines.0.category": "is required", "lines.0.bogus": "not a field of an expense line",
                      "lines.1": "must be an object"}
    assert {k: v.code for k, v in fields.items() if isinstance(v, Msg)} == {
        "lines.0.date": "date", "lines.0.amount": "min", "lines.0.category": "required",
        "lines.0.bogus": "unknown_field", "lines.1": "object"}


def test_a_customer_on_a_line_is_one_the_claimant_may_see_on_both_paths(org):
    other = rs.create(org.db, org["legal_head"], "customer", {"name": "别人的"})["id"]
    mine = rs.create(org.db, org["clerk"], "customer", {"name": "自己的"})["id"]
    refused = {"lines.0.customer": "no such customer (or not one of yours)"}
    assert by_api(org, [{**GOOD, "customer": other}]) == by_process(org, [{**GOOD, "customer": other}]) == refused
    # an admin claiming for the clerk: the line's customer must be one the clerk (the claimant) sees
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["admin"], "expense_claim", {"claimant": "clerk", "lines": [{**GOOD, "customer": other}]})
    assert e.value.fields == refused
    claim = rs.create(org.db, org["admin"], "expense_claim", {"claimant": "clerk", "lines": [{**GOOD, "customer": mine}]})
    assert (claim["claimant"], claim["total"], claim["lines"][0]["customer"]) == ("clerk", "35.50", mine)
