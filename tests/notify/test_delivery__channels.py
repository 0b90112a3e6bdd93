"""Delivery after commit, per channel, with retries, dead letters and idempotency."""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import parse_qs, unquote, urlsplit

from db.base import utcnow
from notify import deliver, runner
from notify.channels import mail, webhook
from tests.api.conftest import API, TWO_STEP, deploy, login, start, task_of
from tests.notify.conftest import outbox, use
from tests.notify.servers import robot_server, smtp_server


def _settings(client, user, **body):
    r = client.patch(f"{API}/me/settings", json=body, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_embedded_default_writes_one_eml_file_and_delivering_twice_sends_once(org, client, notify_settings):
    _settings(client, "sales_lead", email="lead@example.com")
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    runner.wait_idle()
    files = list(notify_settings.outbox_dir.glob("*.eml"))
    assert len(files) == 1
    m = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    tid = task_of(client, "sales_lead", iid)
    assert m["To"] == "lead@example.com" and str(m["Subject"]).startswith("待办：")
    assert m["Content-Language"] == "zh-CN"
    assert f"http://lz.test/tasks/{tid}" in m.get_content()
    (row,) = outbox(org, channel="email")
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    files[0].unlink()
    assert deliver.deliver(org.db, [row.id, row.id], notify_settings) == 0
    assert deliver.deliver_due(org.db, notify_settings, utcnow() + timedelta(days=1)) == 0
    assert list(notify_settings.outbox_dir.glob("*.eml")) == []
    assert outbox(org, channel="email")[0].attempts == 1


def test_a_real_smtp_server_receives_the_message_in_the_recipients_language(org, client, notify_settings):
    with smtp_server() as (port, box):
        use(notify_settings, smtp_url=f"smtp://127.0.0.1:{port}", mail_from="lz@example.com")
        _settings(client, "sales_lead", email="lead@example.com", language="en")
        _settings(client, "clerk", email="clerk@example.com")
        deploy(client, TWO_STEP)
        iid = start(client, "clerk")
        runner.wait_idle()
        tid = task_of(client, "sales_lead", iid)
        assert len(box.messages) == 1
        rcpt, m = box.messages[0]
        assert rcpt == ["lead@example.com"] and m["From"] == "lz@example.com"
        assert str(m["Subject"]).startswith("To do: ") and m["Content-Language"] == "en"
        body = m.get_content()
        assert "waits for you" in body and f"http://lz.test/tasks/{tid}" in body


def test_a_subject_with_line_breaks_is_sent_on_one_line_and_adds_no_header(notify_settings):
    """Subjects carry titles and names (a contract's title in a reminder, an actor's name): a line
    break in one made EmailMessage refuse the header, so the message was never sent."""
    msg = {"subject": "提醒：合同\r\nBcc: evil@example.com\n", "text": "正文", "url": "http://lz.test/"}
    m = mail.build(msg, "lead@example.com", "zh", "k1", notify_settings)
    raw = m.as_bytes()
    assert m["Subject"] == "提醒：合同 Bcc: evil@example.com" and m["Bcc"] is None
    assert message_from_bytes(raw, policy=policy.default)["Bcc"] is None


def test_dingtalk_robot_receives_signed_markdown_mentioning_the_mobile(org, client, notify_settings):
    secret = "SEC0123456789abcdef"
    with robot_server() as (port, robot):
        use(notify_settings, webhook_url=f"http://127.0.0.1:{port}/robot/send?access_token=tok",
            webhook_format="dingtalk", webhook_secret=secret)
        _settings(client, "sales_lead", mobile="13800138000", preferences={"task": {"webhook": True}})
        deploy(client, TWO_STEP)
        iid = start(client, "clerk")
        runner.wait_idle()
        tid = task_of(client, "sales_lead", iid)
        assert len(robot.received) == 1
        path, body = robot.received[0]
        q = parse_qs(urlsplit(path).query)
        assert q["access_token"] == ["tok"]
        ts = q["timestamp"][0]
        expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
        assert unquote(urlsplit(path).query.split("sign=")[1]) == expected.decode()
        assert body["msgtype"] == "markdown" and body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}
        assert body["markdown"]["title"].startswith("待办")
        assert "@13800138000" in body["markdown"]["text"] and f"http://lz.test/tasks/{tid}" in body["markdown"]["text"]
        assert outbox(org, channel="webhook")[0].status == "sent"


