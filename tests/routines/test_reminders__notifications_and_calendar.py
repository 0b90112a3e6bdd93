"""客户关怀 / 首访 / 生日 reminders with an injected clock: what is due in the next days (a contact's
birthday, a contact record's next date, a first visit after a sale, an opportunity's closing date)
becomes one notification for the right person — once, however often the routine runs — and an
entry of their calendar feed; a first visit recorded ends its reminder."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from crm import records
from db.base import utcnow
from notify import calendar, service
from notify.models import Notification
from routines import reminders


def _rows(org, user):
    with org.db.uow() as s:
        return [(n.payload["reminder"], n.payload["due_on"], n.payload["title"]) for n in s.scalars(
            select(Notification).where(Notification.recipient_id == org[user], Notification.kind == "reminder",
                                       Notification.channel == "inapp").order_by(Notification.id))]


def _setup(org, today: date):
    customer = records.create(org.db, org["clerk"], "customer", {"name": "甲测绘院"})["id"]
    in_two = today + timedelta(days=2)
    records.create(org.db, org["clerk"], "contact", {"customer": customer, "name": "王经理",
                                                     "birthday": in_two.replace(year=1980).isoformat()
                                                     if not (in_two.month == 2 and in_two.day == 29) else None})
    records.create(org.db, org["clerk2"], "contact", {"customer": records.create(
        org.db, org["clerk2"], "customer", {"name": "乙公司"})["id"], "name": "李工",
        "birthday": (today + timedelta(days=100)).replace(day=1, year=1975).isoformat()})
    records.create(org.db, org["clerk"], "contact_record", {
        "customer": customer, "date": today.isoformat(), "way": "电话", "content": "约了下次拜访",
        "next_step": "上门演示", "next_date": (today + timedelta(days=1)).isoformat()})
    other = records.create(org.db, org["clerk"], "customer", {"name": "丙燃气"})["id"]
    contract = records.create(org.db, org["admin"], "contract", {
        "customer": other, "title": "燃气管网", "owner": "clerk", "status": "signed",
        "start_date": (today - timedelta(days=10)).isoformat()})["id"]
    return customer, other, contract


def test_due_reminders_reach_the_right_people_once(org):
    today = utcnow().date()
    customer, other, _ = _setup(org, today)
    told = reminders.run(org.db, days=3)
    kinds = sorted(k for k, _, _ in _rows(org, "clerk"))
    in_two = today + timedelta(days=2)
    expected = ["first_visit", "next_contact"] + ([] if (in_two.month, in_two.day) == (2, 29) else ["birthday"])
    assert kinds == sorted(expected) and told == len(expected)
    assert _rows(org, "clerk2") == [], "李工's birthday is months away; nothing else is clerk2's"
    assert reminders.run(org.db, days=3) == 0, "the same reminder is not sent twice"
    titles = [t for _, _, t in _rows(org, "clerk")]
    assert any("上门演示" in t for t in titles) and any("首访丙燃气" in t for t in titles)


def test_a_birthday_is_announced_days_ahead_by_the_injected_clock(org):
    today = utcnow().date()
    customer = records.create(org.db, org["clerk"], "customer", {"name": "甲测绘院"})["id"]
    birthday = date(1980, 7, 20)
    records.create(org.db, org["clerk"], "contact", {"customer": customer, "name": "王经理",
                                                     "birthday": birthday.isoformat()})
    year = today.year + 1
    before = utcnow().replace(year=year, month=7, day=10)
    assert reminders.run(org.db, days=3, now=before) == 0, "ten days ahead: not yet"
    assert reminders.run(org.db, days=3, now=before + timedelta(days=8)) == 1
    assert _rows(org, "clerk") == [("birthday", f"{year}-07-20", "王经理（甲测绘院）7月20日生日")]


def test_a_recorded_visit_ends_the_first_visit_reminder_and_the_calendar_shows_reminders(org):
    today = utcnow().date()
    _, other, _ = _setup(org, today)
    records.create(org.db, org["clerk"], "contact_record", {
        "customer": other, "date": today.isoformat(), "way": "上门拜访", "content": "首访完成"})
    reminders.run(org.db, days=3)
    assert "first_visit" not in [k for k, _, _ in _rows(org, "clerk")]
    feed = service.calendar_feed(org.db, org["clerk"])
    unfolded = feed.replace("\r\n ", "")
    assert "UID:reminder-" in unfolded and "SUMMARY:提醒：联系甲测绘院：上门演示" in unfolded
    assert "UID:reminder-" not in service.calendar_feed(org.db, org["clerk2"]), "nobody else's reminders"
    assert calendar.PRODID in feed


def test_an_assigned_opportunity_reminds_its_salesperson_of_its_closing_date(org):
    today = utcnow().date()
    o = records.create(org.db, org["clerk"], "opportunity", {
        "customer_name": "甲", "summary": "平台升级", "probability": 50,
        "due_date": (today + timedelta(days=2)).isoformat()})
    assert reminders.run(org.db, days=3) == 0, "unassigned: nobody's yet"
    from crm import opportunities

    with org.db.uow(write=True) as s:
        opportunities.assign(s, o["id"], "clerk2")
    assert reminders.run(org.db, days=3) == 1
    assert [k for k, _, _ in _rows(org, "clerk2")] == ["opportunity"]
    listed = service.list_mine(org.db, org["clerk2"], 0, 10)
    assert "平台升级" in str(listed)


def test_a_next_contact_of_a_deactivated_writer_reminds_the_customers_owner(org):
    """clerk2 wrote a next step for a customer that is now clerk's; clerk2 leaves (deactivated): the
    reminder goes to clerk, who owns the customer, instead of to nobody who reads it."""
    from crm import org as org_service

    today = utcnow().date()
    customer = records.create(org.db, org["clerk"], "customer", {"name": "丁能源"})["id"]
    with org.db.uow(write=True) as s:
        from crm.records import ContactRecord

        s.add(ContactRecord(customer_id=customer, date=today, way="电话", content="报价", next_step="回访报价",
                            next_date=today + timedelta(days=1), created_by_id=org["clerk2"], created_at=utcnow()))
    with org.db.uow(write=True) as s:
        org_service.get_user(s, org["clerk2"]).active = False
    assert reminders.run(org.db, days=3) == 1
    assert [(k, t) for k, _, t in _rows(org, "clerk")] == [("next_contact", "联系丁能源：回访报价")]
    assert _rows(org, "clerk2") == []
