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


# ---------------------------------------------------------------- 票签: weighted majority and ratio


def weighted_final(mode: str, ws: list[int], ballots: list[str], threshold: Fraction | None) -> str:
    """Result once everyone voted, by the plain definition over weights (DESIGN.md §8)."""
    total, a = sum(ws), sum(w for w, b in zip(ws, ballots, strict=True) if b == "approve")
    if mode == "majority":
        return APPROVED if 2 * a > total else REJECTED
    assert threshold is not None
    return APPROVED if Fraction(a, total) >= threshold else REJECTED


def weighted_oracle(mode: str, ws: list[int], cast: list[str], threshold: Fraction | None) -> str | None:
    """Certain when every way of casting the rest ends the same (the extremes bound them: votes move
    the weights monotonically)."""
    rest = len(ws) - len(cast)
    results = {weighted_final(mode, ws, cast + [d] * rest, threshold) for d in ("approve", "reject")}
    return results.pop() if len(results) == 1 else None


weight_lists = st.lists(st.integers(1, 9), min_size=1, max_size=15)


@settings(max_examples=500, deadline=None)
@given(mode=st.sampled_from(["majority", "ratio"]), ws=weight_lists, data=st.data(), threshold=thresholds)
def test_weighted_votes_decide_exactly_when_certain_and_never_flip(mode, ws, data, threshold):
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), min_size=len(ws), max_size=len(ws)))
    t = threshold if mode == "ratio" else None
    first = None
    for k in range(len(ws) + 1):
        got = decide(mode, len(ws), ballots[:k], t, ws[:k], sum(ws))
        assert got == weighted_oracle(mode, ws, ballots[:k], t), (mode, ws, ballots[:k], t)
        if first is None and got is not None:
            first = got
        if first is not None:
            assert got == first, "once decided, more votes never change the outcome"
    assert first == weighted_final(mode, ws, ballots, t), "a complete vote decides as the definition says"


@settings(max_examples=300, deadline=None)
@given(mode=st.sampled_from(["any", "all", "majority", "ratio", "sequential"]), n=st.integers(1, 20),
       data=st.data(), threshold=thresholds)
def test_with_every_weight_1_the_weighted_rule_is_the_counted_rule(mode, n, data, threshold):
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), max_size=n))
    t = threshold if mode == "ratio" else None
    assert decide(mode, n, ballots, t, [1] * len(ballots), n) == decide(mode, n, ballots, t)


@settings(max_examples=300, deadline=None)
@given(mode=st.sampled_from(["majority", "ratio"]), ws=weight_lists, data=st.data(), threshold=thresholds)
def test_weighted_votes_are_monotone(mode, ws, data, threshold):
    """Turning one reject into an approve never makes an approved node rejected, nor an open one
    rejected; more weight on an approver never hurts the approval."""
    k = data.draw(st.integers(0, len(ws)))
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), min_size=k, max_size=k))
    t = threshold if mode == "ratio" else None
    order = {REJECTED: 0, None: 1, APPROVED: 2}
    before = decide(mode, len(ws), ballots, t, ws[:k], sum(ws))
    for i, b in enumerate(ballots):
        if b == "reject":
            better = ballots[:i] + ["approve"] + ballots[i + 1:]
            assert order[decide(mode, len(ws), better, t, ws[:k], sum(ws))] >= order[before]
    if ballots and ballots[0] == "approve" and before == APPROVED:
        heavier = [ws[0] + 1, *ws[1:]]
        assert decide(mode, len(ws), ballots, t, heavier[:k], sum(heavier)) == APPROVED


def test_weighted_boundaries():
    # W = 5 (3, 1, 1): the heavy voter alone is a majority; the two light ones are not
    assert decide("majority", 3, ["approve"], None, [3], 5) == APPROVED
    assert decide("majority", 3, ["approve", "approve"], None, [1, 1], 5) is None
    assert decide("majority", 3, ["reject"], None, [3], 5) == REJECTED
    # W = 4 (2, 1, 1): R = 2 >= W/2 rejects; A = 2 is not > W/2
    assert decide("majority", 3, ["reject"], None, [2], 4) == REJECTED
    assert decide("majority", 3, ["approve"], None, [2], 4) is None
    assert decide("ratio", 3, ["approve"], Fraction("0.6"), [3], 5) == APPROVED
    assert decide("ratio", 3, ["reject", "reject"], Fraction("0.6"), [1, 1], 5) is None
    assert decide("ratio", 3, ["reject"], Fraction("0.6"), [3], 5) == REJECTED
    with pytest.raises(ValueError):
        decide("majority", 2, ["approve"], None, [0], 2)
    with pytest.raises(ValueError):
        decide("majority", 2, ["approve", "approve"], None, [3, 3], 5)


def test_read_and_claim_rules():
    assert decide("read", 2, ["approve"]) is None
    assert decide("read", 2, ["approve", "approve"]) == "read"
    with pytest.raises(ValueError):
        decide("read", 2, ["reject"])
    assert decide("claimed", 3, ["reject"]) == REJECTED
    assert decide("claimed", 3, []) is None


def test_weighted_summary_and_needed():
    status = {"mode": "majority", "threshold": None, "assignees": ["a", "b", "c"], "weights": {"a": 3, "b": 1, "c": 1},
              "ballots": [{"user": "b", "status": "approved"}, {"user": "a", "status": "rejected"}]}
    s = vote_summary(status)
    assert (s["weighted"], s["total_weight"], s["need_weight"], s["approved_weight"], s["rejected_weight"]) \
        == (True, 5, 3, 1, 3)
    assert describe("majority", 3, None, 5) == "weight 3 of 5 needed"
    assert describe("ratio", 3, Fraction("0.6"), 5) == "weight 3 of 5 needed (60%)"
