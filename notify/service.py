"""The notification use cases the faces call: the in-app list and its read marks, a user's own
settings (e-mail, mobile, preferences, calendar token), the calendar feed, the admins' view of
deliveries that failed. Each owns its transaction."""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update

from core.errors import Conflict, Forbidden, Msg, NotFound, Unauthenticated, ValidationFailed
from crm.models import User
from db.base import iso, utcnow
from db.session import Database
from engine.lifecycle import TaskStatus
from engine.models import HumanTask, ProcessInstance
from notify import calendar, deliver, kinds, messages, runner
from notify.models import DEAD, FAILED, Notification

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")


def _user(s: Any, user_id: int) -> User:
    u = s.get(User, user_id)
    if u is None or not u.active:
        raise Unauthenticated("unknown or inactive user")
    return u


def _item(n: Notification, lang: str) -> dict[str, Any]:
    msg = messages.render(n.payload or {}, lang)
    return {"id": n.id, "kind": n.kind, "subject": msg["subject"], "text": msg["text"], "url": msg["url"],
            "instance_id": n.instance_id, "task_id": n.task_id, "created_at": iso(n.created_at),
            "read_at": iso(n.read_at)}


def _mine(user_id: int) -> Any:
    return (Notification.recipient_id == user_id, Notification.channel == kinds.INAPP)


def unread_count(db: Database, user_id: int) -> int:
    with db.uow() as s:
        return s.scalar(select(func.count()).select_from(Notification).where(
            *_mine(user_id), Notification.read_at.is_(None))) or 0


def list_mine(db: Database, user_id: int, offset: int, limit: int,
              unread: bool = False) -> tuple[list[dict[str, Any]], int, int]:
    """(items newest first, total, unread count) of the caller's in-app notifications."""
    with db.uow() as s:
        u = _user(s, user_id)
        where = [*_mine(user_id)] + ([Notification.read_at.is_(None)] if unread else [])
        total = s.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
        rows = s.scalars(select(Notification).where(*where).order_by(Notification.id.desc())
                         .offset(offset).limit(limit))
        items = [_item(n, messages.language(u.locale)) for n in rows]
        count = s.scalar(select(func.count()).select_from(Notification).where(
            *_mine(user_id), Notification.read_at.is_(None))) or 0
        return items, total, count


def mark_read(db: Database, user_id: int, nid: int) -> dict[str, Any]:
    with db.uow(write=True) as s:
        u = _user(s, user_id)
        n = s.get(Notification, nid)
        if n is None or n.channel != kinds.INAPP:
            raise NotFound(f"notification {nid} not found")
        if n.recipient_id != user_id:
            raise Forbidden("this notification is someone else's")
        if n.read_at is None:
            n.read_at = utcnow()
        return _item(n, messages.language(u.locale))


def mark_all_read(db: Database, user_id: int) -> dict[str, Any]:
    with db.uow(write=True) as s:
        _user(s, user_id)
        res = s.execute(update(Notification).where(*_mine(user_id), Notification.read_at.is_(None))
                        .values(read_at=utcnow()).execution_options(synchronize_session=False))
        return {"read": getattr(res, "rowcount", 0), "unread": 0}


# ---------------------------------------------------------------- my settings


def _settings_of(u: User) -> dict[str, Any]:
    return {"email": u.email, "mobile": u.mobile, "language": messages.language(u.locale),
            "preferences": kinds.effective(u.notify_prefs), "webhook": runner.webhook_configured(),
            "feed_token": u.feed_token}


def my_settings(db: Database, user_id: int) -> dict[str, Any]:
    with db.uow(write=True) as s:
        u = _user(s, user_id)
        if not u.feed_token:
            u.feed_token = secrets.token_urlsafe(24)
        return _settings_of(u)


def _prefs(value: Any) -> dict[str, dict[str, bool]]:
    if not isinstance(value, dict):
        raise ValidationFailed("preferences must be an object", {"preferences": Msg("object", "must be an object")})
    out: dict[str, dict[str, bool]] = {}
    for kind, channels in value.items():
        if kind not in kinds.KINDS or not isinstance(channels, dict):
            raise ValidationFailed(f"unknown event kind {kind!r}",
                                   {f"preferences.{kind}": f"one of: {', '.join(kinds.KINDS)}"})
        for ch, on in channels.items():
            if ch not in kinds.CHOOSABLE or not isinstance(on, bool):
                raise ValidationFailed(f"bad channel {ch!r}", {f"preferences.{kind}.{ch}":
                                       f"channels {', '.join(kinds.CHOOSABLE)} take true or false"})
            out.setdefault(kind, {})[ch] = on
    return out


def update_settings(db: Database, user_id: int, payload: Any) -> dict[str, Any]:
    """Change the caller's own `email`, `mobile`, `language` (zh/en), `preferences` ({kind: {channel: bool}})."""
    if not isinstance(payload, dict):
        raise ValidationFailed("a JSON object is expected", {"body": Msg("object", "must be an object")})
    unknown = set(payload) - {"email", "mobile", "language", "preferences"}
    if unknown:
        raise ValidationFailed("unknown fields", {k: "not a setting" for k in sorted(unknown)})
    changes: dict[str, Any] = {}
    for name, rx, code in (("email", EMAIL, "email"), ("mobile", MOBILE, "phone")):
        if name in payload:
            v = payload[name]
            if v is not None and (not isinstance(v, str) or (v.strip() and not rx.match(v.strip()))):
                raise ValidationFailed(f"invalid {name}", {name: Msg(code, f"not a valid {name}")})
            changes[name] = (v or "").strip() or None
    if "language" in payload and payload["language"] not in ("zh", "en"):
        raise ValidationFailed("invalid language", {"language": "one of: zh, en"})
    prefs = _prefs(payload["preferences"]) if "preferences" in payload else None
    with db.uow(write=True) as s:
        u = _user(s, user_id)
        for k, v in changes.items():
            setattr(u, k, v)
        if "language" in payload:
            u.locale = payload["language"]
        if prefs is not None:
            merged = {k: dict(v) for k, v in (u.notify_prefs or {}).items()}
            for kind, chans in prefs.items():
                merged.setdefault(kind, {}).update(chans)
            u.notify_prefs = merged
        return _settings_of(u)


