"""客户关怀 / 首访 / 生日 reminders as tasks, where configured (issue 15), with an injected clock: by
default a due reminder is only a notification; once an administrator switches its kind on in the
data dictionary (提醒生成关怀任务), the routine on the timer tick also opens one customer_care task
for the reminder's owner — never a second one for the same reminder, however often it runs — and
the owner records the care action (written back as a contact record) or says it is not needed."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.config import RoutineSettings
from core.errors import Forbidden, ValidationFailed
from crm import care, records
from crm import reminders as crm_reminders
from crm.admin import options
from crm.records import ContactRecord
from crm.records.models import CareTask
from db.base import utcnow
from engine import instances, tasks
from engine.design import definitions
from routines import care as routine
from routines import reminders, runner
from tests.engine.helpers import instance, open_assignees, task_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "customer_care.bpmn").read_bytes()


@pytest.fixture
def due(org):
    """A contact of the clerk's customer has a birthday on 20 July; a contact record of the clerk
    says to call another customer again on 10 August."""
    definitions.deploy(org.db, XML, org["admin"])
    birthday = records.create(org.db, org["clerk"], "customer", {"name": "甲测绘院"})["id"]
    records.create(org.db, org["clerk"], "contact", {"customer": birthday, "name": "王经理", "birthday": "1980-07-20"})
    call = records.create(org.db, org["clerk2"], "customer", {"name": "乙燃气"})["id"]
    year = utcnow().year + 1
    records.create(org.db, org["clerk2"], "contact_record", {
        "customer": call, "date": utcnow().date().isoformat(), "way": "电话", "content": "报价已发",
        "next_step": "回访报价意见", "next_date": date(year, 8, 10).isoformat()})
    return {"birthday": birthday, "call": call, "year": year}


def switch_on(org, *kinds: str) -> None:
    for kind in kinds:
        options.save_entry(org.db, org["admin"], care.CATEGORY, kind, {"active": True})


def at(year: int, month: int, day: int):
    return utcnow().replace(year=year, month=month, day=day, hour=9)


def _count(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(CareTask)) or 0


def test_not_configured_a_reminder_is_only_a_notification(org, due):
    now = at(due["year"], 7, 18)
    assert reminders.run(org.db, days=3, now=now) == 1
    assert routine.open_tasks(org.db, days=3, now=now) == [] and _count(org) == 0
    with org.db.uow() as s:
        assert care.configured(s) == set(), "shipped: no kind opens a task"


def test_switched_on_a_due_birthday_opens_one_task_for_the_owner(org, due):
    switch_on(org, "birthday")
    assert routine.open_tasks(org.db, days=3, now=at(due["year"], 7, 10)) == [], "ten days ahead: not yet"
    now = at(due["year"], 7, 18)
    [iid] = routine.open_tasks(org.db, days=3, now=now)
    inst = instance(org, iid)
    assert inst["business_key"].startswith("GH-")
    assert (inst["data"]["customer_id"], inst["data"]["care_kind"], inst["data"]["due_on"]) == (
        due["birthday"], "birthday", f"{due['year']}-07-20")
    assert inst["data"]["open_care"]["result"]["name"] == "甲测绘院"
    assert open_assignees(org, iid) == {"owner_care": {"clerk"}}
    # once per reminder: the next ticks (and the next days before the birthday) open nothing
    assert routine.open_tasks(org.db, days=3, now=now) == []
    assert routine.open_tasks(org.db, days=3, now=now + timedelta(days=1)) == []
    assert _count(org) == 1
    # the next contact (another kind, not switched on) opens nothing in August
    assert routine.open_tasks(org.db, days=3, now=at(due["year"], 8, 8)) == []
    # a year later it is another birthday: another task
    assert len(routine.open_tasks(org.db, days=3, now=at(due["year"] + 1, 7, 18))) == 1


def test_the_owner_records_the_care_and_it_becomes_a_contact_record(org, due):
    switch_on(org, "birthday", "next_contact")
    [iid] = routine.open_tasks(org.db, days=3, now=at(due["year"], 8, 8))
    assert open_assignees(org, iid) == {"owner_care": {"clerk2"}}, "whoever wrote the contact record"
    tid = task_of(org, "clerk2", iid)
    with pytest.raises(ValidationFailed) as e:  # what was done is required
        tasks.approve(org.db, org["clerk2"], tid, "ok", data={"care_way": "电话"})
    assert any(k.endswith("care_content") for k in e.value.fields), e.value.fields
    tasks.approve(org.db, org["clerk2"], tid, "ok",
                  data={"care_way": "电话", "care_content": "电话回访，客户接受报价", "write_record": True})
    inst = instance(org, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_done")
    with org.db.uow() as s:
        task = s.scalar(select(CareTask).where(CareTask.instance_id == iid))
        assert (task.outcome, task.note, task.kind) == ("done", "电话回访，客户接受报价", "next_contact")
        rec = s.get(ContactRecord, task.contact_record_id)
        assert (rec.customer_id, rec.way, rec.content, rec.created_by_id) == (
            due["call"], "电话", "电话回访，客户接受报价", org["clerk2"])


def test_not_needed_needs_a_reason_and_writes_nothing_back(org, due):
    switch_on(org, "birthday")
    [iid] = routine.open_tasks(org.db, days=3, now=at(due["year"], 7, 19))
    before = _contact_records(org)
    tasks.reject(org.db, org["clerk"], task_of(org, "clerk", iid), "客户已离职")
    assert instance(org, iid)["end_event"] == "end_dismissed"
    with org.db.uow() as s:
        task = s.scalar(select(CareTask).where(CareTask.instance_id == iid))
        assert (task.outcome, task.note, task.contact_record_id) == ("dismissed", "客户已离职", None)
    assert _contact_records(org) == before


def _contact_records(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ContactRecord)) or 0


def test_a_withdrawn_task_may_open_again_and_the_tick_runs_the_routine(org, due):
    switch_on(org, "birthday")
    conf = RoutineSettings(churn_months=6, churn_snooze_days=30, reminder_days=3, interval=3600)
    out = runner.tick(org.db, now=at(due["year"], 7, 18), conf=conf, force=True)
    assert out["care"] == 1 and _count(org) == 1
    assert runner.tick(org.db, now=at(due["year"], 7, 18), conf=conf, force=True)["care"] == 0
    with org.db.uow() as s:
        iid = s.scalar(select(CareTask.instance_id))
    instances.withdraw(org.db, org["clerk"], iid)
    assert _count(org) == 0, "the withdrawn task's reminder is free again"
    assert runner.tick(org.db, now=at(due["year"], 7, 18), conf=conf, force=True)["care"] == 1


def test_only_admins_switch_it_on_and_only_the_offered_kinds_exist(org):
    with pytest.raises(Forbidden):
        options.save_entry(org.db, org["clerk"], care.CATEGORY, "birthday", {"active": True})
    with pytest.raises(ValidationFailed) as e:
        options.save_entry(org.db, org["admin"], care.CATEGORY, "anything", {"label_zh": "x", "label_en": "x"})
    assert "code" in e.value.fields
    switch_on(org, "first_visit")
    with org.db.uow() as s:
        assert care.configured(s) == {"first_visit"}


def test_a_salesperson_opens_a_care_task_by_hand(org):
    definitions.deploy(org.db, XML, org["admin"])
    cid = records.create(org.db, org["clerk"], "customer", {"name": "丙科技"})["id"]
    iid = instances.start_process(org.db, org["clerk"], "customer_care",
                                  {"customer_id": cid, "care_kind": "care", "care_title": "节日问候"})["id"]
    assert open_assignees(org, iid) == {"owner_care": {"clerk"}}
    with org.db.uow() as s:
        assert s.scalar(select(CareTask.ref).where(CareTask.instance_id == iid)) == f"manual:i{iid}"


def test_a_reminder_never_opens_two_tasks_on_either_database(any_org):
    """The same reminder started twice (two ticks racing): the second start is refused naming the
    reminder and rolls back whole; on SQLite and PostgreSQL."""
    org = any_org
    definitions.deploy(org.db, XML, org["admin"])
    cid = records.create(org.db, org["clerk"], "customer", {"name": "丁能源"})["id"]
    records.create(org.db, org["clerk"], "contact", {"customer": cid, "name": "陈总", "birthday": "1975-03-15"})
    switch_on(org, "birthday")
    year = utcnow().year + 1
    now = at(year, 3, 13)
    with org.db.uow() as s:
        [reminder] = care.to_open(s, crm_reminders.due(s, now.date(), 3))
    data = care.start_data(reminder)
    first = instances.start_process(org.db, org["clerk"], "customer_care", data)["id"]
    with pytest.raises(ValidationFailed) as e:
        instances.start_process(org.db, org["clerk"], "customer_care", data)
    assert any(k.endswith("reminder") for k in e.value.fields), e.value.fields
    assert routine.open_tasks(org.db, days=3, now=now) == [] and _count(org) == 1
    with org.db.uow() as s:
        assert s.scalar(select(CareTask.instance_id)) == first
    # and should two ticks pass that check at the same moment, the database refuses the second row
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), org.db.uow(write=True) as s:
        s.add(CareTask(ref=data["reminder"], kind="birthday", user_id=org["clerk"], customer_id=cid))
        s.flush()


def test_a_hand_start_cannot_claim_a_colleagues_reminder(org, due):
    """The clerk starts a care task by hand for their own customer, naming clerk2's next-contact
    reminder: refused at the reminder (nothing created), and clerk2's task still opens on the tick."""
    switch_on(org, "next_contact")
    now = at(due["year"], 8, 8)
    with org.db.uow() as s:
        [theirs] = [r for r in care.to_open(s, crm_reminders.due(s, now.date(), 3)) if r.kind == "next_contact"]
    claim = {"customer_id": due["birthday"], "care_kind": "next_contact", "care_title": "回访",
             "reminder": care.key_of(theirs)}
    with pytest.raises(ValidationFailed) as e:
        instances.start_process(org.db, org["clerk"], "customer_care", claim)
    assert any(k.endswith("reminder") for k in e.value.fields), e.value.fields
    with pytest.raises(ValidationFailed):  # nor with clerk2's own customer: the reminder is clerk2's
        instances.start_process(org.db, org["clerk"], "customer_care", {**claim, "customer_id": due["call"]})
    assert _count(org) == 0
    [iid] = routine.open_tasks(org.db, days=3, now=now)
    assert open_assignees(org, iid) == {"owner_care": {"clerk2"}}


def test_a_next_contact_whose_writer_left_opens_the_task_for_the_customers_owner(org):
    definitions.deploy(org.db, XML, org["admin"])
    switch_on(org, "next_contact")
    cid = records.create(org.db, org["clerk"], "customer", {"name": "戊水务"})["id"]
    year = utcnow().year + 1
    with org.db.uow(write=True) as s:
        s.add(ContactRecord(customer_id=cid, date=date(year, 1, 5), way="电话", content="报价", next_step="回访",
                            next_date=date(year, 8, 10), created_by_id=org["clerk2"], created_at=utcnow()))
    from crm import org as org_service

    with org.db.uow(write=True) as s:
        org_service.get_user(s, org["clerk2"]).active = False
    [iid] = routine.open_tasks(org.db, days=3, now=at(year, 8, 8))
    assert open_assignees(org, iid) == {"owner_care": {"clerk"}}
