"""The five vote rules of an approval node (DESIGN.md §2), as one pure function.

`n` = number of assignees, `a` = approvals so far, `r` = rejections so far. The node decides
as soon as the outcome is certain.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

APPROVED = "approved"
REJECTED = "rejected"


def decide(mode: str, n: int, decisions: Sequence[str], threshold: Fraction | None = None) -> str | None:
    """Outcome after `decisions` (each "approve" or "reject", in the order cast), or None if open."""
    if n <= 0:
        raise ValueError("an approval node needs at least one assignee")
    a = sum(1 for d in decisions if d == "approve")
    r = sum(1 for d in decisions if d == "reject")
    if a + r > n:
        raise ValueError(f"{a + r} votes for {n} assignees")
    if mode == "any":
        if not decisions:
            return None
        return APPROVED if decisions[0] == "approve" else REJECTED
    if mode in ("all", "sequential"):
        if r >= 1:
            return REJECTED
        return APPROVED if a == n else None
    if mode == "majority":
        if 2 * a > n:
            return APPROVED
        return REJECTED if 2 * r >= n else None
    if mode == "ratio":
        if threshold is None or not (0 < threshold <= 1):
            raise ValueError("ratio needs a threshold in (0, 1]")
        if Fraction(a, n) >= threshold:
            return APPROVED
        return REJECTED if Fraction(n - r, n) < threshold else None
    raise ValueError(f"unknown approval mode {mode!r}")


def describe(mode: str, n: int, threshold: Fraction | None = None) -> str:
    """A short English statement of the rule, e.g. '3 of 5 needed'."""
    if mode == "any":
        return "first decision counts"
    if mode in ("all", "sequential"):
        return f"all {n} needed" + (" in order" if mode == "sequential" else "")
    if mode == "majority":
        return f"{n // 2 + 1} of {n} needed"
    if mode == "ratio" and threshold is not None:
        need = -(-threshold.numerator * n // threshold.denominator)
        return f"{need} of {n} needed ({float(threshold):.0%})"
    return mode
