"""`nrOfCompletedInstances >= n` over M named approvers (bpmn/juel.py) decides after exactly n approvals.

The translated rule is run through the engine's own vote rule (engine/nodes/rules.py, exact
fractions): for every M in 1..20, n in 1..M and every way of casting the votes, the node is
approved at the n-th approval and not before; for n > 1 it is rejected exactly when n approvals
can no longer be reached (a completion in Camunda counts as an approval here, a rejection makes
the remaining approvals fewer); n = 1 is 或签, the first decision decides, as `>= 1` always was.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpmn import juel
from engine.nodes.rules import APPROVED, REJECTED, decide

FORMS = ("${{nrOfCompletedInstances >= {n}}}", "${{nrOfCompletedInstances == {n}}}",
         "${{nrOfCompletedInstances > {m1}}}", "${{nrOfCompletedInstances ge {n}}}", "#{{{n} <= nrOfCompletedInstances}}")


def rule_of(form: str, n: int, m: int) -> tuple[str, Fraction | None]:
    found, why = juel.completion(form.format(n=n, m1=n - 1), m)
    assert found is not None, why
    return found


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_exactly_n_approvals_of_m_decide(data):
    m = data.draw(st.integers(1, 20), label="M")
    n = data.draw(st.integers(1, m), label="n")
    mode, threshold = rule_of(data.draw(st.sampled_from(FORMS), label="form"), n, m)
    ballots = data.draw(st.lists(st.sampled_from(["approve", "reject"]), min_size=m, max_size=m), label="ballots")
    for k in range(1, m + 1):
        cast = ballots[:k]
        a, r = cast.count("approve"), cast.count("reject")
        got = decide(mode, m, cast, threshold)
        if n == 1:
            assert got == (APPROVED if cast[0] == "approve" else REJECTED)
            return
        if a >= n:
            assert got == APPROVED and a == n, (mode, threshold, cast)
            return
        if m - r < n:
            assert got == REJECTED, (mode, threshold, cast)
            return
        assert got is None, (mode, threshold, cast)
    raise AssertionError("never decided")


@pytest.mark.parametrize("m", range(1, 21))
def test_every_n_of_m_needs_n_approvals_in_a_row(m):
    for n in range(1, m + 1):
        mode, threshold = rule_of(FORMS[0], n, m)
        assert decide(mode, m, ["approve"] * (n - 1), threshold) is None
        assert decide(mode, m, ["approve"] * n, threshold) == APPROVED


def test_two_of_three_is_an_exact_share():
    assert juel.completion("${nrOfCompletedInstances >= 2}", 3) == (("ratio", Fraction(2, 3)), None)
    assert juel.completion("${nrOfCompletedInstances >= 3}", 3) == (("all", None), None)
    assert juel.completion("${nrOfCompletedInstances >= 1}", 3) == (("any", None), None)
    assert decide("ratio", 3, ["approve"], Fraction(2, 3)) is None
    assert decide("ratio", 3, ["approve", "approve"], Fraction(2, 3)) == APPROVED


@pytest.mark.parametrize("el, m, words", [
    ("${nrOfCompletedInstances >= 2}", None, "only known at run time"),
    ("${nrOfCompletedInstances == 4}", 3, "never be reached"),
    ("${nrOfCompletedInstances > 3}", 3, "never be reached"),
    ("${nrOfCompletedInstances >= 0}", 3, "before anyone has decided"),
])
def test_counts_without_a_known_m_or_beyond_it_are_refused(el, m, words):
    rule, why = juel.completion(el, m)
    assert rule is None and words in (why or "")