def new_feed_token(db: Database, user_id: int) -> dict[str, Any]:
    """A new calendar token: the old feed link stops working."""
    with db.uow(write=True) as s:
        u = _user(s, user_id)
        u.feed_token = secrets.token_urlsafe(24)
        return _settings_of(u)


# ---------------------------------------------------------------- the calendar feed


def user_of_feed_token(db: Database, token: Any) -> int:
    if not isinstance(token, str) or len(token) < 16:
        raise Unauthenticated("a calendar token is required")
    with db.uow() as s:
        uid = s.scalar(select(User.id).where(User.feed_token == token, User.active.is_(True)))
    if uid is None:
        raise Unauthenticated("unknown calendar token")
    return int(uid)


def calendar_feed(db: Database, user_id: int) -> str:
    """The caller's open tasks with a due date, as an iCalendar document."""
    base = runner.settings().base_url
    with db.uow() as s:
        u = _user(s, user_id)
        lang = messages.language(u.locale)
        rows = s.execute(select(HumanTask, ProcessInstance).join(ProcessInstance,
                                                                 ProcessInstance.id == HumanTask.instance_id)
                         .where(HumanTask.assignee_id == user_id, HumanTask.status == TaskStatus.OPEN,
                                HumanTask.due_at.is_not(None)).order_by(HumanTask.due_at).limit(500)).all()
        events = [{"id": t.id, "summary": f"{t.node_name}：{inst.title or inst.business_key}",
                   "description": f"{inst.business_key} {inst.title}\n{base}/tasks/{t.id}",
                   "url": f"{base}/tasks/{t.id}", "due_at": t.due_at} for t, inst in rows]
        events += _reminder_events(s, user_id, lang, base)
        name = f"流转 · {u.display_name}" if lang == "zh" else f"Liuzhuan · {u.display_name}"
    return calendar.feed(name, events, utcnow())


REMINDER_HOUR = 9  # a reminder's calendar entry: 09:00 on its day, the organisation's time (messages.ZONE)
REMINDERS_PAST = timedelta(days=7)  # reminders about days this long ago still show


def _reminder_events(s: Any, user_id: int, lang: str, base: str) -> list[dict[str, Any]]:
    """The user's CRM reminders (notify/reminders.py) about days from a week ago on."""
    since = (utcnow() - REMINDERS_PAST).date().isoformat()
    rows = s.scalars(select(Notification).where(Notification.recipient_id == user_id, Notification.kind == "reminder",
                                                Notification.channel == kinds.INAPP)
                     .order_by(Notification.id.desc()).limit(500))
    out = []
    for n in rows:
        p = n.payload or {}
        day = str(p.get("due_on") or "")
        if day < since:
            continue
        at = datetime.combine(date.fromisoformat(day), time(REMINDER_HOUR), tzinfo=messages.ZONE)
        text = messages.render(p, lang, base)
        out.append({"id": n.id, "uid": f"reminder-{n.id}", "summary": text["subject"], "description": text["text"],
                    "url": text["url"], "due_at": at})
    return out


# ---------------------------------------------------------------- admins: deliveries that failed


def _require_admin(s: Any, user_id: int) -> None:
    if not _user(s, user_id).is_admin:
        raise Forbidden("only admins see the deliveries")


def failed_deliveries(db: Database, user_id: int, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    with db.uow() as s:
        _require_admin(s, user_id)
        where = Notification.status.in_((FAILED, DEAD))
        total = s.scalar(select(func.count()).select_from(Notification).where(where)) or 0
        rows = s.execute(select(Notification, User.username).join(User, User.id == Notification.recipient_id)
                         .where(where).order_by(Notification.id.desc()).offset(offset).limit(limit)).all()
        return [{"id": n.id, "recipient": name, "kind": n.kind, "channel": n.channel, "status": n.status,
                 "attempts": n.attempts, "last_error": n.last_error, "instance_id": n.instance_id,
                 "created_at": iso(n.created_at), "next_attempt_at": iso(n.next_attempt_at)}
                for n, name in rows], total


def retry_delivery(db: Database, user_id: int, nid: int) -> dict[str, Any]:
    with db.uow() as s:
        _require_admin(s, user_id)
        n = s.get(Notification, nid)
        if n is None:
            raise NotFound(f"notification {nid} not found")
    if not deliver.retry(db, nid):
        raise Conflict("only a dead delivery can be sent again")
    sent = deliver.deliver_one(db, nid, runner.settings())
    return {"id": nid, "sent": sent}


def failed_timers(db: Database, user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Timers the tick gave up on (engine/timers.py MAX_ATTEMPTS), newest first (admins)."""
    from engine.models import Timer

    with db.uow() as s:
        _require_admin(s, user_id)
        rows = s.execute(select(Timer, ProcessInstance.business_key)
                         .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
                         .where(Timer.failed_at.is_not(None)).order_by(Timer.failed_at.desc()).limit(limit)).all()
        return [{"id": t.id, "instance_id": t.instance_id, "business_key": key, "kind": t.kind, "node_id": t.node_id,
                 "attempts": t.attempts, "last_error": t.last_error, "failed_at": iso(t.failed_at)}
                for t, key in rows]
