"""The contract file (issue 15): one stored file (files/) a contract holds, besides the old text field
`attachment` (a file name or URL).

The file goes with the `attachment` field under field permissions (crm/admin/field_rules.py): who may
not view `attachment` neither sees the contract JSON's `file` nor downloads it; who may not edit it
may not upload or remove it. Beyond that, the contract's own rules: who sees the contract may
download (others: 404), who may change it (PATCH /contracts/{id}) may upload or remove (else 403).
A held file is bound to its record (`stored_file.record` = "contract:<id>") so the purge of
unreferenced uploads keeps it; a replaced or removed one is released and purged later.
"""
from __future__ import annotations

from typing import IO, Any, BinaryIO, cast

from sqlalchemy.orm import Session

from core.errors import Forbidden, Msg, NotFound
from crm.admin import field_rules
from crm.models import User
from crm.records.catalogue import KINDS
from crm.records.models import Contract
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach
from crm.records.service import shown
from db.session import Database
from files import service as file_service

KIND = "contract"
FIELD = "attachment"  # the field whose permissions govern the contract file


def _editable(s: Session, actor: User, contract_id: int) -> Contract:
    kind = KINDS[KIND]
    row: Contract = kind.load(s, actor, reach(s, actor), contract_id)
    kind.check_write(s, actor, row)
    if not field_rules.limits(s, actor).may_edit(KIND, FIELD):
        raise Forbidden("you may not change the contract file",
                        {FIELD: Msg("field_not_editable", "you may not change this field")})
    return row


def _result(s: Session, actor: User, row: Contract) -> dict[str, Any]:
    kind = KINDS[KIND]
    return shown(s, actor, kind, kind.as_dict(s, row))


def set_file(db: Database, actor_id: int, contract_id: int, name: Any, declared_type: str | None,
             stream: IO[bytes] | None) -> dict[str, Any]:
    """Store the upload as the contract's file (replacing and releasing the previous one); the contract."""
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        row = _editable(s, actor, contract_id)
        stored = file_service.upload_for_record(s, actor.id, name, declared_type,
                                                cast("BinaryIO | None", stream), f"{KIND}:{row.id}")
        file_service.release(s, row.file_id)
        row.file_id = stored.id
        s.flush()
        return _result(s, actor, row)


def remove_file(db: Database, actor_id: int, contract_id: int) -> None:
    """The contract holds no file any more (404 if it held none); the file is released."""
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        row = _editable(s, actor, contract_id)
        if row.file_id is None:
            raise NotFound(f"contract {contract_id} has no file")
        file_service.release(s, row.file_id)
        row.file_id = None


def may_change(db: Database, actor_id: int, contract_id: int) -> bool:
    """Whether the actor may upload or remove the contract's file (for a page to offer the form)."""
    with db.uow() as s:
        try:
            _editable(s, _actor(s, actor_id), contract_id)
        except (Forbidden, NotFound):
            return False
        return True


def exists(db: Database, actor_id: int, contract_id: int) -> bool:
    """Whether the actor sees the contract."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        try:
            KINDS[KIND].load(s, actor, reach(s, actor), contract_id)
        except NotFound:
            return False
        return True


def open_file(db: Database, actor_id: int, contract_id: int) -> tuple[dict[str, Any], BinaryIO]:
    """(the file's reference, its bytes as a stream the caller closes) for a reader of the contract who
    may view the `attachment` field."""
    with db.uow() as s:
        actor = _actor(s, actor_id)
        row: Contract = KINDS[KIND].load(s, actor, reach(s, actor), contract_id)
        if FIELD in field_rules.limits(s, actor).hides(KIND):
            raise Forbidden("the contract file is hidden from you", reason="file_forbidden")
        if row.file_id is None:
            raise NotFound(f"contract {contract_id} has no file")
        stored = file_service.get(s, row.file_id)
        return stored.ref(), file_service.open_bytes(stored)
