"""CRM record use cases: create / get / update / delete / list with search, filters and paging.

Each function takes (db, actor_id, ...) with plain values, owns its transaction, and returns
plain dicts; a refused call changes nothing. What differs between record kinds is declared on the
kind (crm/records/catalogue.py): fields, scope, permissions and hooks; nothing here asks which
kind it is. 信息添加人/信息添加时间 (created_by, created_at) are set here from the actor and the clock.

`process_update` / `set_status` are for the processes' write-back functions: they run inside the
engine's step transaction.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Msg, NotFound, ValidationFailed
from core.ids import MAX_ID
from crm import numbering
from crm.admin import field_rules, recycle
from crm.models import User
from crm.records.catalogue import KINDS
from crm.records.fields import Bad, F, filter_value, output, parse
from crm.records.kinds import Kind, Save
from crm.records.models import Contact, ContactRecord, Customer, CustomerOwnerHistory
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach
from db.base import utcnow
from db.session import Database

MAX_Q = 100
RESERVED_QUERY = ("q", "page", "per_page")
# record types create_many (spreadsheet import) accepts
BULK_KINDS = ("customer", "agent", "contact", "contract", "opportunity")
MAX_BULK = 5000
field_rules.KIND_FIELDS.update({key: tuple(f.name for f in k.fields) for key, k in KINDS.items()})
# what goes into the recycle bin with a deleted customer (deleted with it by the database's cascade)
CUSTOMER_CHILDREN: dict[str, tuple[type, Any]] = {
    "contact": (Contact, Contact.customer_id), "contact_record": (ContactRecord, ContactRecord.customer_id),
    "owner_history": (CustomerOwnerHistory, CustomerOwnerHistory.customer_id)}
recycle.MODELS.update({key: (k.model, {n: m for n, (m, _c) in CUSTOMER_CHILDREN.items()} if key == "customer" else {})
                       for key, k in KINDS.items()})


def shown(s: Session, actor: User, kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    """The record as `actor` may see it: without the fields their roles hide (crm/admin/field_rules.py)."""
    out = field_rules.limits(s, actor).strip(kind.key, record)
    if kind.key == "contract" and "attachment" not in out:  # the contract file goes with the field
        out = {k: v for k, v in out.items() if k != "file"}
    return out


def _may_edit(s: Session, actor: User, kind: Kind, payload: dict[str, Any], row: Any) -> None:
    """Forbidden naming each field of the payload the actor's roles may not change."""
    def current(name: str) -> Any:
        f = kind.by_name.get(name)
        return output(s, f, getattr(row, f.attr)) if f is not None and row is not None else None

    field_rules.check_write(field_rules.limits(s, actor), kind.key, payload, row, current)


def kind_of(key: str) -> Kind:
    if key not in KINDS:
        raise NotFound(f"no record type '{key}'")
    return KINDS[key]


# ---------------------------------------------------------------- validating a payload


