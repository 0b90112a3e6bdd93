"""The document register (公文登记) the 公文 processes keep (bpmn/library/doc_*.bpmn):

    发文 doc_outgoing:  signed by the general manager -> `issue_outgoing` gives the 发文字号
                        (发〔2026〕001号) and registers it as `issued`
    收文 doc_incoming:  `register_incoming` at start gives the 收文编号 (`received`); the leader's
                        instruction makes it `handled` (circulated) or `declined` (不予办理)
    归档 doc_archive:   `check_archivable` at start, `archive` when the archivist files it
                        (档号, 保管期限) -> `archived`

Numbers come from crm/numbering.py under a row lock, so concurrent issues never share one.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, ValidationFailed
from crm import numbering
from crm.office_models import OfficialDocument
from db.base import utcnow
from db.session import lock_for_update

RETENTIONS = ("10年", "30年", "永久")


def describe(doc: OfficialDocument) -> dict[str, Any]:
    return {"document_id": doc.id, "number": doc.number, "title": doc.title, "status": doc.status,
            "direction": doc.direction, "archive_ref": doc.archive_ref, "retention": doc.retention}


def _text(value: Any, name: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{name} is required", {name: "is required"})
    return value.strip()[:limit]


def issue_outgoing(s: Session, title: Any, doc_type: Any, instance_id: int, actor_id: int) -> dict[str, Any]:
    number = numbering.issue(s, "document_out") + "号"
    doc = OfficialDocument(number=number, direction="outgoing", title=_text(title, "title"),
                           doc_type=doc_type if isinstance(doc_type, str) else None, status="issued",
                           instance_id=instance_id, created_by_id=actor_id)
    s.add(doc)
    s.flush()
    return describe(doc)


def register_incoming(s: Session, title: Any, sender: Any, external_number: Any, instance_id: int,
                      actor_id: int) -> dict[str, Any]:
    number = numbering.issue(s, "document_in") + "号"
    doc = OfficialDocument(number=number, direction="incoming", title=_text(title, "title"),
                           sender=_text(sender, "sender"),
                           external_number=external_number if isinstance(external_number, str) else None,
                           status="received", instance_id=instance_id, created_by_id=actor_id)
    s.add(doc)
    s.flush()
    return describe(doc)


def _locked(s: Session, document_id: Any, field: str = "document_id") -> OfficialDocument:
    doc = None
    if isinstance(document_id, int) and not isinstance(document_id, bool):
        doc = s.scalars(lock_for_update(select(OfficialDocument).where(OfficialDocument.id == document_id), s)
                        .execution_options(populate_existing=True)).first()
    if doc is None:
        raise ValidationFailed(f"no document {document_id!r}", {field: "no such document"})
    return doc


def conclude_incoming(s: Session, document_id: Any, status: Any) -> dict[str, Any]:
    """The leader's instruction on a received document: handled (circulated) or declined."""
    if status not in ("handled", "declined"):
        raise ValidationFailed(f"unknown status {status!r}", {"status": "handled, declined"})
    doc = _locked(s, document_id)
    if doc.status != "received":
        raise Conflict(f"document {doc.number} is {doc.status}", {"document_id": doc.status})
    doc.status = status
    s.flush()
    return describe(doc)


ARCHIVABLE = ("issued", "handled", "declined")


def check_archivable(s: Session, document_id: Any) -> dict[str, Any]:
    doc = _locked(s, document_id)
    if doc.status not in ARCHIVABLE:
        raise ValidationFailed(f"document {doc.number} is {doc.status}", {"document_id": "cannot be archived now"})
    return describe(doc)


def archive(s: Session, document_id: Any, archive_ref: Any, retention: Any) -> dict[str, Any]:
    if retention not in RETENTIONS:
        raise ValidationFailed(f"unknown retention {retention!r}", {"retention": ", ".join(RETENTIONS)})
    doc = _locked(s, document_id)
    if doc.status not in ARCHIVABLE:
        raise Conflict(f"document {doc.number} is {doc.status}", {"document_id": doc.status})
    doc.status, doc.archive_ref, doc.retention = "archived", _text(archive_ref, "archive_ref", 60), retention
    doc.archived_at = utcnow()
    s.flush()
    return describe(doc)


def archivable(s: Session) -> Any:
    """Picker query: (id, title, number) of the documents that may be archived."""
    return (select(OfficialDocument.id, OfficialDocument.title, OfficialDocument.number)
            .where(OfficialDocument.status.in_(ARCHIVABLE)).order_by(OfficialDocument.number))
