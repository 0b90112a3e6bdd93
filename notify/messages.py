"""The words of a notification, in the recipient's language (zh / en), with the link to act on.

Rendered when a message is delivered or listed, from the row's payload (what the action knew):
the recipient's language is read then, so a user who switches language gets the next messages in it.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")  # the organisation's time zone (as the pages' BABEL_DEFAULT_TIMEZONE)

OUTCOMES = {
    "zh": {"approved": "已通过", "rejected": "已驳回", "terminated": "已终止", "withdrawn": "已撤回"},
    "en": {"approved": "approved", "rejected": "rejected", "terminated": "terminated", "withdrawn": "withdrawn"},
}

# kind -> (subject, text); fields: {title} {key} {process} {node} {actor} {comment} {outcome} {due} {day}
# (a reminder's payload has `title` in Chinese and `title_en`, and the day it is about, `due_on`)
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "zh": {
        "task": ("待办：{title}", "{process}「{title}」（{key}）到了「{node}」，请您处理。"),
        "urge": ("催办：{title}", "{actor} 催您尽快处理{process}「{title}」（{key}）。{comment}"),
        "mention": ("{actor} 在「{title}」中提到了您", "{actor} 在{process}「{title}」（{key}）中说：{comment}"),
        "returned": ("退回：{title}", "{process}「{title}」（{key}）被退回到「{node}」，请重新处理。{comment}"),
        "decided": ("{outcome}：{title}", "您发起的{process}「{title}」（{key}）{outcome}。"),
        "cc": ("抄送：{title}", "{process}「{title}」（{key}）抄送给您。"),
        "due_soon": ("即将到期：{title}", "{process}「{title}」（{key}）的「{node}」将于 {due} 到期。"),
        "overdue": ("已超时：{title}", "{process}「{title}」（{key}）的「{node}」已超过期限，请尽快处理。"),
        "handover": ("工作交接：{title}", "{actor} 把{process}「{title}」（{key}）交接给您。{comment}"),
        "reminder": ("提醒：{title}", "{title}（{day}）"),
    },
    "en": {
        "task": ("To do: {title}", "{process} \"{title}\" ({key}) has reached \"{node}\" and waits for you."),
        "urge": ("Reminder: {title}", "{actor} asks you to handle {process} \"{title}\" ({key}) soon. {comment}"),
        "mention": ("{actor} mentioned you in \"{title}\"",
                    "{actor} wrote in {process} \"{title}\" ({key}): {comment}"),
        "returned": ("Returned: {title}", "{process} \"{title}\" ({key}) was returned to \"{node}\". {comment}"),
        "decided": ("Request {outcome}: {title}", "Your request {process} \"{title}\" ({key}) was {outcome}."),
        "cc": ("CC: {title}", "{process} \"{title}\" ({key}) was copied to you."),
        "due_soon": ("Due soon: {title}", "\"{node}\" of {process} \"{title}\" ({key}) is due {due}."),
        "overdue": ("Overdue: {title}", "\"{node}\" of {process} \"{title}\" ({key}) is past its deadline."),
        "handover": ("Handed over: {title}", "{actor} handed {process} \"{title}\" ({key}) over to you. {comment}"),
        "reminder": ("Reminder: {title}", "{title} ({day})"),
    },
}


def language(locale: str | None) -> str:
    return "en" if (locale or "").startswith("en") else "zh"


def _due(value: str | None) -> str:
    if not value:
        return ""
    at = datetime.fromisoformat(value)
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def render(payload: dict[str, Any], locale: str | None, base_url: str = "") -> dict[str, str]:
    """{subject, text, url} of a payload for a reader of `locale`."""
    lang = language(locale)
    subject, text = TEXTS[lang][payload.get("kind", "task")]
    outcome = str(payload.get("outcome") or "")
    title = payload.get("title_en") if lang == "en" and payload.get("title_en") else payload.get("title")
    fields = {
        "title": title or payload.get("business_key") or "", "day": payload.get("due_on") or "",
        "key": payload.get("business_key") or "",
        "process": payload.get("process_en" if lang == "en" else "process") or payload.get("process") or "",
        "node": payload.get("node") or "", "actor": payload.get("actor") or "",
        "comment": payload.get("comment") or "", "due": _due(payload.get("due_at")),
        "outcome": OUTCOMES[lang].get(outcome, outcome),
    }
    subj, body = subject.format(**fields).strip(), text.format(**fields)
    return {"subject": subj, "text": body.strip(), "url": base_url + str(payload.get("link") or "/")}
