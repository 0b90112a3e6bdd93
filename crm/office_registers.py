"""The office registers as pages read them (use cases, each in its own transaction): the asset
register (资产台账) and the document register (公文登记簿) the library processes keep
(crm/assets.py, crm/documents.py). The office keeps them: admins and the `hr` role (asset keeper,
archivist) read both and add assets; anyone else is refused (Forbidden), so nothing is shown.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, ValidationFailed
from crm import assets
from crm.models import User
from crm.office_models import Asset, OfficialDocument
from crm.records.permissions import HR_ROLE, actor, has_role
from db.session import Database

MAX_ROWS = 500


def _keeper(s: Session, actor_id: int) -> User:
    user = actor(s, actor_id)
    if not has_role(user, HR_ROLE):
        raise Forbidden("only the office (role hr) and administrators keep the registers", reason="registers_forbidden")
    return user


def may_keep(db: Database, actor_id: int) -> bool:
    with db.uow() as s:
        try:
            _keeper(s, actor_id)
        except Forbidden:
            return False
        return True


def _names(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {i: n for i, n in s.execute(select(User.id, User.display_name).where(User.id.in_(sorted(ids))))}


def list_assets(db: Database, actor_id: int) -> list[dict[str, Any]]:
    with db.uow() as s:
        _keeper(s, actor_id)
        rows = list(s.scalars(select(Asset).order_by(Asset.tag).limit(MAX_ROWS)))
        names = _names(s, {a.holder_id for a in rows if a.holder_id})
        return [{**assets.describe(a), "category": a.category, "instance_id": a.instance_id,
                 "holder": names.get(a.holder_id or 0)} for a in rows]


def add_asset(db: Database, actor_id: int, tag: Any, name: Any, category: Any) -> dict[str, Any]:
    """A new in-stock asset (ValidationFailed naming tag / name: missing, too long or a taken tag)."""
    tag = tag.strip() if isinstance(tag, str) else ""
    name = name.strip() if isinstance(name, str) else ""
    category = category.strip()[:50] if isinstance(category, str) and category.strip() else None
    fields = {k: f"at most {n} characters" for k, v, n in (("tag", tag, 40), ("name", name, 200)) if len(v) > n}
    if fields:
        raise ValidationFailed("the asset cannot be added", fields)
    with db.uow(write=True) as s:
        user = _keeper(s, actor_id)
        return assets.describe(assets.create(s, tag, name, category, user.id))


def list_documents(db: Database, actor_id: int) -> list[dict[str, Any]]:
    with db.uow() as s:
        _keeper(s, actor_id)
        rows = list(s.scalars(select(OfficialDocument).order_by(OfficialDocument.id.desc()).limit(MAX_ROWS)))
        return [{"number": d.number, "direction": d.direction, "title": d.title, "doc_type": d.doc_type,
                 "sender": d.sender, "external_number": d.external_number, "status": d.status,
                 "instance_id": d.instance_id, "archive_ref": d.archive_ref, "retention": d.retention,
                 "created_at": d.created_at.isoformat() if d.created_at else None} for d in rows]
