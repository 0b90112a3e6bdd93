"""Organisation records: users, departments, roles, the supervisor chain."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, JSONType, utcnow

user_roles = Table(
    "user_role",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True, name="fk_department_head_id_user_account")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Department | None] = relationship(remote_side=[id])
    head: Mapped[User | None] = relationship(foreign_keys=[head_id])


class Role(Base):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    locale: Mapped[str] = mapped_column(String(10), default="zh")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # notify/ (migration 0005): where and what a user is told; prefs = {kind: {channel: bool}}
    email: Mapped[str | None] = mapped_column(String(200))
    mobile: Mapped[str | None] = mapped_column(String(30))
    notify_prefs: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Migration 0010: carried in every session and bearer token; raised by logout, a password
    # change or reset and deactivation, so every older session and token stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 业务员编号 (requirements 001): two letters + four digits, e.g. SD0107 (crm/numbering.py); migration 0017
    sales_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    # Migration 0016: the last day of a trial account (试用账号); past it the user cannot sign in and
    # the trials routine deactivates them, unless an extension (bpmn/trial_extension.bpmn) moves it.
    trial_expires_on: Mapped[date | None] = mapped_column(Date)

    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    supervisor: Mapped[User | None] = relationship(remote_side=[id])
    # Loaded on access: most reads of a user (assignees, ballots) never look at roles.
    roles: Mapped[list[Role]] = relationship(secondary=user_roles)

    @property
    def role_keys(self) -> list[str]:
        return sorted(r.key for r in self.roles)

    @property
    def is_admin(self) -> bool:
        return any(r.key == "admin" for r in self.roles)
import crm.admin.models  # noqa: F401,E402  (the data dictionary, field rules, recycle bin, system log)
import crm.office_models  # noqa: F401,E402  (registers the asset and document register tables)
import crm.records  # noqa: F401,E402  (registers the CRM record tables)
