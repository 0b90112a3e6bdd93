"""The `stored_file` table: one row per uploaded file or drawn signature (the bytes are in storage)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex, also the storage key
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(120))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # set when a submitted form (or a vote's signature) refers to the file; NULL = not referenced yet
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    field: Mapped[str | None] = mapped_column(String(200))  # the form field key, or "signature"
    task_id: Mapped[int | None] = mapped_column(Integer)  # the vote a signature belongs to
    # set while a record holds the file (e.g. "contract:12", issue 15); NULL = no record refers to it
    record: Mapped[str | None] = mapped_column(String(40), index=True)

    def ref(self) -> dict[str, object]:
        """What form data holds: `{id, name, size, sha256, content_type}`."""
        return {"id": self.id, "name": self.name, "size": self.size, "sha256": self.sha256,
                "content_type": self.content_type}
