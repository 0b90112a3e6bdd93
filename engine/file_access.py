"""Who may download a stored file (issue 14): a file of an instance is read by those who may read
the instance and see its field (a field hidden from them at any of their steps, never; a signature
by every reader); an upload not yet submitted, only by its uploader."""
from __future__ import annotations

from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from core.errors import Forbidden
from crm import org
from db.session import Database
from engine import instances
from engine.models import ProcessInstance
from files import service as file_service
from files.models import StoredFile


def readable_file(s: Session, actor_id: int, file_id: Any) -> StoredFile:
    """The file, if `actor_id` may read it (NotFound for an unknown id, Forbidden otherwise)."""
    row = file_service.get(s, file_id)
    if row.record is not None:  # a record's file (issue 15): read through its record, under its rules
        raise Forbidden("read this file through its record", reason="file_forbidden")
    if row.instance_id is None:
        if row.uploaded_by != actor_id:
            raise Forbidden("this upload is not yours", reason="file_forbidden")
        return row
    inst = s.get(ProcessInstance, row.instance_id)
    assert inst is not None
    viewer = org.get_user(s, actor_id)
    if not instances.can_view(s, viewer, inst):
        raise Forbidden("you are not a participant of this instance")
    field = row.field or ""
    if any(field == h or field.startswith(h + ".") for h in instances.hidden_for(s, viewer, inst)):
        raise Forbidden("this field is hidden from you", reason="file_forbidden")
    return row


def open_file(db: Database, actor_id: int, file_id: Any) -> tuple[dict[str, Any], BinaryIO]:
    """(the file's reference, its bytes as a stream the caller closes) for a reader allowed to see it."""
    with db.uow() as s:
        row = readable_file(s, actor_id, file_id)
        return row.ref(), file_service.open_bytes(row)
