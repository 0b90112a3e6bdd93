"""Deploy problems in the designer user's language.

A problem whose message carries a code (core.errors.Msg, e.g. the expression checks of
bpmn/expressions.py) is translated by that code (web/messages.py). Any other problem keeps its
detail (element ids, the offending text) after a translated heading naming the kind of check,
e.g. "审批人设置：lz:assignees strategy 'x' ..." — so the kind is always in the user's language.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext

from core.errors import Msg, Problem
from web.messages import known, translate

RULE_LABELS = {
    "xml": lazy_gettext("XML"), "xsd": lazy_gettext("BPMN schema"), "executable": lazy_gettext("Executable process"),
    "condition": lazy_gettext("Condition"), "script": lazy_gettext("Script"), "expression": lazy_gettext("Expression"),
    "timer": lazy_gettext("Timer"), "gateway_condition": lazy_gettext("Gateway conditions"),
    "gateway_default": lazy_gettext("Default flow"), "reference": lazy_gettext("Reference"),
    "duplicate_id": lazy_gettext("Duplicate id"), "start_event": lazy_gettext("Start event"),
    "call_cycle": lazy_gettext("Call activity"), "internal": lazy_gettext("Check"), "parser": lazy_gettext("Parser"),
    "form": lazy_gettext("Form"), "lz_call": lazy_gettext("Service task"), "lz_deadline": lazy_gettext("Deadline"),
    "lz_duplicate": lazy_gettext("Approval settings"), "lz_mode": lazy_gettext("Approval mode"),
    "lz_placement": lazy_gettext("Approval settings"), "lz_process": lazy_gettext("Process settings"),
    "lz_strategy": lazy_gettext("Approvers"), "lz_threshold": lazy_gettext("Approval threshold"),
    "lz_starters": lazy_gettext("Starters"),
}


def message(text: str, rule: str | None) -> str:
    """One problem's message in the user's language."""
    if isinstance(text, Msg) and known(text.code):
        return translate(text)
    label = RULE_LABELS.get(rule or "")
    return gettext("%(kind)s: %(detail)s", kind=str(label), detail=str(text)) if label else str(text)


def as_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    """[{element_id, message, rule}] with each message in the user's language."""
    return [{**p.as_dict(), "message": message(p.message, p.rule)} for p in problems]


def as_dicts_of(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same for problems already as dicts (validate's answer, a deploy's warnings)."""
    return [{**p, "message": message(p["message"], p.get("rule"))} for p in found]


def translations(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deploy answer's list of what a Camunda/Flowable file said and what it became (bpmn/foreign.py),
    its words in the user's language (the XML and expressions as they are)."""
    return [{**t, "from": translate(t["from"]), "to": translate(t["to"])} for t in items]


def as_fields(found: list[dict[str, Any]]) -> dict[str, str]:
    """{element id (or "definition"): the messages of its problems} as DefinitionInvalid.fields."""
    fields: dict[str, str] = {}
    for p in found:
        key = p["element_id"] or "definition"
        fields[key] = f"{fields[key]}; {p['message']}" if key in fields else p["message"]
    return fields
