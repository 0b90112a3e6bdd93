"""Webhook: the organisation's group robot (LIUZHUAN_WEBHOOK_URL) or any HTTP endpoint.

Formats (LIUZHUAN_WEBHOOK_FORMAT), as the platforms document their custom robots:
- dingtalk: `{"msgtype": "markdown", "markdown": {title, text}, "at": {"atMobiles": [...]}}`; with a
  secret, `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of "<ms>\\n<secret>" keyed by the secret>`
  on the URL; answers `{"errcode": 0}`.
- feishu: `{"msg_type": "text", "content": {"text"}}`; with a secret, `timestamp` (seconds) and
  `sign` (base64 HMAC-SHA256 of an empty message keyed by "<s>\\n<secret>") in the body; answers `{"code": 0}`.
- wecom: `{"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}` (the key is in the URL);
  answers `{"errcode": 0}`.
- json: `{key, kind, subject, text, url, recipient: {username, email, mobile}, instance_id, task_id}`, any 2xx.

Every request carries the notification's idempotency key in an `Idempotency-Key` header (and, in the
json format, as `key`). Delivery is at least once: a worker killed after the receiver took the message
but before the outbox recorded it as sent sends it again after its lease, with the same key, so a
receiver that remembers the keys it has seen shows it once (the group robots do not: they may show it
twice in that window).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any
from urllib.parse import quote_plus

from core.config import NotifySettings

TIMEOUT = 10


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(mac).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def request_for(msg: dict[str, str], recipient: dict[str, Any], extra: dict[str, Any],
                settings: NotifySettings) -> tuple[str, dict[str, Any]]:
    """(url, JSON body) of the message in the configured format."""
    url, fmt, secret = settings.webhook_url or "", settings.webhook_format, settings.webhook_secret
    mobile = recipient.get("mobile")
    who = recipient.get("display_name") or recipient.get("username") or ""
    if fmt == "dingtalk":
        at = f"@{mobile} " if mobile else f"{who} "
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"title": msg["subject"], "text": f"#### {msg['subject']}\n\n{at}{msg['text']}\n\n"
                                                          f"[{msg['url']}]({msg['url']})"},
            "at": {"atMobiles": [mobile] if mobile else [], "isAtAll": False}}
        if secret:
            ts = int(time.time() * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
        return url, body
    if fmt == "feishu":
        body = {"msg_type": "text", "content": {"text": f"{who} {msg['subject']}\n{msg['text']}\n{msg['url']}"}}
        if secret:
            ts = int(time.time())
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
        return url, body
    if fmt == "wecom":
        return url, {"msgtype": "text", "text": {"content": f"{msg['subject']}\n{msg['text']}\n{msg['url']}",
                                                 "mentioned_mobile_list": [mobile] if mobile else []}}
    return url, {"key": extra.get("key"), "kind": extra.get("kind"), "subject": msg["subject"], "text": msg["text"],
                 "url": msg["url"],
                 "recipient": {k: recipient.get(k) for k in ("username", "email", "mobile")},
                 "instance_id": extra.get("instance_id"), "task_id": extra.get("task_id")}


def send(msg: dict[str, str], recipient: dict[str, Any], extra: dict[str, Any], settings: NotifySettings) -> None:
    if not settings.webhook_url:
        raise ValueError("no webhook is configured (LIUZHUAN_WEBHOOK_URL)")
    url, body = request_for(msg, recipient, extra, settings)
    req = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "Idempotency-Key": str(extra.get("key") or "")})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (configured by the admin)
        answer = resp.read()
    if settings.webhook_format == "json":
        return
    try:
        data = json.loads(answer or b"{}")
    except ValueError as e:
        raise RuntimeError(f"the robot answered no JSON: {answer[:200]!r}") from e
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    if code not in (0, None):
        raise RuntimeError(f"the robot refused the message: {code} {data.get('errmsg') or data.get('msg') or ''}")
