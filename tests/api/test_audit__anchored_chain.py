"""The audit chain is anchored outside the database (issue 11): an event rewritten with a
recomputed plain hash fails on its HMAC, a tail deleted after a checkpoint fails against the
checkpoint, `GET /process-instances/{id}/audit/verify` and `app.py verify-audit` name the first
broken link, and on PostgreSQL the database itself refuses UPDATE and DELETE on the audit tables."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from app import main as cli
from core import config, keyfile
from engine import audit, audit_anchor, tasks
from engine.models import AuditCheckpoint, AuditEvent
from tests.api.conftest import API, TWO_STEP, deploy, login, start, task_of


@pytest.fixture
def started(client, org):
    assert deploy(client, TWO_STEP).status_code == 201
    iid = start(client, "clerk", "two_step", {"note": "x"})
    tasks.approve(org.db, org["sales_lead"], task_of(client, "sales_lead", iid), "同意")
    return iid


def _verify(client, iid):
    r = client.get(f"{API}/process-instances/{iid}/audit/verify", headers=login(client, "clerk"))
    assert r.status_code == 200
    return r.get_json()


def _newest(s, iid):
    return s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid)
                     .order_by(AuditEvent.seq.desc()).limit(1)).one()


def test_every_event_carries_an_hmac_with_the_key_outside_the_database(client, org, started):
    with org.db.uow() as s:
        evs = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == started)))
    assert evs and all(e.mac == audit_anchor.event_mac(started, e.seq, e.hash) for e in evs)
    assert all(e.mac != e.hash for e in evs)
    ok = _verify(client, started)
    assert ok["ok"] is True and ok["events"] == len(evs) and set(ok) >= {"ok", "events", "head", "checkpoint"}


def test_rewriting_the_newest_event_and_recomputing_its_hash_fails_at_that_event(client, org, started):
    with org.db.uow(write=True) as s:
        ev = _newest(s, started)
        ev.comment = "篡改"
        ev.hash = audit._digest(ev.prev_hash, ev.seq, audit._naive_utc(ev.at), ev.actor_id, ev.action, ev.node_id,
                                ev.task_id, ev.comment, ev.detail or {})
        seq = ev.seq
    bad = _verify(client, started)
    assert bad["ok"] is False and bad["first_bad"] == seq and bad["missing_tail"] is False
    url = org.db.engine.url.render_as_string(hide_password=False)
    assert cli(["--database-url", url, "verify-audit"]) == 1


def test_a_mac_removed_from_a_keyed_chain_is_a_broken_link(client, org, started):
    with org.db.uow(write=True) as s:
        _newest(s, started).mac = None
    assert _verify(client, started)["ok"] is False


def test_deleting_the_newest_event_after_a_checkpoint_is_a_missing_tail(client, org, started, capsys):
    url = org.db.engine.url.render_as_string(hide_password=False)
    assert cli(["--database-url", url, "audit-checkpoint"]) == 0
    assert "1 instance head(s) checkpointed" in capsys.readouterr().out
    assert audit_anchor.checkpoint(org.db) == 0, "nothing grew: nothing written"
    good = _verify(client, started)
    assert good["ok"] is True and good["checkpoint"]["seq"] == good["events"]
    with org.db.uow(write=True) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.instance_id == started, AuditEvent.seq == good["events"]))
    bad = _verify(client, started)
    assert bad["ok"] is False and bad["missing_tail"] is True and bad["first_bad"] == good["events"]
    assert bad["events"] == good["events"] - 1
    assert cli(["--database-url", url, "verify-audit"]) == 1
    assert f"BROKEN at event {good['events']}" in capsys.readouterr().out


def test_a_forged_checkpoint_does_not_verify(client, org, started):
    audit_anchor.checkpoint(org.db)
    with org.db.uow(write=True) as s:
        s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.instance_id == started)).one().head = "f" * 64
    assert _verify(client, started)["ok"] is False


def test_the_tick_checkpoints_at_most_hourly(org, client, started):
    audit_anchor._last_checkpoint = 0.0
    assert audit_anchor.checkpoint_if_due(org.db) == 1
    tasks.approve(org.db, org["v01"], task_of(client, "v01", started), "同意")
    assert audit_anchor.checkpoint_if_due(org.db) == 0, "within the hour: not again"
    audit_anchor._last_checkpoint = 0.0  # another process: the database's last checkpoint says the same
    assert audit_anchor.checkpoint_if_due(org.db) == 0


def test_the_key_file_is_created_once_with_mode_0600(tmp_path):
    conf = config.load({"LIUZHUAN_INSTANCE_DIR": str(tmp_path)})
    assert conf.audit_key is None and conf.audit_key_file == tmp_path / "audit_key"
    first = keyfile.read_or_create(conf.audit_key_file)
    assert stat.S_IMODE(os.stat(conf.audit_key_file).st_mode) == 0o600
    assert keyfile.read_or_create(conf.audit_key_file) == first and len(first) >= 60
    assert config.load({"LIUZHUAN_AUDIT_KEY": "k" * 40}).audit_key == "k" * 40


@pytest.mark.parametrize("any_db", ["postgresql"], indirect=True)  # the append-only trigger is PostgreSQL's
def test_postgresql_refuses_update_and_delete_on_the_audit_tables(any_org):
    from engine import instances
    from tests.bpmn_factory import chain, user_task
    from tests.engine import helpers as h

    key = h.deploy(any_org, chain("append_only", [user_task("a", "any", "users", "v01")]))
    iid = h.start(any_org, "clerk", key)
    audit_anchor.checkpoint(any_org.db)
    for stmt in (f"UPDATE audit_event SET comment = 'x' WHERE instance_id = {iid}",
                 f"DELETE FROM audit_event WHERE instance_id = {iid}",
                 f"DELETE FROM audit_checkpoint WHERE instance_id = {iid}"):
        with pytest.raises(DBAPIError, match="append-only"):
            with any_org.db.uow(write=True) as s:
                s.execute(text(stmt))
    assert instances.verify_audit(any_org.db, iid)
