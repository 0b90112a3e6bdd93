"""客户流失预警 with an injected clock (no real waiting): the routine opens one warning per customer
with no contract for six months (configurable), as a customer_churn instance whose task is the
salesperson's; ignored for a week it moves to their supervisor (the deadline, fired by the tick at a
later `now`); 确认流失 sets the status 流失客户; 暂缓 needs a reason and keeps the customer quiet until
its date, after which the routine warns again."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.config import RoutineSettings
from core.errors import ValidationFailed
from crm import records
from crm.records import ChurnWatch, Contract, Customer
from db.base import utcnow
from engine import tasks, timers
from engine.design import definitions
from routines import churn as routine
from routines import runner
from tests.engine.helpers import instance, open_assignees, task_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "customer_churn.bpmn").read_bytes()


@pytest.fixture
def customers(org):
    definitions.deploy(org.db, XML, org["admin"])
    quiet = records.create(org.db, org["clerk"], "customer", {"name": "久未合作公司"})["id"]
    busy = records.create(org.db, org["clerk"], "customer", {"name": "常合作公司"})["id"]
    fresh = records.create(org.db, org["clerk2"], "customer", {"name": "新客户"})["id"]
    lost = records.create(org.db, org["clerk"], "customer", {"name": "已流失公司", "status": "流失客户"})["id"]
    records.create(org.db, org["clerk"], "contract", {"customer": busy, "title": "续约"})
    old = records.create(org.db, org["clerk"], "contract", {"customer": quiet, "title": "老合同"})["id"]
    with org.db.uow(write=True) as s:  # entered eight months ago; the quiet one's last contract seven months ago
        for cid in (quiet, busy, lost):
            s.get(Customer, cid).created_at = utcnow() - timedelta(days=240)
        s.get(Contract, old).created_at = utcnow() - timedelta(days=210)
    return {"quiet": quiet, "busy": busy, "fresh": fresh, "lost": lost}


def confirm(org, user, iid):
    """Approve = 确认流失."""
    return tasks.approve(org.db, org[user], task_of(org, user, iid), "确认流失")


def snooze(org, user, iid, reason):
    """Reject = 暂缓, the comment its reason."""
    return tasks.reject(org.db, org[user], task_of(org, user, iid), reason)


def test_the_routine_warns_the_salesperson_once_per_quiet_customer(org, customers):
    [iid] = routine.scan(org.db, months=6)
    inst = instance(org, iid)
    assert inst["data"]["customer_id"] == customers["quiet"] and inst["business_key"].startswith("LS-")
    assert inst["data"]["open_warning"]["result"]["name"] == "久未合作公司"
    assert open_assignees(org, iid) == {"owner_decision": {"clerk"}}
    assert routine.scan(org.db, months=6) == [], "one open warning per customer"
    assert routine.scan(org.db, months=12) == [], "configurable: a year is not over"


def test_in_seven_months_the_new_customer_is_quiet_too(org, customers):
    later = utcnow() + timedelta(days=7 * 31)
    started = routine.scan(org.db, months=6, now=later)
    about = {instance(org, i)["data"]["customer_id"] for i in started}
    assert about == {customers["quiet"], customers["busy"], customers["fresh"]}, "not the lost one"
    fresh = next(i for i in started if instance(org, i)["data"]["customer_id"] == customers["fresh"])
    assert open_assignees(org, fresh) == {"owner_decision": {"clerk2"}}


def test_ignored_it_goes_to_the_supervisor_who_confirms_the_loss(org, customers):
    [iid] = routine.scan(org.db, months=6)
    assert timers.fire_due_timers(org.db, now=utcnow() + timedelta(days=6)) == 0, "not yet"
    assert timers.fire_due_timers(org.db, now=utcnow() + timedelta(days=8)) == 1
    assert open_assignees(org, iid) == {"owner_decision": {"sales_lead"}}, "escalated to the supervisor"
    confirm(org, "sales_lead", iid)
    inst = instance(org, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_lost")
    assert records.get(org.db, org["clerk"], "customer", customers["quiet"])["status"] == "流失客户"
    later = routine.scan(org.db, months=6, now=utcnow() + timedelta(days=400))
    assert customers["quiet"] not in {instance(org, i)["data"]["customer_id"] for i in later}, "lost: not warned again"
    assert customers["busy"] in {instance(org, i)["data"]["customer_id"] for i in later}


def test_a_snooze_needs_a_reason_and_lasts_until_its_date(org, customers):
    [iid] = routine.scan(org.db, months=6)
    with pytest.raises(ValidationFailed):
        snooze(org, "clerk", iid, "")
    assert open_assignees(org, iid) == {"owner_decision": {"clerk"}}, "nothing changed"
    snooze(org, "clerk", iid, "客户在做年度预算，下季度再谈")
    assert instance(org, iid)["end_event"] == "end_snoozed"
    with org.db.uow() as s:
        watch = s.query(ChurnWatch).filter_by(customer_id=customers["quiet"]).one()
        assert watch.snoozed_until == utcnow().date() + timedelta(days=30) and watch.reason.startswith("客户")
    assert routine.scan(org.db, months=6, now=utcnow() + timedelta(days=10)) == [], "snoozed"
    [again] = routine.scan(org.db, months=6, now=utcnow() + timedelta(days=31))
    assert instance(org, again)["data"]["customer_id"] == customers["quiet"], "warned again after the snooze"


def test_the_snooze_lasts_as_configured(org, customers):
    [iid] = routine.scan(org.db, months=6)
    with org.db.uow(write=True) as s:
        from crm import churn

        churn.snooze(s, customers["quiet"], "年底再谈", None, utcnow().date(), default_days=90)
    snooze(org, "clerk", iid, "x")  # the process's own snooze: LIUZHUAN_CHURN_SNOOZE_DAYS (30) from today
    with org.db.uow() as s:
        assert s.query(ChurnWatch).filter_by(customer_id=customers["quiet"]).one().snoozed_until == \
            utcnow().date() + timedelta(days=30)
    with org.db.uow(write=True) as s:
        with pytest.raises(ValidationFailed) as refused:
            churn.snooze(s, customers["quiet"], "x", utcnow().date().isoformat(), utcnow().date(), 30)
    assert "snooze_until" in str(refused.value.fields), "a snooze date is after today"


def test_the_tick_runs_the_routine_at_most_once_per_interval(org, customers):
    conf = RoutineSettings(churn_months=6, interval=3600)
    now = utcnow() + timedelta(days=7 * 31)
    assert runner.tick(org.db, now, conf, force=True) == {"churn": 3, "reminders": 0, "care": 0, "trials": 0}
    assert runner.tick(org.db, now + timedelta(minutes=10), conf) == {}, "not due yet"
    assert runner.tick(org.db, now + timedelta(hours=2), conf)["churn"] == 0, "due; nothing new"


def test_a_salesperson_may_open_a_warning_by_hand_for_their_own_customer_only(org, customers):
    from engine.instances import start_process

    with pytest.raises(ValidationFailed):
        start_process(org.db, org["clerk2"], "customer_churn", {"customer_id": customers["quiet"]})
    iid = start_process(org.db, org["clerk"], "customer_churn", {"customer_id": customers["busy"]})["id"]
    assert open_assignees(org, iid) == {"owner_decision": {"clerk"}}
