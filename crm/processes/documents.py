"""Registered functions of the 公文 processes (发文 / 收文 / 归档, bpmn/library/doc_*.bpmn; see
crm/processes/__init__.py). They keep the document register (crm/documents.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import documents
from crm.processes.call import Call


def issue_outgoing(call: Call, title: Any, doc_type: Any) -> dict[str, Any]:
    """Signed: give the outgoing document its 发文字号 and register it as issued."""
    return documents.issue_outgoing(call.session, title, doc_type, call.instance_id, call.initiator_id)


def register_incoming(call: Call, title: Any, sender: Any, external_number: Any) -> dict[str, Any]:
    """A received document gets its 收文编号 when the instance starts."""
    return documents.register_incoming(call.session, title, sender, external_number, call.instance_id,
                                       call.initiator_id)


def undo_register_incoming(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """A withdrawn registration is declined (the number stays used: registers have no gaps)."""
    doc_id = result.get("document_id") if isinstance(result, dict) else None
    return documents.conclude_incoming(call.session, doc_id, "declined")


def conclude_incoming(call: Call, document_id: Any, status: Any) -> dict[str, Any]:
    return documents.conclude_incoming(call.session, document_id, status)


def check_archivable(call: Call, document_id: Any) -> dict[str, Any]:
    return documents.check_archivable(call.session, document_id)


def archive(call: Call, document_id: Any, archive_ref: Any, retention: Any) -> dict[str, Any]:
    return documents.archive(call.session, document_id, archive_ref, retention)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.document.issue_outgoing": issue_outgoing,
    "crm.document.register_incoming": register_incoming,
    "crm.document.conclude_incoming": conclude_incoming,
    "crm.document.check_archivable": check_archivable,
    "crm.document.archive": archive,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.document.register_incoming": undo_register_incoming}
