"""The calendar feed (RFC 5545): a user's open tasks with a due date, and their CRM reminders
(birthdays, next contacts, first visits, opportunity closing dates), one VEVENT each.

Written by hand: CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character),
TEXT values escaped (backslash, semicolon, comma, newline), times in UTC (`...Z`). Each event
lasts 30 minutes ending at the due time, carries a stable UID (the task id) and the task's URL,
and an alarm one hour before.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

PRODID = "-//Liuzhuan//Liuzhuan BPM//ZH"


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, continuation lines starting with a space."""
    out, cur, size, limit = [], "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(cur)
            cur, size, limit = " ", 1, 75
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def utc(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y%m%dT%H%M%SZ")


def feed(name: str, events: Iterable[dict[str, Any]], now: datetime, host: str = "liuzhuan") -> str:
    """events: {id, summary, description, url, due_at (datetime)}, and `uid` when not a task's."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape(name)}"]
    for e in events:
        due: datetime = e["due_at"]
        lines += ["BEGIN:VEVENT", f"UID:{e.get('uid') or 'task-' + str(e['id'])}@{host}", f"DTSTAMP:{utc(now)}",
                  f"DTSTART:{utc(due - timedelta(minutes=30))}", f"DTEND:{utc(due)}",
                  f"SUMMARY:{escape(e['summary'])}", f"DESCRIPTION:{escape(e['description'])}",
                  f"URL:{e['url']}", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H",
                  f"DESCRIPTION:{escape(e['summary'])}", "END:VALARM", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
