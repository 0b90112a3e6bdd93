"""Every signer's opinion, for the steps that come after (DESIGN.md §8): a countersign writes no
shared form field; each decided approval node keeps `<node_id>.votes` ({user, decision, comment,
at, auto}) in the process data, and the task page lists them per earlier node — who, decision,
comment, time — so the general manager sees the legal head's objection as it was written.

    earlier_opinions(s, definition, data, current_node) -> [{node_id, node_name, outcome, votes: [...]}]
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import User
from engine import runtime
from engine.models import ProcessDefinition


def earlier_opinions(s: Session, d: ProcessDefinition, data: dict[str, Any], current_node: str
                     ) -> list[dict[str, Any]]:
    """The decided approval nodes in `data` other than `current_node`, oldest decision first."""
    nodes = {n.node_id: n for cfg in runtime.configs_of(d).values() for n in cfg.nodes.values()
             if n.kind == "approval" and n.node_id != current_node}
    found = []
    for node_id, node in nodes.items():
        value = data.get(node_id)
        if not isinstance(value, dict):
            continue
        votes = value.get("votes")
        if not isinstance(votes, list) or not votes:
            continue
        found.append((node_id, node.name, value.get("outcome"), [v for v in votes if isinstance(v, dict)]))
    voters = {str(v.get("user")) for *_, votes in found for v in votes}
    names = {u.username: u.display_name for u in s.scalars(select(User).where(User.username.in_(voters)))
             } if voters else {}  # the first approval step has no earlier opinions: no statement
    out = [{"node_id": node_id, "node_name": name, "outcome": outcome,
            "votes": [{"user": v.get("user"), "display_name": names.get(str(v.get("user")), v.get("user")),
                       "decision": v.get("decision"), "comment": v.get("comment") or "", "at": v.get("at"),
                       "auto": bool(v.get("auto"))} for v in votes]}
           for node_id, name, outcome, votes in found]
    return sorted(out, key=lambda o: max(str(v["at"] or "") for v in o["votes"]))
