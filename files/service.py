"""Uploading, reading and purging stored files. Each function owns its transaction (or works in the
caller's session, `store_bytes`, for a signature written with its vote)."""
from __future__ import annotations

import io
import mimetypes
import secrets
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Msg, NotFound, ValidationFailed
from db.base import utcnow
from db.session import Database
from files import storage
from files.models import StoredFile

MAX_UPLOAD_BYTES = 7 * 1024 * 1024  # under the app's request cap (8 MB) with room for the multipart wrapping
MAX_NAME = 255
UNREFERENCED_TTL = timedelta(days=1)
# shown in the page (img / iframe); everything else is downloaded as an attachment
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def content_type_of(name: str, declared: str | None) -> str:
    guessed = mimetypes.guess_type(name)[0]
    return (guessed or (declared or "").split(";")[0].strip() or "application/octet-stream")[:120]


def clean_name(name: Any) -> str:
    if not isinstance(name, str):
        return "file"
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return base[:MAX_NAME] or "file"


def _new_row(s: Session, user_id: int, name: str, content_type: str, stream: BinaryIO,
             max_bytes: int, field: str) -> StoredFile:
    key = secrets.token_hex(16)
    store = storage.current()
    try:
        size, digest = store.put(key, stream, max_bytes)
    except storage.TooLarge:
        raise ValidationFailed("the file is too large", {field: Msg(
            "file_too_large", f"at most {max_bytes // (1024 * 1024) or 1} MB", max_mb=max_bytes // (1024 * 1024) or 1)}
        ) from None
    if size == 0:
        store.delete(key)
        raise ValidationFailed("the file is empty", {field: Msg("file_empty", "the file is empty")})
    row = StoredFile(id=key, name=name, size=size, sha256=digest, content_type=content_type, uploaded_by=user_id)
    s.add(row)
    return row


def upload(db: Database, user_id: int, name: Any, declared_type: str | None, stream: BinaryIO | None) -> dict[str, Any]:
    """An uploaded file (multipart part `file`): stored, hashed; the reference a form field holds.
    Nobody else can use it until a submitted form refers to it; unreferenced ones go after a day."""
    with db.uow(write=True) as s:
        return _uploaded(s, user_id, name, declared_type, stream).ref()


def _uploaded(s: Session, user_id: int, name: Any, declared_type: str | None, stream: BinaryIO | None,
              record: str | None = None) -> StoredFile:
    """The multipart part `file` stored and hashed (the form uploads' limit), in the caller's session;
    held by `record` at once when one is named."""
    if stream is None:
        raise ValidationFailed("send the file as the multipart part 'file'", {"file": Msg("required", "required")})
    filename = clean_name(name)
    row = _new_row(s, user_id, filename, content_type_of(filename, declared_type), stream, MAX_UPLOAD_BYTES, "file")
    row.record = record
    s.flush()
    return row


def upload_for_record(s: Session, user_id: int, name: Any, declared_type: str | None, stream: BinaryIO | None,
                      record: str) -> StoredFile:
    """An upload (multipart part `file`, the form uploads' limit) held by a record (`record`, e.g.
    "contract:12") at once, in the caller's session; the record's use case decides who may."""
    return _uploaded(s, user_id, name, declared_type, stream, record)


def release(s: Session, file_id: str | None) -> None:
    """A record no longer holds the file: purged with the unreferenced uploads (it is over a day old, or
    will be)."""
    row = s.get(StoredFile, file_id) if file_id else None
    if row is not None:
        row.record = None


def store_bytes(s: Session, user_id: int, name: str, content_type: str, data: bytes, *, instance_id: int,
                field: str, task_id: int | None = None) -> StoredFile:
    """Bytes produced inside a use case (a drawn signature), bound to its instance at once."""
    row = _new_row(s, user_id, name, content_type, io.BytesIO(data), len(data) + 1, field)
    row.instance_id, row.field, row.task_id = instance_id, field, task_id
    s.flush()
    return row


def get(s: Session, file_id: Any) -> StoredFile:
    row = s.get(StoredFile, file_id) if isinstance(file_id, str) and file_id.isalnum() and len(file_id) <= 32 else None
    if row is None:
        raise NotFound(f"file {file_id} not found")
    return row


def open_bytes(row: StoredFile) -> BinaryIO:
    return open_id(row.id)


def open_id(file_id: str) -> BinaryIO:
    """The bytes of a file whose reference the caller already may read (e.g. a signature in a record)."""
    return storage.current().open(file_id)


def purge_unreferenced(db: Database, now: datetime | None = None) -> int:
    """Delete uploads no submitted form (nor record) referred to within a day (rows and bytes)."""
    cutoff = (now or utcnow()) - UNREFERENCED_TTL
    with db.uow(write=True) as s:
        rows = list(s.scalars(select(StoredFile).where(StoredFile.instance_id.is_(None), StoredFile.record.is_(None),
                                                       StoredFile.uploaded_at < cutoff)))
        for row in rows:
            s.delete(row)
    store = storage.current()
    for row in rows:
        store.delete(row.id)
    return len(rows)