def _payload(kind: Kind, payload: Any, actor: User | None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    allowed = kind.writable_by(actor) + extra
    unknown = sorted(str(k) for k in payload if k not in allowed)
    if unknown:
        readonly = {f.name for f in kind.fields if not f.writable} | {"id", "created_by", "created_at", "updated_at"}
        by_process = {f.name for f in kind.fields if f.process}

        def why(k: str) -> str:
            if k in readonly:
                return "read-only field"
            if k in by_process:
                return "set by the process (administrators may correct it)"
            return f"unknown field; allowed: {', '.join(allowed)}"

        raise ValidationFailed(f"unknown field(s): {', '.join(unknown)}", {k: why(k) for k in unknown})
    return payload


def _values(s: Session, kind: Kind, payload: dict[str, Any], ids: set[int] | None, creating: bool,
            fields_out: dict[str, str], row: Any = None) -> dict[str, Any]:
    """attr -> parsed value for the fields present (all writable fields when creating). An option
    field sent with the code the record holds is kept even if that entry was retired since."""
    out: dict[str, Any] = {}
    for f in kind.fields:
        if not f.writable or (not creating and f.name not in payload):
            continue
        held = getattr(row, f.attr) if row is not None and f.kind == "option" else None
        if held is not None and payload.get(f.name) == held:
            out[f.attr] = held
            continue
        if creating and f.name not in payload and f.default is not None:
            out[f.attr] = f.default
            continue
        try:
            out[f.attr] = parse(s, f, payload.get(f.name), ids)
        except Bad as e:
            fields_out[f.name] = e.message
            continue
        if not creating and f.name == kind.number_field and out[f.attr] in (None, ""):
            # a record keeps its number (NOT NULL); it is only issued when creating without one
            fields_out[f.name] = Msg("required", "required: a record keeps its number")
    return out


def _checked(s: Session, kind: Kind, actor: User, ids: set[int] | None, row: Any, payload: dict[str, Any],
             fields: dict[str, str]) -> dict[str, Any]:
    """The values of an API save (row None: creating), the kind's rules applied; problems into `fields`."""
    values = _values(s, kind, payload, ids, row is None, fields, row)
    kind.before_save(Save(s, actor, ids, row, payload, values, fields))
    kind.derive(row, values)
    return values


def _unique(s: Session, kind: Kind, row: Any, values: dict[str, Any]) -> None:
    """409 when a unique business key is taken by another record."""
    checks: list[tuple[str, Any]] = []
    if kind.number_field and values.get(kind.number_field):
        checks.append((kind.number_field, getattr(kind.model, kind.number_field) == values[kind.number_field]))
    checks += kind.unique_keys(row, values)
    for name, cond in checks:
        other = s.scalar(select(kind.model.id).where(cond))
        if other is not None and (row is None or other != row.id):
            raise Conflict(f"another {kind.label} has this {name}", {name: "already exists"})


# ---------------------------------------------------------------- saving


def _flush(s: Session, kind: Kind) -> None:
    """Flush; a unique key taken meanwhile by a concurrent save is a Conflict, not a server error."""
    try:
        s.flush()
    except IntegrityError as e:
        raise Conflict(f"another {kind.label} was saved with the same unique value; try again") from e


def _number(s: Session, kind: Kind, row: Any) -> None:
    """Fill the record's number (crm/numbering.py) when none was given, then the kind's own
    `on_save`; before the row is flushed."""
    if kind.number_field and not getattr(row, kind.number_field):
        while True:  # skip numbers already taken by hand-entered codes
            number = numbering.issue(s, kind.key)
            if s.scalar(select(kind.model.id).where(getattr(kind.model, kind.number_field) == number)) is None:
                break
        setattr(row, kind.number_field, number)
    kind.on_save(s, row)


def _insert(s: Session, kind: Kind, actor: User, values: dict[str, Any]) -> Any:
    """A new record of `kind` with its number, created by `actor`."""
    row = kind.model(**values, created_by_id=actor.id, created_at=utcnow())
    _number(s, kind, row)
    s.add(row)
    _flush(s, kind)
    kind.after_insert(s, row, actor)
    return row


# ---------------------------------------------------------------- use cases


def create(db: Database, actor_id: int, kind_key: str, payload: Any, customer_id: int | None = None
           ) -> dict[str, Any]:
    """Create a record. `customer_id` (nested routes) fixes the customer of a contact."""
    kind = kind_of(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        p = dict(_payload(kind, payload, actor, kind.create_only))
        if customer_id is not None:
            KINDS["customer"].load(s, actor, ids, customer_id)
            if "customer" in p and p["customer"] != customer_id:
                raise ValidationFailed("the customer is given by the path", {"customer": "must match the path"})
            p["customer"] = customer_id
        kind.check_create(actor)
        _may_edit(s, actor, kind, p, None)
        fields: dict[str, str] = {}
        values = _checked(s, kind, actor, ids, None, p, fields)
        if fields:
            raise ValidationFailed(f"invalid {kind.label}", fields)
        _unique(s, kind, None, values)
        row = _insert(s, kind, actor, values)
        s.flush()
        return shown(s, actor, kind, kind.as_dict(s, row))


def create_many(db: Database, actor_id: int, kind_key: str, payloads: list[Any]) -> list[dict[str, Any]]:
    """Create several records in one transaction, all or none (a spreadsheet import).

    Every payload is validated exactly like `create` (fields, allowed values, references within the
    caller's reach, unique numbers, also against each other); if any is invalid, ValidationFailed
    names every problem as `<index>.<field>` (0-based index into `payloads`) and nothing is created."""
    kind = kind_of(kind_key)
    if kind.key not in BULK_KINDS:
        raise NotFound(f"{kind.label}s cannot be created in bulk")
    if not isinstance(payloads, list) or len(payloads) > MAX_BULK:
        raise ValidationFailed("too many records", {"rows": f"at most {MAX_BULK}"})
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        fields: dict[str, str] = {}
        prepared: list[dict[str, Any]] = []
        numbers: dict[Any, int] = {}
        for i, payload in enumerate(payloads):
            row_fields: dict[str, str] = {}
            try:
                p = _payload(kind, payload, actor)
                _may_edit(s, actor, kind, p, None)
            except (ValidationFailed, Forbidden) as e:
                fields.update({f"{i}.{k}": v for k, v in e.fields.items()})
                continue
            values = _checked(s, kind, actor, ids, None, p, row_fields)
            number = values.get(kind.number_field) if kind.number_field else None
            if number:
                try:
                    _unique(s, kind, None, values)
                except Conflict as e:
                    row_fields.update(e.fields)
                if number in numbers:
                    row_fields[str(kind.number_field)] = f"repeats record {numbers[number]}"
                numbers.setdefault(number, i)
            fields.update({f"{i}.{k}": v for k, v in row_fields.items()})
            prepared.append(values)
        if fields:
            raise ValidationFailed(f"invalid {kind.label}s: nothing was created", fields)
        out = [shown(s, actor, kind, kind.as_dict(s, _insert(s, kind, actor, values))) for values in prepared]
        s.flush()
        return out


def get(db: Database, actor_id: int, kind_key: str, record_id: int) -> dict[str, Any]:
    kind = kind_of(kind_key)
    with db.uow() as s:
        actor = _actor(s, actor_id)
        return shown(s, actor, kind, kind.as_dict(s, kind.load(s, actor, reach(s, actor), record_id)))


def update(db: Database, actor_id: int, kind_key: str, record_id: int, payload: Any) -> dict[str, Any]:
    kind = kind_of(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        row = kind.load(s, actor, ids, record_id)
        kind.check_write(s, actor, row)
        p = _payload(kind, payload, actor)
        _may_edit(s, actor, kind, p, row)
        fields: dict[str, str] = {}
        values = _checked(s, kind, actor, ids, row, p, fields)
        if fields:
            raise ValidationFailed(f"invalid {kind.label} change", fields)
        _unique(s, kind, row, values)
        for attr, value in values.items():
            setattr(row, attr, value)
        _number(s, kind, row)
        _flush(s, kind)
        return shown(s, actor, kind, kind.as_dict(s, row))


def delete(db: Database, actor_id: int, kind_key: str, record_id: int) -> None:
    kind = kind_of(kind_key)
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        row = kind.load(s, actor, reach(s, actor), record_id)
        kind.check_write(s, actor, row)
        kind.before_delete(s, row)
        _to_recycle_bin(s, kind, row, actor)
        s.delete(row)


def _to_recycle_bin(s: Session, kind: Kind, row: Any, actor: User) -> None:
    """Keep the deleted record (and a customer's contacts, contact records and owner history) in the
    recycle bin (crm/admin/recycle.py), owned by the salesperson of its customer, else its user or
    creator."""
    if kind.key == "customer":
        owner = row.owner_id
    elif getattr(row, "customer_id", None) is not None:
        owner = s.scalar(select(Customer.owner_id).where(Customer.id == row.customer_id))
    else:
        owner = getattr(row, "user_id", None) or row.created_by_id
    children = {name: (model, list(s.scalars(select(model).where(col == row.id))))
                for name, (model, col) in CUSTOMER_CHILDREN.items()} if kind.key == "customer" else {}
    main = next((getattr(row, a) for a in ("name", "title", "number", "code", "period") if getattr(row, a, None)),
                f"#{row.id}")
    recycle.put(s, kind.key, f"{kind.label} {main}", row, owner, actor, children)


def _search(kind: Kind, stmt: Any, q: str | None, fields: dict[str, str], hidden: set[str]) -> Any:
    """`q` over every text field of the kind the reader may see (case-insensitive, substring)."""
    if q is None or not q.strip():
        return stmt
    if len(q) > MAX_Q:
        fields["q"] = f"at most {MAX_Q} characters"
        return stmt
    like = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cols = [getattr(kind.model, f.attr) for f in kind.fields if f.searchable and f.name not in hidden]
    return stmt.where(or_(*(func.lower(c).like(like, escape="\\") for c in cols)))


def _filters(s: Session, kind: Kind, stmt: Any, query: dict[str, str], fields: dict[str, str],
             hidden: set[str]) -> Any:
    """Exact filters: `?field=value` (users by username, references by id, `created_by` by username);
    a field hidden from the reader is not one they can filter on."""
    for name, raw in sorted(query.items()):
        if name in RESERVED_QUERY:
            continue
        f = F("created_by", "user", attr_name="created_by_id") if name == "created_by" else kind.by_name.get(name)
        if f is None or f.kind == "json" or name in hidden:
            fields[name] = "unknown filter; filter on: " + ", ".join(
                [x.name for x in kind.fields if x.kind != "json" and x.name not in hidden] + ["created_by", "q"])
            continue
        try:
            stmt = stmt.where(getattr(kind.model, f.attr) == filter_value(s, f, raw))
        except Bad as e:
            fields[name] = str(e)
    return stmt


def list_records(db: Database, actor_id: int, kind_key: str, query: dict[str, str] | None = None,
                 offset: int = 0, limit: int = 20, customer_id: int | None = None
                 ) -> tuple[list[dict[str, Any]], int]:
    """The records the actor may see, newest first. `query`: `q` searches every text field
    (case-insensitive, substring); any other key is an exact filter on that field (users by
    username, references by id, `created_by` by username)."""
    kind = kind_of(kind_key)
    query = dict(query or {})
    with db.uow() as s:
        actor = _actor(s, actor_id)
        ids = reach(s, actor)
        stmt = kind.visible(s, actor, ids)
        if customer_id is not None:
            KINDS["customer"].load(s, actor, ids, customer_id)
            stmt = stmt.where(kind.model.customer_id == customer_id)
        fields: dict[str, str] = {}
        hidden = field_rules.limits(s, actor).hides(kind.key)
        stmt = _search(kind, stmt, query.pop("q", None), fields, hidden)
        stmt = _filters(s, kind, stmt, query, fields, hidden)
        if fields:
            raise ValidationFailed("invalid search", fields)
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = s.scalars(stmt.order_by(kind.model.id.desc()).offset(offset).limit(limit))
        return [shown(s, actor, kind, kind.as_dict(s, row)) for row in rows], int(total or 0)


def all_visible(db: Database, actor_id: int, kind_key: str, query: dict[str, str] | None = None
                ) -> list[dict[str, Any]]:
    """Every record the actor may see matching `query` (as list_records), oldest first: for exports."""
    items, _ = list_records(db, actor_id, kind_key, query, 0, MAX_ID)
    return items[::-1]


# ---------------------------------------------------------------- for processes (service tasks)


def process_update(s: Session, kind_key: str, record_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a record from a process step, inside the engine's transaction: the same field
    validation as the API (process-owned fields such as status included), no user permission
    check — the process definition decides who got here. Raises ValidationFailed / NotFound; the
    caller's transaction then rolls back."""
    kind = kind_of(kind_key)
    row = s.get(kind.model, record_id) if isinstance(record_id, int) and 0 < record_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"{kind.label} {record_id} not found")
    p = _payload(kind, changes, None)
    kind.before_process_update(p)
    fields: dict[str, str] = {}
    values = _values(s, kind, p, None, False, fields, row)
    kind.derive(row, values)
    if fields:
        raise ValidationFailed(f"invalid {kind.label} change", fields)
    for attr, value in values.items():
        setattr(row, attr, value)
    _number(s, kind, row)
    s.flush()
    return kind.as_dict(s, row)


def set_status(s: Session, kind_key: str, record_id: int, status: str) -> dict[str, Any]:
    """e.g. set_status(s, "contract", 7, "signed"), for the processes' service tasks."""
    return process_update(s, kind_key, record_id, {"status": status})
