"""What the task page shows beside the form: the CRM records the instance is about (as cards, as
far as the viewer may see them, else what the process recorded of them), and the options of the
form's CRM pickers."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import DomainError
from crm import pickers, records
from web.users import current_user, database

# process-data keys that name a CRM record, and the record kind
RECORD_REFS = (("contract_id", "contract"), ("agent_id", "agent"), ("customer_id", "customer"),
               ("customer", "customer"))
# records that point back at their instance
INSTANCE_RECORDS = ("ticket", "expense_claim", "settlement")
# the main fields of each record kind, in the order the card shows them
CARD_FIELDS = {
    "customer": ("code", "name", "level", "industry", "region", "phone", "owner", "vip"),
    "contract": ("number", "title", "customer_name", "amount", "status", "start_date", "end_date", "owner"),
    "agent": ("code", "name", "region", "contact_name", "phone"),
    "ticket": ("complainant", "category", "status", "handler", "satisfaction", "content"),
    "expense_claim": ("title", "claimant", "total", "status"),
    "settlement": ("agent_name", "period", "fees", "ratio", "amount", "status", "settlement_method"),
}


MONEY = ("amount", "total", "fees")
PEOPLE = ("owner", "handler", "claimant")


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


def components(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items or []:
            out.append(c)
            walk(c.get("components", []))

    walk((schema or {}).get("components", []))
    return out


def _label(kind: str, record: dict[str, Any]) -> str:
    main = record.get("title") or record.get("name") or record.get("complainant") or record.get("period") or ""
    number = record.get("number") or record.get("code")
    return f"{main} ({number})" if number and main else str(main or number or f"#{record['id']}")


def related_records(uid: int, data: dict[str, Any], instance_id: int, hidden: list[str]) -> list[dict[str, Any]]:
    """The CRM records the instance is about, as far as this user may see them."""
    db = database()
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()

    def add(kind: str, record: dict[str, Any]) -> None:
        if (kind, record["id"]) in seen:
            return
        seen.add((kind, record["id"]))
        if kind == "contract" and record.get("customer"):
            record["customer_name"] = _lookup_label(uid, "customer", record["customer"])
        if kind == "settlement" and record.get("agent"):
            record["agent_name"] = _lookup_label(uid, "agent", record["agent"])
        fields = [(name, _shown(name, record.get(name))) for name in CARD_FIELDS[kind]
                  if name not in hidden and record.get(name) not in (None, "")]
        found.append({"kind": kind, "id": record["id"], "label": _label(kind, record), "fields": fields})

    for key, kind in RECORD_REFS:
        value = data.get(key)
        if key in hidden or not isinstance(value, int) or isinstance(value, bool):
            continue
        try:
            add(kind, records.get(db, uid, kind, value))
        except DomainError:
            # not this user's to see in the CRM: what the process recorded of it (in the process
            # data this approver sees anyway), e.g. the contract as it was submitted for review
            snapshot = _snapshot(data, kind, value)
            if snapshot is not None:
                add(kind, snapshot)
                found[-1]["snapshot"] = True
    for kind in INSTANCE_RECORDS:
        try:
            rows, _total = records.list_records(db, uid, kind, {"instance_id": str(instance_id)}, 0, 3)
        except DomainError:
            continue
        for row in rows:
            add(kind, row)
    return found


def _shown(name: str, value: Any) -> Any:
    """Money with thousands separators; people by their name rather than their user name."""
    if name in MONEY:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except (InvalidOperation, ValueError):
            return value
    if name in PEOPLE and isinstance(value, str):
        match = [o for o in pickers.search(database(), _uid(), "users", value) if o["value"] == value]
        return match[0]["label"] if match else value
    return value


def _snapshot(data: dict[str, Any], kind: str, record_id: int) -> dict[str, Any] | None:
    """A record as a service task of this instance returned it (`<node>.result` with `<kind>_id`)."""
    for value in data.values():
        result = value.get("result") if isinstance(value, dict) else None
        if isinstance(result, dict) and result.get(f"{kind}_id") == record_id:
            return {**result, "id": record_id}
    return None


def _lookup_label(uid: int, kind: str, record_id: Any, data: dict[str, Any] | None = None) -> str:
    try:
        return _label(kind, records.get(database(), uid, kind, int(record_id)))
    except (DomainError, TypeError, ValueError):
        snapshot = _snapshot(data or {}, kind, record_id) if isinstance(record_id, int) else None
        return _label(kind, snapshot) if snapshot else f"#{record_id}"


def picker_options(uid: int, schema: dict[str, Any] | None, data: dict[str, Any], editable: list[str]
                    ) -> dict[str, list[dict[str, Any]]]:
    """Options of the form's CRM pickers (valuesKey): what the user may pick where the field is
    editable, and at least the current value (with its name) where it is shown read-only."""
    out: dict[str, list[dict[str, Any]]] = {}
    kinds = {"customers": "customer", "contracts": "contract", "agents": "agent"}
    for c in components(schema):
        values_key, key = c.get("valuesKey"), c.get("key")
        if not values_key or not key:
            continue
        try:
            options = pickers.search(database(), uid, values_key) if key in editable else []
        except DomainError:
            options = []
        current = data.get(key)
        if current not in (None, "") and all(o["value"] != current for o in options):
            label = _lookup_label(uid, kinds[values_key], current, data) if values_key in kinds else str(current)
            options = [{"value": current, "label": label}, *options]
        out[values_key] = [*out.get(values_key, []), *options]
    return out
