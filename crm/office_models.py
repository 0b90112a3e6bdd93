"""Office records the library processes change (bpmn/library/; docs/library.md): fixed assets
(资产, issued or lent by 资产领用/借用 and taken back by 资产归还) and the document register
(公文登记: 发文 issued with a 发文字号, 收文 registered, both archived by 归档).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

USER_FK = "user_account.id"
Day = date

# in_stock -> reserved (a request waits for approval) -> issued (领用) | borrowed (借用) -> in_stock (归还)
ASSET_STATUSES = ("in_stock", "reserved", "issued", "borrowed", "retired")
# outgoing: issued -> archived; incoming: received -> handled | declined -> archived
DOCUMENT_STATUSES = ("issued", "received", "handled", "declined", "archived")
DOCUMENT_DIRECTIONS = ("outgoing", "incoming")


class Asset(Base):
    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), unique=True)  # 资产编号
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="in_stock", index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK), index=True)
    due_back: Mapped[Day | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(Integer)  # the request that reserved or issued it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficialDocument(Base):
    __tablename__ = "official_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)  # 发文字号 / 收文编号
    direction: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    doc_type: Mapped[str | None] = mapped_column(String(20))
    sender: Mapped[str | None] = mapped_column(String(200))  # 来文单位 (incoming)
    external_number: Mapped[str | None] = mapped_column(String(60))  # 来文字号 (incoming)
    status: Mapped[str] = mapped_column(String(20), index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    archive_ref: Mapped[str | None] = mapped_column(String(60))  # 档号
    retention: Mapped[str | None] = mapped_column(String(20))  # 保管期限
    archived_at: Mapped[datetime | None] = mapped_column()
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
