"""E-mail: through the SMTP server of LIUZHUAN_SMTP_URL, or (the embedded default, no server
needed) as one `.eml` file per message in `<instance>/outbox/`, named by the notification's key.

The Message-ID is derived from the idempotency key, so a message that had to be sent again after
a crash can be recognised as the same one by the receiving side.
"""
from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from core.config import NotifySettings

SMTP_TIMEOUT = 20


def build(msg: dict[str, str], to: str, lang: str, key: str, settings: NotifySettings) -> EmailMessage:
    m = EmailMessage()
    m["From"] = settings.mail_from
    m["To"] = to
    # one line: a title typed with line breaks (possible through the API) made the header refused
    # (ValueError), so the message was never sent; the breaks cannot add a header either way
    m["Subject"] = " ".join(msg["subject"].split())
    m["Date"] = formatdate(localtime=False)
    m["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@liuzhuan>"
    m["Auto-Submitted"] = "auto-generated"
    link = "打开" if lang == "zh" else "Open"
    m.set_content(f"{msg['text']}\n\n{link}: {msg['url']}\n")
    m["Content-Language"] = "zh-CN" if lang == "zh" else "en"  # after set_content, which resets Content-*
    return m


def send(msg: dict[str, str], recipient: dict[str, Any], key: str, settings: NotifySettings) -> None:
    to = recipient.get("email")
    if not to:
        raise ValueError("the recipient has no e-mail address")
    m = build(msg, to, recipient["lang"], key, settings)
    if not settings.smtp_url:
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(key.encode()).hexdigest()[:24] + ".eml"
        tmp = settings.outbox_dir / (name + ".tmp")
        tmp.write_bytes(bytes(m))
        tmp.replace(settings.outbox_dir / name)  # the same message written twice is one file
        return
    u = urlsplit(settings.smtp_url)
    opts = parse_qs(u.query)
    cls = smtplib.SMTP_SSL if u.scheme == "smtps" else smtplib.SMTP
    with cls(u.hostname or "127.0.0.1", u.port or (465 if u.scheme == "smtps" else 25), timeout=SMTP_TIMEOUT) as smtp:
        if opts.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls()
        if u.username:
            smtp.login(unquote(u.username), unquote(u.password or ""))
        smtp.send_message(m)
