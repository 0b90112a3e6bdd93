"""试用账号 expiry with an injected clock: an activated trial account cannot sign in after its last
day, and the trials routine deactivates it (its sessions end); an extension approved through
bpmn/trial_extension.bpmn moves the day and brings the account back; a rejected one changes nothing;
a request for a day not later than today and the current one is refused at start."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import ValidationFailed
from crm import org as crm_org
from crm.models import User
from db.base import utcnow
from engine.design import definitions
from engine.instances import start_process
from routines import trials
from tests.engine.helpers import approve, instance, reject

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PASSWORD = "trial-pass-123"


@pytest.fixture
def trial(org):
    for name in ("trial_account", "trial_extension"):
        definitions.deploy(org.db, (BPMN / f"{name}.bpmn").read_bytes(), org["admin"])
    last_day = utcnow().date() + timedelta(days=5)
    iid = start_process(org.db, org["clerk"], "trial_account", {"account": {
        "username": "trial.hb", "display_name": "刘试用", "company": "华北测绘院", "phone": "13812345678",
        "email": "liu@hbch.example.cn", "expires_on": last_day.isoformat()}})["id"]
    approve(org, "admin", iid)
    with org.db.uow(write=True) as s:
        user = crm_org.user_by_username(s, "trial.hb")
        crm_org.update_user(s, user.id, {"password": PASSWORD})
        assert (user.active, user.trial_expires_on) == (True, last_day)
    return last_day


def signs_in(org) -> bool:
    with org.db.uow() as s:
        return crm_org.authenticate(s, "trial.hb", PASSWORD) is not None


def state(org):
    with org.db.uow() as s:
        u = s.query(User).filter_by(username="trial.hb").one()
        return u.active, u.trial_expires_on


def extend(org, day, user="clerk"):
    return start_process(org.db, org[user], "trial_extension", {
        "username": "trial.hb", "expires_on": day.isoformat(), "reason": "客户还在评估"})["id"]


def test_an_expired_trial_cannot_sign_in_and_is_deactivated(org, trial):
    assert signs_in(org)
    assert trials.expire(org.db, now=utcnow() + timedelta(days=5)) == 0, "the last day is still a trial day"
    assert trials.expire(org.db, now=utcnow() + timedelta(days=6)) == 1
    assert state(org) == (False, trial) and not signs_in(org)
    assert trials.expire(org.db, now=utcnow() + timedelta(days=7)) == 0, "once"


def test_past_the_last_day_sign_in_is_refused_before_the_routine_runs(org, trial):
    with org.db.uow(write=True) as s:
        crm_org.user_by_username(s, "trial.hb").trial_expires_on = utcnow().date() - timedelta(days=1)
    assert state(org)[0] is True and not signs_in(org)


def test_an_approved_extension_brings_the_account_back(org, trial):
    trials.expire(org.db, now=utcnow() + timedelta(days=6))
    with org.db.uow(write=True) as s:  # the clock moves on: the account expired yesterday
        crm_org.user_by_username(s, "trial.hb").trial_expires_on = utcnow().date() - timedelta(days=1)
    later = utcnow().date() + timedelta(days=30)
    iid = extend(org, later)
    assert state(org)[0] is False, "nothing changes before the admin approves"
    approve(org, "admin", iid)
    assert instance(org, iid)["end_event"] == "end_extended"
    assert state(org) == (True, later) and signs_in(org)


def test_a_rejected_extension_changes_nothing(org, trial):
    iid = extend(org, utcnow().date() + timedelta(days=30))
    reject(org, "admin", iid, "试用期已经足够")
    assert instance(org, iid)["outcome"] == "rejected"
    assert state(org) == (True, trial)


def test_an_extension_moves_the_day_later(org, trial):
    for day in (utcnow().date(), trial, trial - timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            extend(org, day)
        assert "expires_on" in str(refused.value.fields)
    with pytest.raises(ValidationFailed) as refused:
        start_process(org.db, org["clerk"], "trial_extension", {
            "username": "clerk2", "expires_on": (trial + timedelta(days=9)).isoformat(), "reason": "x"})
    assert "username" in str(refused.value.fields), "clerk2 is not a trial account"
