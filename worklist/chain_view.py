"""The vertical approver chain of the instance page (DingTalk style): the initiator's submission,
then every step with who, what they decided, when and their comment; the current step marked, with
who has already opened their task (read_at). The data: engine.record.chain."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

PERSON = {
    "submitted": lazy_gettext("submitted"), "open": lazy_gettext("pending"), "approved": lazy_gettext("approved"),
    "rejected": lazy_gettext("rejected"), "done": lazy_gettext("done"), "returned": lazy_gettext("returned it"),
    "transferred": lazy_gettext("transferred"), "cancelled": lazy_gettext("not needed"),
    "delegated": lazy_gettext("delegated"), "resolved": lazy_gettext("gave an opinion"),
    "removed": lazy_gettext("removed from the step"),
}
STEP = {
    "submitted": lazy_gettext("Request submitted"), "open": lazy_gettext("In progress"),
    "approved": lazy_gettext("Approved"),
    "rejected": lazy_gettext("Rejected"), "completed": lazy_gettext("Done"), "read": lazy_gettext("Read by all"),
    "returned": lazy_gettext("Returned"), "cancelled": lazy_gettext("Cancelled"),
}
# the class of a step's dot: green when it went on, red for a rejection, blue while waiting, grey otherwise
TONE = {"submitted": "ok", "approved": "ok", "completed": "ok", "read": "ok", "rejected": "bad", "returned": "bad",
        "open": "current", "cancelled": "off"}


def chain_steps(steps: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The engine's chain with labels for the page: each step's name, status word and tone, and each
    person's status word, time and whether they have opened their task (on the current step)."""
    out = []
    for step in steps:
        current = step["status"] == "open"
        people = [{**p, "label": PERSON.get(p["status"], p["status"]),
                   "read": bool(p.get("read_at")) if current and p["status"] == "open" else None}
                  for p in step["people"] if p["status"] != "removed" or not current]
        out.append({**step, "current": current, "tone": TONE.get(step["status"], "off"),
                    "name": (names.get(step["node_id"] or "", step["node_name"]) if step["node_id"] else None),
                    "label": STEP.get(step["status"], step["status"]), "people": people})
    return out
