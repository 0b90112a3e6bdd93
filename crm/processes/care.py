"""Process functions of 客户关怀任务 (bpmn/customer_care.bpmn; see crm/processes/__init__.py): the
task opens for the reminder's owner, who records the care action (optionally written back as a
contact record) or says it is not needed. Each wraps crm/care.py in the step's transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import care
from crm.processes.call import Call
from db.base import utcnow


def care_open(call: Call, customer_id: Any, kind: Any, reminder: Any = None, due_on: Any = None) -> dict[str, Any]:
    return care.open_task(call.session, call.initiator_id, call.instance_id, customer_id, kind, reminder, due_on)


def undo_care_open(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    care.release(call.session, call.instance_id)
    return {"released": True}


def care_finish(call: Call, way: Any, content: Any, write_record: Any = False) -> dict[str, Any]:
    return care.finish(call.session, call.instance_id, way, content, write_record, utcnow())


def care_dismiss(call: Call, reason: Any) -> dict[str, Any]:
    return care.dismiss(call.session, call.instance_id, reason, utcnow())


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.care.open": care_open,
    "crm.care.finish": care_finish,
    "crm.care.dismiss": care_dismiss,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.care.open": undo_care_open}
