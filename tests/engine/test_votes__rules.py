"""The five vote rules against an independent oracle.

The oracle does not use the table's formulas: it asks whether every way of casting the
remaining votes ends in the same final result (the node must decide exactly when the
outcome is certain, DESIGN.md §2), where the final result of a complete vote is the plain
definition of each mode.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.nodes.approval import APPROVED, REJECTED, decide, describe, needed, vote_summary


def final(mode: str, n: int, ballots: list[str], threshold: Fraction | None) -> str:
    """Result once all n have voted."""
    a = ballots.count("approve")
    if mode == "any":
        return APPROVED if ballots[0] == "approve" else REJECTED
    if mode in ("all", "sequential"):
        return APPROVED if a == n else REJECTED
    if mode == "majority":
        return APPROVED if a * 2 > n else REJECTED
    assert threshold is not None
    return APPROVED if Fraction(a, n) >= threshold else REJECTED


def oracle(mode: str, n: int, cast: list[str], threshold: Fraction | None) -> str | None:
    if mode == "any":
        return None if not cast else final(mode, n, cast, threshold)
    if mode == "sequential" and "reject" in cast:
        return REJECTED  # each in order must approve: the first reject ends it
    rest = n - len(cast)
    results = {final(mode, n, cast + ["approve"] * rest, threshold),
               final(mode, n, cast + ["reject"] * rest, threshold)}
    # Votes only move the count monotonically, so the two extremes bound every completion.
    return results.pop() if len(results) == 1 else None


thresholds = st.fractions(min_value=Fraction(1, 100), max_value=1, max_denominator=100)


@settings(max_examples=600, deadline=None)
@given(mode=st.sampled_from(["any", "all", "majority", "ratio", "sequential"]),
       n=st.integers(1, 30), data=st.data(), threshold=thresholds)
def test_decides_exactly_when_the_outcome_is_certain(mode, n, data, threshold):
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), min_size=n, max_size=n))
    t = threshold if mode == "ratio" else None
    decided_at = None
    for k in range(n + 1):
        got = decide(mode, n, ballots[:k], t)
        assert got == oracle(mode, n, ballots[:k], t), (mode, n, ballots[:k], t)
        if got is not None:
            decided_at = k
            break
    assert decided_at is not None, "a complete vote always decides"


@pytest.mark.parametrize("n,a,r,expected", [
    (4, 2, 0, None), (4, 3, 0, APPROVED), (4, 0, 2, REJECTED), (4, 1, 1, None),  # majority, even n boundary
    (5, 3, 0, APPROVED), (5, 2, 2, None), (5, 0, 3, REJECTED), (5, 2, 3, REJECTED), (1, 1, 0, APPROVED),
    (2, 0, 1, REJECTED), (2, 1, 0, None),
])
def test_majority_boundaries(n, a, r, expected):
    assert decide("majority", n, ["approve"] * a + ["reject"] * r) == expected


@pytest.mark.parametrize("n,t,a,r,expected", [
    (5, "0.6", 3, 0, APPROVED), (5, "0.6", 2, 0, None), (5, "0.6", 0, 2, None), (5, "0.6", 0, 3, REJECTED),
    (10, "0.7", 7, 0, APPROVED), (10, "0.7", 6, 3, None), (10, "0.7", 6, 4, REJECTED), (3, "1", 2, 0, None),
    (3, "1", 0, 1, REJECTED), (3, "1/3", 1, 0, APPROVED), (3, "1/3", 0, 2, None), (3, "1/3", 0, 3, REJECTED),
])
def test_ratio_boundaries_are_exact(n, t, a, r, expected):
    assert decide("ratio", n, ["approve"] * a + ["reject"] * r, Fraction(t)) == expected


def test_any_takes_the_first_decision():
    assert decide("any", 5, ["reject"]) == REJECTED
    assert decide("any", 5, ["approve"]) == APPROVED
    assert decide("any", 5, []) is None


def test_invalid_input_is_refused():
    with pytest.raises(ValueError):
        decide("all", 0, [])
    with pytest.raises(ValueError):
        decide("all", 1, ["approve", "approve"])
    with pytest.raises(ValueError):
        decide("ratio", 3, [], None)
    with pytest.raises(ValueError):
        decide("veto", 3, [])


def test_rule_descriptions_name_the_count():
    assert describe("majority", 5) == "3 of 5 needed"
    assert describe("ratio", 5, Fraction("0.6")) == "3 of 5 needed (60%)"
    assert describe("all", 3) == "all 3 needed"


@settings(max_examples=300, deadline=None)
@given(mode=st.sampled_from(["any", "all", "majority", "ratio", "sequential"]), n=st.integers(1, 30),
       threshold=thresholds)
def test_needed_is_the_fewest_approvals_that_decide(mode, n, threshold):
    """What the task page says is needed is what the rule decides on: k approvals (no rejection)
    approve the node exactly when k >= needed."""
    t = threshold if mode == "ratio" else None
    need = needed(mode, n, t)
    assert 1 <= need <= n
    for k in range(1, n + 1):
        assert (decide(mode, n, ["approve"] * k, t) == APPROVED) == (k >= need)


def test_vote_summary_counts_the_ballots_and_who_is_still_to_come():
    status = {"mode": "ratio", "threshold": "0.6", "assignees": ["a", "b", "c", "d", "e"],
              "ballots": [{"user": "a", "status": "approved"}, {"user": "b", "status": "rejected"},
                          {"user": "c", "status": "open"}]}
    assert vote_summary(status) == {"mode": "ratio", "n": 5, "need": 3, "approved": 1, "rejected": 1,
                                    "threshold": 0.6, "later": ["d", "e"]}
    handle = {"mode": "any", "threshold": None, "assignees": [], "ballots": [{"user": "x", "status": "done"}]}
    assert vote_summary(handle) == {"mode": "any", "n": 1, "need": 1, "approved": 1, "rejected": 0,
                                    "threshold": None, "later": []}
