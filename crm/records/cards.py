"""Record cards: the CRM records a process instance is about, as one user may see them.

A `Viewer` reads, in the caller's session, the user and their reach once and each record once:
- `cards(data, instance_id, hidden)`: the records the process data names (`contract_id`, `agent_id`,
  `customer_id`, `customer`) and those pointing back at the instance (tickets, expense claims,
  settlements), each as {kind, id, label, fields: [(name, value)], snapshot?}; a record the user
  may not see in the CRM is shown as the process recorded it (a service task's `<node>.result`,
  in the process data the viewer sees anyway) and marked `snapshot`;
- `label(kind, id, data)`: "Title (number)" of a record, for a picker's current value.
Values come as the API gives them, money with thousands separators and people by display name.
The same data permissions as `records.get` / `records.list_records` (Kind.load / Kind.visible).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exists, literal, select, union_all
from sqlalchemy.orm import Session

from core.errors import DomainError
from crm.admin import field_rules
from crm.models import User
from crm.records.catalogue import KINDS
from crm.records.fields import output
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach

# process-data keys that name a CRM record, and the record kind
RECORD_REFS = (("contract_id", "contract"), ("agent_id", "agent"), ("customer_id", "customer"),
               ("customer", "customer"), ("opportunity_id", "opportunity"))
# records that point back at their instance (at most INSTANCE_CARDS of each, newest first)
INSTANCE_RECORDS = ("ticket", "expense_claim", "settlement")
INSTANCE_CARDS = 3
# the main fields of each record kind, in the order the card shows them
CARD_FIELDS = {
    "customer": ("code", "name", "level", "industry", "region", "phone", "owner", "vip"),
    "contract": ("number", "title", "customer_name", "amount", "status", "start_date", "end_date", "owner"),
    "agent": ("code", "name", "region", "contact_name", "phone"),
    "ticket": ("complainant", "category", "status", "handler", "satisfaction", "content"),
    "expense_claim": ("title", "claimant", "total", "status"),
    "settlement": ("agent_name", "period", "fees", "ratio", "amount", "status", "settlement_method"),
    "opportunity": ("number", "summary", "customer_name", "amount", "probability", "stage", "status", "owner"),
}
MONEY = ("amount", "total", "fees")
PEOPLE = ("owner", "handler", "claimant")


def label(record: dict[str, Any]) -> str:
    """"Title (number)" of a record (or of what a process recorded of it)."""
    main = (record.get("title") or record.get("name") or record.get("complainant") or record.get("period")
            or record.get("summary") or "")
    number = record.get("number") or record.get("code")
    return f"{main} ({number})" if number and main else str(main or number or f"#{record['id']}")


def snapshot(data: dict[str, Any], kind: str, record_id: Any) -> dict[str, Any] | None:
    """A record as a service task of this instance returned it (`<node>.result` with `<kind>_id`)."""
    for value in data.values():
        result = value.get("result") if isinstance(value, dict) else None
        if isinstance(result, dict) and result.get(f"{kind}_id") == record_id:
            return {**result, "id": record_id}
    return None


def _money(value: Any) -> Any:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return value


class Viewer:
    """What user `actor_id` sees of the CRM records, read in session `s`."""

    def __init__(self, s: Session, actor_id: int):
        self.s = s
        try:
            self.actor: User | None = _actor(s, actor_id)
            self.ids = reach(s, self.actor)
        except DomainError:  # an unknown or deactivated user sees no record
            self.actor, self.ids = None, set()
        self._records: dict[tuple[str, int], dict[str, Any] | None] = {}

    def _dict(self, kind: str, row: Any) -> dict[str, Any]:
        """The record's card fields (and label fields) as the API shows them."""
        k = KINDS[kind]
        hidden = field_rules.limits(self.s, self.actor).hides(kind) if self.actor is not None else set()
        return {"id": row.id, **{f.name: output(self.s, f, getattr(row, f.attr)) for f in k.fields
                                 if f.name not in hidden}}

    def record(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        """The record if the user may see it (as `records.get` would let them), else None."""
        key = (kind, record_id)
        if key not in self._records:
            try:
                if self.actor is None:
                    raise LookupError
                self._records[key] = self._dict(kind, KINDS[kind].load(self.s, self.actor, self.ids, record_id))
            except (DomainError, LookupError, TypeError):
                self._records[key] = None
        return self._records[key]

    def label(self, kind: str, record_id: Any, data: dict[str, Any] | None = None) -> str:
        """The record's label if the user may see it, else what the process recorded, else "#id"."""
        try:
            record = self.record(kind, int(record_id))
        except (TypeError, ValueError):
            record = None
        if record is None and isinstance(record_id, int):
            record = snapshot(data or {}, kind, record_id)
        return label(record) if record else f"#{record_id}"

    def _kinds_of_instance(self, instance_id: int) -> list[str]:
        """Which of INSTANCE_RECORDS have a row pointing at the instance, in one statement (most
        instances have none: the page then reads no record table)."""
        if self.actor is None:
            return []
        found = set(self.s.scalars(union_all(*(
            select(literal(kind)).where(exists().where(KINDS[kind].model.instance_id == instance_id))
            for kind in INSTANCE_RECORDS))))
        return [kind for kind in INSTANCE_RECORDS if kind in found]

    def _of_instance(self, kind: str, instance_id: int) -> list[dict[str, Any]]:
        if self.actor is None:
            return []
        k = KINDS[kind]
        model: Any = k.model
        rows = self.s.scalars(k.visible(self.s, self.actor, self.ids).where(model.instance_id == instance_id)
                              .order_by(model.id.desc()).limit(INSTANCE_CARDS))
        return [self._dict(kind, row) for row in rows]

    def cards(self, data: dict[str, Any], instance_id: int, hidden: list[str]) -> list[dict[str, Any]]:
        """The CRM records the instance is about, as far as this user may see them."""
        found: list[tuple[str, dict[str, Any], bool]] = []
        seen: set[tuple[str, int]] = set()

        def add(kind: str, record: dict[str, Any], from_process: bool = False) -> None:
            if (kind, record["id"]) not in seen:
                seen.add((kind, record["id"]))
                found.append((kind, record, from_process))

        for key, kind in RECORD_REFS:
            value = data.get(key)
            if key in hidden or not isinstance(value, int) or isinstance(value, bool):
                continue
            record = self.record(kind, value)
            if record is not None:
                add(kind, record)
            else:
                # not this user's to see in the CRM: what the process recorded of it, e.g. the
                # contract as it was submitted for review
                recorded = snapshot(data, kind, value)
                if recorded is not None:
                    add(kind, recorded, from_process=True)
        for kind in self._kinds_of_instance(instance_id):
            for record in self._of_instance(kind, instance_id):
                add(kind, record)
        names = self._people({str(r.get(n)) for _, r, _ in found for n in PEOPLE if isinstance(r.get(n), str)})
        return [self._card(kind, record, from_process, hidden, names) for kind, record, from_process in found]

    def _card(self, kind: str, record: dict[str, Any], from_process: bool, hidden: list[str],
              names: dict[str, str]) -> dict[str, Any]:
        record = dict(record)
        if kind == "contract" and record.get("customer"):
            record["customer_name"] = self.label("customer", record["customer"])
        if kind == "settlement" and record.get("agent"):
            record["agent_name"] = self.label("agent", record["agent"])
        fields = [(name, self._shown(name, record.get(name), names)) for name in CARD_FIELDS[kind]
                  if name not in hidden and record.get(name) not in (None, "")]
        card = {"kind": kind, "id": record["id"], "label": label(record), "fields": fields}
        if from_process:
            card["snapshot"] = True
        return card

    def _people(self, usernames: set[str]) -> dict[str, str]:
        """Display names of the active users among `usernames`."""
        if not usernames:
            return {}
        rows = self.s.execute(select(User.username, User.display_name).where(
            User.username.in_(sorted(usernames)), User.active.is_(True)))
        return {username: display_name for username, display_name in rows}

    @staticmethod
    def _shown(name: str, value: Any, names: dict[str, str]) -> Any:
        """Money with thousands separators; people by their name rather than their user name."""
        if name in MONEY:
            return _money(value)
        if name in PEOPLE and isinstance(value, str):
            return names.get(value, value)
        return value
