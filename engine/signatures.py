"""Handwritten signatures on votes (issue 14): `<lz:approval ... signature="required"/>` makes
approve and reject on the node need one, drawn on the task page and sent as a PNG data URL.

* `parse(raw)`: the PNG bytes of a data URL (size-capped, a real PNG of sane dimensions), or None
  when none was sent; a 422 naming `signature` otherwise. Runs before the transaction.
* `store(ctx, t, actor_id, png)`: inside the vote's transaction, the node's rule checked (422 naming
  `signature` when it is required and missing) and the signature stored as a file of the instance
  (field `signature`, the task it signs); returns its reference for the vote's audit event.
* `of_tasks(s, task_ids)`: task id -> the signature reference, for the history and the record.
"""
from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Msg, ValidationFailed
from engine import runtime
from engine.models import HumanTask
from files import service as file_service
from files.models import StoredFile

PREFIX = "data:image/png;base64,"
MAX_BYTES = 200 * 1024
MAX_SIDE = 4000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIELD = "signature"


def _bad(code: str, text: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(f"signature: {text}", {FIELD: Msg(code, text, **params)})


def parse(raw: Any) -> bytes | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not raw.startswith(PREFIX):
        raise _bad("signature_format", "must be a PNG image as a data URL (data:image/png;base64,...)")
    if len(raw) > len(PREFIX) + (MAX_BYTES * 4) // 3 + 4:
        raise _bad("signature_too_large", f"at most {MAX_BYTES // 1024} KB", max_kb=MAX_BYTES // 1024)
    try:
        png = base64.b64decode(raw[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise _bad("signature_format", "must be a PNG image as a data URL (data:image/png;base64,...)") from None
    if len(png) > MAX_BYTES:
        raise _bad("signature_too_large", f"at most {MAX_BYTES // 1024} KB", max_kb=MAX_BYTES // 1024)
    if len(png) < 33 or not png.startswith(PNG_MAGIC) or png[12:16] != b"IHDR":
        raise _bad("signature_format", "must be a PNG image as a data URL (data:image/png;base64,...)")
    width, height = struct.unpack(">II", png[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise _bad("signature_format", "must be a PNG image as a data URL (data:image/png;base64,...)")
    return png


def required(ctx: runtime.Ctx, node_id: str) -> bool:
    cfg = runtime.node_config(ctx.definition, ctx.definition.key, node_id)
    return bool(cfg and cfg.approval and cfg.approval.signature)


def store(ctx: runtime.Ctx, t: HumanTask, actor_id: int, png: bytes | None) -> dict[str, Any] | None:
    if png is None:
        if required(ctx, t.node_id):
            raise _bad("signature_required", "this step needs your handwritten signature")
        return None
    row = file_service.store_bytes(ctx.s, actor_id, "signature.png", "image/png", png, instance_id=ctx.inst.id,
                                   field=FIELD, task_id=t.id)
    return row.ref()


def of_tasks(s: Session, task_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = list(task_ids)
    if not ids:
        return {}
    rows = s.scalars(select(StoredFile).where(StoredFile.task_id.in_(ids), StoredFile.field == FIELD))
    return {r.task_id: r.ref() for r in rows if r.task_id is not None}