def test_a_refusing_robot_is_retried_with_backoff_then_dead_and_shown_to_admins(org, client, notify_settings):
    with robot_server() as (port, robot):
        conf = use(notify_settings, webhook_url=f"http://127.0.0.1:{port}/hook", webhook_format="wecom")
        robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        _settings(client, "sales_lead", preferences={"task": {"webhook": True}})
        deploy(client, TWO_STEP)
        start(client, "clerk")
        runner.wait_idle()
        (row,) = outbox(org, channel="webhook")
        assert row.status == "failed" and row.attempts == 1 and "93000" in row.last_error
        now = utcnow()
        assert deliver.deliver_due(org.db, conf, now) == 0  # not yet: the backoff
        assert len(robot.received) == 1
        for i in range(deliver.MAX_ATTEMPTS - 1):
            now += deliver.backoff(i + 1) + timedelta(seconds=1)
            deliver.deliver_due(org.db, conf, now)
        (row,) = outbox(org, channel="webhook")
        assert row.status == "dead" and row.attempts == deliver.MAX_ATTEMPTS
        assert len(robot.received) == deliver.MAX_ATTEMPTS
        assert robot.received[0][1]["msgtype"] == "text"
        r = client.get(f"{API}/admin/notifications", headers=login(client, "admin"))
        assert r.status_code == 200 and [d["status"] for d in r.get_json()["items"]] == ["dead"]
        assert client.get(f"{API}/admin/notifications", headers=login(client, "clerk")).status_code == 403
        robot.answer = {"errcode": 0}
        r = client.post(f"{API}/admin/notifications/{row.id}/retry", headers=login(client, "admin"))
        assert r.status_code == 200 and r.get_json() == {"id": row.id, "sent": True}
        assert outbox(org, channel="webhook")[0].status == "sent"
        r = client.post(f"{API}/admin/notifications/{row.id}/retry", headers=login(client, "admin"))
        assert r.status_code == 409


def test_two_workers_delivering_the_same_row_send_it_once(org, client, notify_settings):
    with robot_server() as (port, robot):
        conf = use(notify_settings, webhook_url=f"http://127.0.0.1:{port}/any", webhook_format="json")
        runner.configure(conf, "off")  # nothing delivered after commit: the two workers below do it
        _settings(client, "sales_lead", preferences={"task": {"webhook": True}})
        deploy(client, TWO_STEP)
        start(client, "clerk")
        (row,) = outbox(org, channel="webhook")
        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(deliver.deliver(org.db, [row.id], conf)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [0, 0, 0, 1] and len(robot.received) == 1
        body = robot.received[0][1]
        assert body["kind"] == "task" and body["recipient"]["username"] == "sales_lead"


def test_feishu_and_wecom_formats_and_feishu_signature(notify_settings):
    from dataclasses import replace

    msg = {"subject": "待办：报销", "text": "请处理", "url": "http://lz.test/tasks/1"}
    who = {"username": "u", "display_name": "张三", "mobile": "13800138000"}
    conf = replace(notify_settings, webhook_url="https://open.feishu.cn/open-apis/bot/v2/hook/x",
                   webhook_format="feishu", webhook_secret="s3cret")
    url, body = webhook.request_for(msg, who, {}, conf)
    assert url == conf.webhook_url and body["msg_type"] == "text" and "请处理" in body["content"]["text"]
    key = f"{body['timestamp']}\ns3cret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    url, body = webhook.request_for(msg, who, {}, replace(conf, webhook_format="wecom", webhook_secret=None))
    assert body == {"msgtype": "text", "text": {"content": "待办：报销\n请处理\nhttp://lz.test/tasks/1",
                                                "mentioned_mobile_list": ["13800138000"]}}
