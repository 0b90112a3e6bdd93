"""Files in process data (issue 14): the references a submitted form holds, checked against the
stored files, bound to the instance they were submitted to, hashed in the audit trail; and who may
download one.

* `resolve` (inside the form validation of a start, a task or a resubmission): each reference of a
  file field is replaced by the stored file's own record (the client's size, type or hash are never
  trusted); a reference to a file the submitter did not upload, or that belongs elsewhere, is a 422
  at the field. The files new to the instance wait in the session until `bind_pending`.
* `bind_pending`: the waiting files now belong to the instance (and field); one `attach` audit
  event lists each one's field, id, size and SHA-256.

Who may download a file: engine/file_access.py.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.errors import Msg, ValidationFailed
from engine import audit
from files.models import StoredFile
from forms.files import map_files

PENDING = "lz_pending_files"
UNKNOWN = Msg("file_unknown", "refers to a file that was not uploaded by you")


def resolve(s: Session, user_id: int, schema: dict[str, Any], data: dict[str, Any],
            instance_id: int | None) -> dict[str, Any]:
    """`data` with each file field's references replaced by the stored files' records, wherever the
    field is: at the top level or in every item of a dynamic list (an invoice per expense line)."""
    errors: dict[str, Any] = {}
    pending: list[tuple[str, StoredFile]] = s.info.setdefault(PENDING, [])

    def stored(field: str, path: str, items: list[Any]) -> list[Any]:
        refs = []
        for item in items:
            row = s.get(StoredFile, item.get("id")) if isinstance(item, dict) and isinstance(item.get("id"), str) \
                else None
            fresh = row is not None and row.instance_id is None and row.uploaded_by == user_id
            kept = row is not None and instance_id is not None and row.instance_id == instance_id \
                and row.field == field
            if row is None or not (fresh or kept):
                errors[f"data.{path}"] = UNKNOWN
                return items
            refs.append(row.ref())
            if fresh:
                pending.append((field, row))
        return refs

    out = map_files(schema, data, stored)
    if errors:
        raise ValidationFailed("the form refers to unknown files", errors)
    return out


def bind_pending(s: Session, instance_id: int, actor_id: int, node_id: str | None = None,
                 task_id: int | None = None) -> None:
    rows: list[tuple[str, StoredFile]] = s.info.pop(PENDING, [])
    if not rows:
        return
    seen: set[str] = set()
    listed = []
    for key, row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        row.instance_id, row.field = instance_id, key
        listed.append({"field": key, "id": row.id, "size": row.size, "sha256": row.sha256})
    s.flush()
    audit.record(s, instance_id, "attach", actor_id, node_id=node_id, task_id=task_id, detail={"files": listed})
