"""Tables of the CRM administration: option entries, field rules, recycled records, the admin log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, JSONType, utcnow


class OptionEntry(Base):
    """One entry of an option list (数据字典项): `code` is what records store and never changes;
    the labels do. An entry is retired (active False), never deleted, so stored codes keep a label."""

    __tablename__ = "option_entry"
    __table_args__ = (UniqueConstraint("category", "code", name="uq_option_entry_category_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(50))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FieldRule(Base):
    """What holders of `role_key` may not do with `field` of record `kind` (field "*": the whole
    record kind, used for export). No row: everything allowed."""

    __tablename__ = "field_rule"
    __table_args__ = (UniqueConstraint("role_key", "kind", "field", name="uq_field_rule_role_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_key: Mapped[str] = mapped_column(String(50), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(64))
    can_view: Mapped[bool] = mapped_column(Boolean, default=True)
    can_edit: Mapped[bool] = mapped_column(Boolean, default=True)
    can_export: Mapped[bool] = mapped_column(Boolean, default=True)


class RecycledRecord(Base):
    """A deleted CRM record (回收站): its columns as JSON, restorable until `purge_after`."""

    __tablename__ = "recycled_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    record_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    deleted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AdminLog(Base):
    """One admin action (系统日志): who did what to which object, with the changed values."""

    __tablename__ = "admin_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
