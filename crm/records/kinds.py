"""A record kind: its model and fields (declared once), who sees it, and its hooks.

The use cases (crm/records/service.py) are the same for every kind; what differs is declared on
the kind (fields, number field, joins) or written as one of its hook methods, which a record kind
overrides (crm/records/catalogue.py) — the defaults here do nothing:

- `scope`: the where-clause of what an actor sees; `can_write` / `check_create`: who changes it;
- `before_save`: cross-field rules and defaults of a save through the API (create or update);
- `derive`: values computed from others, on every save (the API's and a process's);
- `on_save`: just before a row is flushed, after its number is issued (e.g. 服务授权编号);
- `after_insert`: after a new row is flushed (e.g. the owner history's first row);
- `before_delete`: refuse (Conflict) a delete that would orphan other records;
- `unique_keys`: business keys beyond the number field that must stay unique;
- `before_process_update`: refuse what a process may not change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, NotFound
from core.ids import MAX_ID
from crm.models import User
from crm.records.fields import F, output, username
from db.base import iso


def current(row: Any, values: dict[str, Any], attr: str) -> Any:
    """The value `attr` will have after a save: the one being saved, else the row's (None: creating)."""
    return values.get(attr, getattr(row, attr) if row is not None else None)


@dataclass
class Save:
    """One save through the API: what the hooks read and add to.

    `row` is None when creating; `values` maps model attributes to parsed values (hooks may add
    defaults); `fields` collects the problems by field name; `ids` is the actor's reach."""

    s: Session
    actor: User
    ids: set[int] | None
    row: Any
    payload: dict[str, Any]
    values: dict[str, Any]
    fields: dict[str, str]

    @property
    def creating(self) -> bool:
        return self.row is None

    def current(self, attr: str) -> Any:
        return current(self.row, self.values, attr)


@dataclass
class Kind:
    key: str
    label: str
    model: type
    fields: tuple[F, ...]
    joins: tuple[Any, ...] = ()  # (model, on-clause) pairs joined to apply `scope`
    number_field: str | None = None  # filled from crm.numbering when not given
    create_only: tuple[str, ...] = ()  # payload keys accepted on create besides the fields
    by_name: dict[str, F] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    def writable_by(self, actor: User | None) -> tuple[str, ...]:
        """What a caller may send: process-owned fields only for admins (and processes: actor None)."""
        return tuple(f.name for f in self.fields if f.writable and (not f.process or actor is None or actor.is_admin))

    # ------------------------------------------------------------ permissions

    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        """A where-clause of the rows `actor` (reaching `ids`, None: everyone) sees; None: all."""
        return None

    def check_create(self, actor: User) -> None:
        """Raise Forbidden when `actor` may not create such a record."""

    def can_write(self, s: Session, actor: User, row: Any) -> bool:
        """Beyond seeing the row."""
        return True

    def visible(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        stmt = select(self.model)
        for i in range(0, len(self.joins), 2):
            stmt = stmt.join(self.joins[i], self.joins[i + 1])
        cond = self.scope(s, actor, ids)
        return stmt if cond is None else stmt.where(cond)

    def load(self, s: Session, actor: User, ids: set[int] | None, record_id: Any) -> Any:
        """The row `record_id` if the actor sees it; NotFound otherwise (also for a malformed id)."""
        if not isinstance(record_id, int) or isinstance(record_id, bool) or not 0 < record_id <= MAX_ID:
            raise NotFound(f"{self.label} {record_id} not found")
        row = s.scalar(self.visible(s, actor, ids).where(self.model.id == record_id))
        if row is None:
            raise NotFound(f"{self.label} {record_id} not found")
        return row

    def check_write(self, s: Session, actor: User, row: Any) -> None:
        if not self.can_write(s, actor, row):
            raise Forbidden(f"you may read this {self.label} but not change it")

    # ------------------------------------------------------------ hooks

    def before_save(self, c: Save) -> None:
        """Cross-field rules and defaults of an API save; adds to `c.fields` what does not validate."""

    def derive(self, row: Any, values: dict[str, Any]) -> None:
        """Values computed from others (into `values`); `row` is None when creating."""

    def on_save(self, s: Session, row: Any) -> None:
        """Just before the row is flushed, its number issued."""

    def after_insert(self, s: Session, row: Any, actor: User) -> None:
        """After a new row is flushed (it has its id)."""

    def before_delete(self, s: Session, row: Any) -> None:
        """Raise Conflict when the row may not be deleted."""

    def unique_keys(self, row: Any, values: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field name, where-clause) of business keys beyond the number field; `row` None when creating."""
        return []

    def before_process_update(self, payload: dict[str, Any]) -> None:
        """Raise ValidationFailed for a change a process may not make."""

    # ------------------------------------------------------------ serializing

    def extra(self, s: Session, row: Any) -> dict[str, Any]:
        """More of the record's JSON than its fields (e.g. a claim's lines)."""
        return {}

    def as_dict(self, s: Session, row: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"id": row.id}
        for f in self.fields:
            out[f.name] = output(s, f, getattr(row, f.attr))
        out["created_by"] = username(s, row.created_by_id)
        out["created_at"] = iso(row.created_at)
        if hasattr(row, "updated_at"):
            out["updated_at"] = iso(row.updated_at)
        out.update(self.extra(s, row))
        return out
