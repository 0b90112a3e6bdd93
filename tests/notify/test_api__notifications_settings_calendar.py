"""The notification routes: the list and read marks (403 for someone else's), my settings (422
naming the field, nothing changed), the calendar feed (bearer or token; RFC 5545 structure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from engine.models import HumanTask, ProcessInstance
from tests.api.conftest import API, TWO_STEP, act, assert_error, deploy, login, start, task_of
from tests.notify.conftest import my_notifications, outbox


def test_read_one_and_read_all(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    client.post(f"{API}/process-instances/{iid}/urge", json={}, headers=login(client, "clerk"))
    body = my_notifications(client, "v01")
    assert body["unread"] == 2 and [i["kind"] for i in body["items"]] == ["urge", "task"]
    first = body["items"][0]["id"]
    r = client.post(f"{API}/notifications/{first}/read", headers=login(client, "v01"))
    assert r.status_code == 200 and r.get_json()["read_at"]
    assert my_notifications(client, "v01")["unread"] == 1
    assert [i["kind"] for i in my_notifications(client, "v01", unread=1)["items"]] == ["task"]
    # someone else's: 403, and it stays unread for its owner
    v02_item = my_notifications(client, "v02")["items"][0]["id"]
    assert_error(client.post(f"{API}/notifications/{v02_item}/read", headers=login(client, "v01")), 403)
    assert my_notifications(client, "v02")["unread"] == 2
    assert_error(client.post(f"{API}/notifications/999999/read", headers=login(client, "v01")), 404)
    r = client.post(f"{API}/notifications/read-all", headers=login(client, "v01"))
    assert r.get_json() == {"read": 1, "unread": 0}
    assert my_notifications(client, "v01")["unread"] == 0 and my_notifications(client, "v02")["unread"] == 2
    assert_error(client.get(f"{API}/notifications"), 401)


def test_settings_refuse_bad_values_naming_the_field_and_change_nothing(org, client):
    h = login(client, "clerk")
    before = client.get(f"{API}/me/settings", headers=h).get_json()
    assert before["email"] is None and before["language"] == "zh"
    assert before["preferences"]["task"] == {"email": True, "webhook": False}
    assert before["preferences"]["cc"]["email"] is False
    for body, field in [({"email": "nope"}, "email"), ({"mobile": "abc"}, "mobile"), ({"language": "fr"}, "language"),
                        ({"preferences": {"party": {"email": True}}}, "preferences.party"),
                        ({"preferences": {"task": {"sms": True}}}, "preferences.task.sms"),
                        ({"preferences": {"task": {"email": "yes"}}}, "preferences.task.email"),
                        ({"colour": "red"}, "colour")]:
        err = assert_error(client.patch(f"{API}/me/settings", json={"mobile": "13800138000", **body}, headers=h),
                           422, "validation_failed")
        assert field in err["fields"], (body, err)
    assert client.get(f"{API}/me/settings", headers=h).get_json() == before
    r = client.patch(f"{API}/me/settings", json={"email": "zs@example.com", "language": "en",
                                                 "preferences": {"cc": {"email": True}}}, headers=h)
    assert r.status_code == 200
    after = r.get_json()
    assert after["email"] == "zs@example.com" and after["language"] == "en" and after["preferences"]["cc"]["email"]
    assert client.get(f"{API}/me", headers=h).get_json()["locale"] == "en"


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_feed_lists_open_tasks_with_due_dates_as_rfc5545_events(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    start(client, "clerk")  # a second task without a due date: not in the feed
    tid = task_of(client, "sales_lead", iid)
    due = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.id == tid).values(due_at=due))
        s.execute(update(ProcessInstance).where(ProcessInstance.id == iid).values(title="采购; 服务器, 2台\n加急" * 3))
    h = login(client, "sales_lead")
    r = client.get(f"{API}/me/calendar.ics", headers=h)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    raw = r.get_data()
    text = raw.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    event = lines[lines.index("BEGIN:VEVENT"):lines.index("END:VEVENT")]
    props = dict(line.split(":", 1) for line in event[:event.index("BEGIN:VALARM")] if ":" in line)
    assert props["DTEND"] == "20300506T070809Z"
    assert props["DTSTART"] == (due - timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
    assert props["UID"].startswith(f"task-{tid}@")
    assert props["SUMMARY"] == "sup：" + "采购\\; 服务器\\, 2台\\n加急" * 3 and props["URL"].endswith(f"/tasks/{tid}")
    # the personal token works without a bearer; a wrong one is 401; someone else sees their own feed
    token = client.get(f"{API}/me/settings", headers=h).get_json()["feed_token"]
    assert client.get(f"{API}/me/calendar.ics", query_string={"token": token}).get_data().count(b"BEGIN:VEVENT") == 1
    assert_error(client.get(f"{API}/me/calendar.ics", query_string={"token": "x" * 32}), 401)
    other = client.get(f"{API}/me/calendar.ics", headers=login(client, "clerk")).get_data(as_text=True)
    assert "BEGIN:VEVENT" not in other
    # a new token: the old link stops working
    assert client.post(f"{API}/me/feed-token", headers=h).get_json()["feed_token"] != token
    assert_error(client.get(f"{API}/me/calendar.ics", query_string={"token": token}), 401)


def test_due_soon_is_told_once(org, client):
    from notify import derive

    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.id == tid).values(
            due_at=datetime.now(UTC) + timedelta(hours=3)))
    for _ in range(2):
        with org.db.uow(write=True) as s:
            derive.due_soon(s)
    rows = outbox(org, kind="due_soon", channel="inapp")
    assert [(org.name_of(n.recipient_id), n.task_id) for n in rows] == [("sales_lead", tid)]
    assert my_notifications(client, "sales_lead")["items"][0]["subject"].startswith("即将到期")
