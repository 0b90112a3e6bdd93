"""Deploy warning: no form field should be written by several signers (DESIGN.md §8).

On a countersign — an approval node in mode `all`, `majority`, `ratio` or `sequential` whose
assignees can be several people — every signer would submit the same editable field and each
would overwrite the one before (the contract's 会签意见汇总 lost the legal head's objection). Such a
node should not list `lz:fields editable=...`. Deploy **warns** (rule `lz_shared_field`, listed
under `warnings` in the deploy answer and on the console) instead of refusing: DESIGN.md §2's own
example of the format has such a node, and files written to it must keep deploying. The shipped
processes have none. Each signer's opinion is their comment, kept in `<node_id>.votes` ({user,
decision, comment, at}) and shown to the later steps. A node whose assignees are one person
(`supervisor`, `dept_head`, `initiator`, a single user or department) may keep editable fields, as
may `any` (或签: one decision).
"""
from __future__ import annotations

from bpmn.problem_texts import pm

RULE = "lz_shared_field"  # a warning: never blocks a deploy
COUNTERSIGN_MODES = ("all", "majority", "ratio", "sequential")
# strategies that can yield several people, whatever the value says
MANY = ("role", "field", "chosen")
# strategies that yield one person per listed value
PER_VALUE = ("users", "dept_heads")


def _several(strategy: str, value: str) -> bool:
    if strategy in MANY:
        return True
    names = [v for v in value.replace("，", ",").split(",") if v.strip()]
    return strategy in PER_VALUE and len(names) > 1


def shared_field_problem(mode: str | None, strategy: str | None, value: str, editable: tuple[str, ...]) -> str | None:
    """Why the node's editable fields would be shared by several signers, or None."""
    if not editable or mode not in COUNTERSIGN_MODES or strategy is None or not _several(strategy, value):
        return None
    return pm("lz_shared_fields", mode=mode, fields=", ".join(editable))
