"""The vote rules of an approval node (DESIGN.md §2, §8), as pure functions of the mode, the
assignees and the decisions so far: `decide` (the outcome, or None while it is open), `needed`
and `describe` (what the task page says), `vote_summary` (the numbers of a node's vote).

票签 (weighted votes): `majority` and `ratio` count weights when the node has them — W = the
assignees' total weight, A = the weight approved, R = the weight rejected; majority approves when
A > W/2 and rejects when R >= W/2, ratio approves when A/W >= threshold and rejects when
(W - R)/W < threshold. With every weight 1 that is the plain count. The other modes count people.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

APPROVED = "approved"
REJECTED = "rejected"
READ = "read"  # 阅办: everyone confirmed they have read

VOTE_MODES = ("any", "all", "majority", "ratio", "sequential")
WEIGHTED_MODES = ("majority", "ratio")  # the modes that count weights
# 认领: a claim node is decided by whoever claimed it, like `any` ("claimed" while someone holds it)
CLAIM_MODES = ("claim", "claimed")


def decide(mode: str, n: int, decisions: Sequence[str], threshold: Fraction | None = None,
           weights: Sequence[int] | None = None, total: int | None = None) -> str | None:
    """Outcome after `decisions` (each "approve" or "reject", in the order cast), or None if open.

    `n` = number of assignees, `a` = approvals so far, `r` = rejections so far (DESIGN.md §2);
    the node decides as soon as the outcome is certain. `weights` (票签): the weight of each
    decision, in the same order, and `total` the weight of all `n` assignees; majority and ratio
    then count weights (DESIGN.md §8). A read-only node (阅办) completes as `read` once all `n` have
    confirmed (each confirmation an "approve"); it has no rejection."""
    if n <= 0:
        raise ValueError("an approval node needs at least one assignee")
    a = sum(1 for d in decisions if d == "approve")
    r = sum(1 for d in decisions if d == "reject")
    if a + r > n:
        raise ValueError(f"{a + r} votes for {n} assignees")
    if mode in CLAIM_MODES:
        mode = "any"
    if mode in WEIGHTED_MODES:
        return _by_weight(mode, *_weighed(decisions, a, r, n, weights, total), threshold)
    if mode in ("read", "any", "all", "sequential"):
        return _by_count(mode, n, a, r, decisions)
    raise ValueError(f"unknown approval mode {mode!r}")


def _by_count(mode: str, n: int, a: int, r: int, decisions: Sequence[str]) -> str | None:
    """read / any / all / sequential: people counted, a approvals and r rejections of n."""
    if mode == "read":
        if r:
            raise ValueError("a read-only node has no rejection")
        return READ if a == n else None
    if mode == "any":
        if not decisions:
            return None
        return APPROVED if decisions[0] == "approve" else REJECTED
    if r >= 1:  # all, sequential
        return REJECTED
    return APPROVED if a == n else None


def _by_weight(mode: str, a: int, r: int, w: int, threshold: Fraction | None) -> str | None:
    """majority / ratio over A approved and R rejected of W (weights, or people when unweighted)."""
    if mode == "majority":
        if 2 * a > w:
            return APPROVED
        return REJECTED if 2 * r >= w else None
    if threshold is None or not (0 < threshold <= 1):
        raise ValueError("ratio needs a threshold in (0, 1]")
    if Fraction(a, w) >= threshold:
        return APPROVED
    return REJECTED if Fraction(w - r, w) < threshold else None


def _weighed(decisions: Sequence[str], a: int, r: int, n: int, weights: Sequence[int] | None,
             total: int | None) -> tuple[int, int, int]:
    """(A, R, W): the counts, or with `weights` the weights approved, rejected and in all."""
    if weights is None:
        return a, r, (n if total is None else total)
    if len(weights) != len(decisions) or any(w < 1 for w in weights):
        raise ValueError("one positive weight per decision")
    if total is None:
        raise ValueError("weighted votes need the total weight")
    a = sum(w for d, w in zip(decisions, weights, strict=True) if d == "approve")
    r = sum(w for d, w in zip(decisions, weights, strict=True) if d == "reject")
    if a + r > total:
        raise ValueError(f"weight {a + r} cast of a total of {total}")
    return a, r, total


def needed(mode: str, n: int, threshold: Fraction | None = None) -> int:
    """How many approvals the rule needs of `n` assignees (any: the first one decides). For a
    weighted majority or ratio node, `n` is the total weight and the answer a weight."""
    if mode in ("any", *CLAIM_MODES):
        return 1
    if mode == "majority":
        return n // 2 + 1
    if mode == "ratio" and threshold:
        return -(-threshold.numerator * n // threshold.denominator)
    return n


def describe(mode: str, n: int, threshold: Fraction | None = None, total: int | None = None) -> str:
    """A short English statement of the rule, e.g. '3 of 5 needed' ('weight 4 of 7 needed' when
    the node is weighted: `total` = its total weight)."""
    if mode in ("any", *CLAIM_MODES):
        return "first decision counts" if mode == "any" else "whoever claims it decides"
    if mode == "read":
        return f"all {n} confirm they have read"
    if mode in ("all", "sequential"):
        return f"all {n} needed" + (" in order" if mode == "sequential" else "")
    if total is not None and mode in WEIGHTED_MODES:
        return f"weight {needed(mode, total, threshold)} of {total} needed" + (
            f" ({float(threshold):.0%})" if mode == "ratio" and threshold is not None else "")
    if mode == "majority":
        return f"{needed(mode, n)} of {n} needed"
    if mode == "ratio" and threshold is not None:
        return f"{needed(mode, n, threshold)} of {n} needed ({float(threshold):.0%})"
    return mode


def weight_of(weights: Mapping[str, int] | None, user_id: int) -> int:
    """The weight of `user_id` on a node (`node_activation.weights`, keyed by str(user id)); 1 by default."""
    return int((weights or {}).get(str(user_id), 1))


def vote_summary(status: dict[str, Any]) -> dict[str, Any]:
    """The numbers of a `vote_status`: assignees `n`, approvals `need`ed, `approved` and `rejected`
    so far, and who has no ballot yet (`later`: on a sequential node, those whose turn has not come).
    A weighted node (`status["weights"]`, username -> weight) adds `weighted` and the weights:
    `total_weight`, `need_weight`, `approved_weight`, `rejected_weight`."""
    n = len(status["assignees"]) or 1
    mode = status["mode"]
    threshold = Fraction(status["threshold"]) if status["threshold"] else None
    ballots = status["ballots"]
    voted = {b["user"] for b in ballots}
    out = {"mode": mode, "n": n, "need": needed(mode, n, threshold),
           "approved": sum(1 for b in ballots if b["status"] in ("approved", "done")),
           "rejected": sum(1 for b in ballots if b["status"] == "rejected"),
           "threshold": float(threshold) if threshold is not None else None,
           "later": [u for u in status["assignees"] if u not in voted]}
    weights = status.get("weights")
    if weights and mode in WEIGHTED_MODES:
        w = {u: int(weights.get(u, 1)) for u in status["assignees"]}
        total = sum(w.values()) or 1
        out.update(weighted=True, total_weight=total, need_weight=needed(mode, total, threshold),
                   approved_weight=sum(w.get(b["user"], 1) for b in ballots if b["status"] == "approved"),
                   rejected_weight=sum(w.get(b["user"], 1) for b in ballots if b["status"] == "rejected"))
    return out
