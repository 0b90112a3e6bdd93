"""Event kinds and channels, and what a user gets when they have not said otherwise."""
from __future__ import annotations

from typing import Any

# new task, urge, @mention, returned to you, your request decided, CC, due soon, overdue, handover,
# and the CRM's reminders (birthday, next contact, first visit, opportunity closing: notify/reminders.py)
KINDS = ("task", "urge", "mention", "returned", "decided", "cc", "due_soon", "overdue", "handover", "reminder")
INAPP, EMAIL, WEBHOOK = "inapp", "email", "webhook"
CHANNELS = (INAPP, EMAIL, WEBHOOK)
CHOOSABLE = (EMAIL, WEBHOOK)  # in-app is always on

# E-mail for everything that asks something of the user; CC is in-app only; the webhook (a group
# robot the organisation configures) is opt-in.
DEFAULTS: dict[str, dict[str, bool]] = {k: {EMAIL: k != "cc", WEBHOOK: False} for k in KINDS}


def wants(prefs: dict[str, Any] | None, kind: str, channel: str) -> bool:
    if channel == INAPP:
        return True
    chosen = ((prefs or {}).get(kind) or {}).get(channel)
    return bool(DEFAULTS[kind][channel] if chosen is None else chosen)


def effective(prefs: dict[str, Any] | None) -> dict[str, dict[str, bool]]:
    return {k: {c: wants(prefs, k, c) for c in CHOOSABLE} for k in KINDS}
