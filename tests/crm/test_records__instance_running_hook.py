"""crm/ asks the engine whether a ticket's process instance runs through the function the
composition root wires (app.wire: engine.instances.is_running); unwired, it refuses loudly."""
from __future__ import annotations

import pytest

from app import wire
from core.errors import ValidationFailed
from crm import records as rs
from crm.records import ServiceTicket


@pytest.fixture
def ticket(org):
    return rs.create(org.db, org["clerk"], "ticket", {"complainant": "刘先生", "content": "无法登录"})


def _link(org, ticket_id: int, instance_id: int) -> None:
    with org.db.uow(write=True) as s:
        s.get(ServiceTicket, ticket_id).instance_id = instance_id


def test_unwired_the_api_change_of_a_ticket_fails_loudly(org, ticket):
    rs.set_instance_running_check(None)
    try:
        with pytest.raises(RuntimeError, match="set_instance_running_check"):
            rs.update(org.db, org["clerk"], "ticket", ticket["id"], {"status": "closed"})
    finally:
        wire()
    assert rs.get(org.db, org["clerk"], "ticket", ticket["id"])["status"] == "open"


def test_the_wired_check_is_asked_with_the_ticket_instance(org, ticket):
    asked = []

    def running(s, instance_id):
        asked.append(instance_id)
        return True

    _link(org, ticket["id"], 41)
    rs.set_instance_running_check(running)
    try:
        with pytest.raises(ValidationFailed) as e:
            rs.update(org.db, org["clerk"], "ticket", ticket["id"], {"status": "closed", "remark": "x"})
    finally:
        wire()
    assert asked == [41] and set(e.value.fields) == {"status"}


def test_the_engine_answers_for_an_instance_it_does_not_know(org, ticket):
    _link(org, ticket["id"], 999999)  # no such instance: not running, the API may change the ticket
    assert rs.update(org.db, org["clerk"], "ticket", ticket["id"], {"status": "closed"})["status"] == "closed"


def test_create_app_wires_the_engine_check(org):
    from app import create_app
    from crm.records import instances
    from engine.instances import is_running

    rs.set_instance_running_check(None)
    try:
        create_app({"DATABASE": org.db, "SECRET_KEY": "test", "TESTING": True})
        assert instances._instance_running is is_running
    finally:
        wire()
