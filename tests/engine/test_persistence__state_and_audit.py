"""Serialized state stores the spec by reference; the audit trail is a verifiable hash chain."""
from __future__ import annotations

import json

from sqlalchemy import delete, select

from engine import instances
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


def test_instance_state_does_not_embed_the_spec(org):
    key = h.deploy(org, chain("byref", [user_task("a", "any", "users", "v01"), user_task("b", "any", "users", "v02")]))
    i1, i2 = h.start(org, "clerk", key), h.start(org, "clerk2", key)
    with org.db.uow() as s:
        d = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)).one()
        spec = json.loads(d.spec_json)
        assert "task_specs" in spec["spec"]
        for iid in (i1, i2):
            state = json.loads(s.get(ProcessInstance, iid).state)
            assert "spec" not in state and "subprocess_specs" not in state
            assert "task_specs" not in s.get(ProcessInstance, iid).state
            assert len(s.get(ProcessInstance, iid).state) < len(d.spec_json) * 3


def test_each_step_survives_a_save_and_reload(org):
    """Every use case reloads the workflow from the database: a multi-step run proves the round trip."""
    key = h.deploy(org, chain("rt", [user_task("a", "all", "users", "v01,v02"), user_task("b", "any", "users", "v03")],
                              route_last=True))
    iid = h.start(org, "clerk", key, {"amount": 12.5, "lines": [{"x": 1}]})
    with org.db.uow() as s:
        before = s.get(ProcessInstance, iid).revision
    h.approve(org, "v01", iid)
    h.approve(org, "v02", iid)
    h.approve(org, "v03", iid)
    inst = h.instance(org, iid)
    assert inst["status"] == "completed" and inst["data"]["lines"] == [{"x": 1}] and inst["data"]["amount"] == 12.5
    with org.db.uow() as s:
        assert s.get(ProcessInstance, iid).revision == before + 3


def test_business_keys_use_the_process_prefix_and_count_per_year(org):
    key = h.deploy(org, chain("keys", [user_task("a", "any", "users", "v01")], prefix="QJ"))
    keys = [instances.start_process(org.db, org["clerk"], key, {})["business_key"] for _ in range(3)]
    year = keys[0].split("-")[1]
    assert keys == [f"QJ-{year}-000001", f"QJ-{year}-000002", f"QJ-{year}-000003"]


def test_audit_chain_detects_a_changed_or_removed_event(org):
    key = h.deploy(org, chain("audit", [user_task("a", "any", "users", "v01")]))
    iid = h.start(org, "clerk", key)
    h.approve(org, "v01", iid, "原始意见")
    assert instances.verify_audit(org.db, iid)
    with org.db.uow(write=True) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.action == "approve")).one()
        ev.comment = "篡改后的意见"
    assert not instances.verify_audit(org.db, iid)
    with org.db.uow(write=True) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.action == "approve")).one()
        ev.comment = "原始意见"
    assert instances.verify_audit(org.db, iid)
    with org.db.uow(write=True) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.seq == 2))
    assert not instances.verify_audit(org.db, iid)
