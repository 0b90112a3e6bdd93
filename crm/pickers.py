"""CRM pickers: the options of form selects with a `valuesKey` (DESIGN.md §4), per user.

A start form's `contract_id` select with `"valuesKey": "contracts"` offers, and accepts, only the
contracts that user may see. The server supplies the options to the form (`GET /api/v1/pickers/{key}`)
and validates submissions against the same list, so a hand-made request cannot pick a record the
user may not see.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import false, literal, or_, select, union_all
from sqlalchemy.orm import Session

from core.errors import DomainError, NotFound, ValidationFailed
from core.ids import as_id
from crm import assets, documents
from crm import records as rs
from crm.admin import options as option_lists
from crm.models import User
from crm.office_models import Asset, OfficialDocument
from crm.records import Agent, Contract, Customer, Opportunity
from crm.records.opportunities import UNASSIGNED, opportunity_scope
from db.session import Database

MAX_OPTIONS = 50


def _matching(stmt: Any, q: str | None, *cols: Any) -> Any:
    """`stmt` narrowed to the rows one of `cols` contains the search text `q` in (any case), if any."""
    if not q:
        return stmt
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return stmt.where(or_(*(c.ilike(pattern, escape="\\") for c in cols)))


def _customers(s: Session, actor: User, q: str | None) -> Any:
    stmt = select(Customer.id, Customer.name, Customer.code).order_by(Customer.name)
    ids = rs.reach(s, actor)
    if ids is not None:
        stmt = stmt.where(Customer.owner_id.in_(sorted(ids)))
    return _matching(stmt, q, Customer.name, Customer.code)


def _contracts(s: Session, actor: User, q: str | None) -> Any:
    stmt = select(Contract.id, Contract.title, Contract.number).join(Customer, Customer.id == Contract.customer_id)
    ids = rs.reach(s, actor)
    if ids is not None:
        stmt = stmt.where(Customer.owner_id.in_(sorted(ids)))
    return _matching(stmt, q, Contract.title, Contract.number).order_by(Contract.number)


def _agents(s: Session, actor: User, q: str | None) -> Any:
    stmt = select(Agent.id, Agent.name, Agent.code).order_by(Agent.name)
    return _matching(stmt, q, Agent.name, Agent.code)


def _users(s: Session, actor: User, q: str | None) -> Any:
    stmt = select(User.username, User.display_name, User.username).where(User.active.is_(True)).order_by(User.id)
    return _matching(stmt, q, User.username, User.display_name)


def _deactivated_users(s: Session, actor: User, q: str | None) -> Any:
    """Deactivated users (离职人员, the staff_handover start form's `leaver`): every one of them for
    an administrator, who may start a handover by hand; anyone else is offered only themself when
    deactivated (the handover that starts on deactivation runs as the leaver)."""
    stmt = select(User.username, User.display_name, User.username).where(User.active.is_(False)).order_by(User.id)
    if not actor.is_admin:
        stmt = stmt.where(User.id == actor.id)
    return _matching(stmt, q, User.username, User.display_name)


def _assets(s: Session, actor: User, q: str | None) -> Any:
    stmt = assets.in_stock(s)
    return _matching(stmt, q, Asset.name, Asset.tag)


def _my_assets(s: Session, actor: User, q: str | None) -> Any:
    stmt = assets.held_by(s, actor.id)
    return _matching(stmt, q, Asset.name, Asset.tag)


def _documents(s: Session, actor: User, q: str | None) -> Any:
    stmt = documents.archivable(s)
    return _matching(stmt, q, OfficialDocument.title, OfficialDocument.number)


def _option_list(category: str) -> Callable[[Session, User, str | None], Any]:
    """A picker of the data dictionary's list `category` (crm/admin/options.py): its offered entries,
    labelled in the user's language, as a statement like the record pickers' (value, label, code)."""

    def picker(s: Session, actor: User, q: str | None) -> Any:
        shown = [(e.code, e.label(actor.locale)) for e in option_lists.entries(s, category) if e.active]
        if q:
            shown = [(c, lbl) for c, lbl in shown if q.lower() in c.lower() or q.lower() in lbl.lower()]
        rows = [select(literal(c).label("value"), literal(lbl).label("label"), literal(i).label("pos"))
                for i, (c, lbl) in enumerate(shown)]
        if not rows:
            return select(literal("").label("value"), literal("").label("label"), literal("").label("code")).where(
                false())
        u = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery()
        return select(u.c.value, u.c.label, u.c.value.label("code")).order_by(u.c.pos)

    return picker


# valuesKey of a form select -> the option list of the data dictionary it offers
OPTION_PICKERS = {"customer_levels": "customer_level", "customer_types": "customer_type",
                  "customer_statuses": "customer_status", "customer_stages": "customer_stage",
                  "area_codes": "area_code", "industries": "industry", "ticket_categories": "ticket_category",
                  "expense_categories": "expense_category"}


def _opportunities(s: Session, actor: User, q: str | None) -> Any:
    """Unassigned opportunities the user may see: what the sales-opportunity process takes in."""
    stmt = select(Opportunity.id, Opportunity.summary, Opportunity.number).where(Opportunity.status == UNASSIGNED)
    scope = opportunity_scope(rs.reach(s, actor))
    if scope is not None:
        stmt = stmt.where(scope)
    return _matching(stmt, q, Opportunity.summary, Opportunity.number, Opportunity.customer_name).order_by(
        Opportunity.id.desc())


PICKERS: dict[str, Callable[[Session, User, str | None], Any]] = {
    "customers": _customers, "contracts": _contracts, "agents": _agents, "users": _users,
    "deactivated_users": _deactivated_users,
    "opportunities": _opportunities,
    # the library processes (bpmn/library/): in-stock assets, the caller's assets, archivable documents
    "assets": _assets, "my_assets": _my_assets, "documents": _documents,
    **{key: _option_list(category) for key, category in OPTION_PICKERS.items()},
}


def options(s: Session, user_id: int, key: str, q: str | None = None, limit: int | None = MAX_OPTIONS
            ) -> list[dict[str, Any]]:
    """[{value, label}] the user may pick for `key` (None limit: all of them, for validation)."""
    picker = PICKERS.get(key)
    if picker is None:
        raise NotFound(f"no picker '{key}'", {"key": f"one of {', '.join(sorted(PICKERS))}"})
    actor = s.get(User, user_id)
    if actor is None:
        raise NotFound(f"user {user_id} not found")
    stmt = picker(s, actor, q)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [{"value": value, "label": f"{label} ({code})" if code and code != value else label}
            for value, label, code in s.execute(stmt)]


def _option(s: Session, user_id: int, key: str, value: Any) -> dict[str, Any] | None:
    if isinstance(value, int) and not isinstance(value, bool) and as_id(value) is None:
        return None  # beyond any id column: names nothing (and would overflow the column's type)
    if key not in PICKERS or isinstance(value, bool) or not isinstance(value, int | str):
        return None
    actor = s.get(User, user_id)
    if actor is None:
        return None
    stmt = PICKERS[key](s, actor, None)
    row = s.execute(stmt.where(list(stmt.selected_columns)[0] == value).limit(1)).first()
    if row is None:
        return None
    value, label, code = row
    return {"value": value, "label": f"{label} ({code})" if code and code != value else label}


def option(db: Database, user_id: int, key: str, value: Any) -> dict[str, Any] | None:
    """The option `value` of picker `key` if the user may pick it, else None (e.g. a start page's
    `?customer=<id>` pre-fill: a customer the user may not see is simply not filled in)."""
    with db.uow() as s:
        return _option(s, user_id, key, value)


def chosen(db: Database, user_id: int, wanted: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """{picker key: the option of its chosen value, or None when the user may not pick it} for several
    pickers in one transaction (the inbox's customer / contract / agent filters as bookmarked)."""
    if not wanted:
        return {}
    with db.uow() as s:
        return {key: _option(s, user_id, key, value) for key, value in wanted.items()}


def options_for(s: Session, user_id: int, keys: set[str]) -> dict[str, list[Any]]:
    """Every allowed value of the known picker keys, for server-side validation of a form."""
    return {k: [o["value"] for o in options(s, user_id, k, limit=None)] for k in keys if k in PICKERS}


MAX_Q = 100  # as the inbox's keyword (engine/inbox.py)


def search(db: Database, user_id: int, key: str, q: Any = None) -> list[dict[str, Any]]:
    """The options a form shows, optionally filtered by a search text (use case: own transaction).
    A search text over MAX_Q characters is a 422 naming `q` (no option's name or code is that long)."""
    if isinstance(q, str) and len(q) > MAX_Q:
        raise ValidationFailed("search text too long", {"q": f"at most {MAX_Q} characters"})
    with db.uow() as s:
        return options(s, user_id, key, q if isinstance(q, str) and q.strip() else None)


def _office_label(s: Session, key: str, value: Any) -> str | None:
    """The name of an asset or document a form picked, whatever its state now (an asset picked at
    start is reserved, then issued: no longer offered, still named on the form)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if key in ("assets", "my_assets"):
        a = s.get(Asset, value)
        return f"{a.name} ({a.tag})" if a is not None else None
    if key == "documents":
        d = s.get(OfficialDocument, value)
        return f"{d.title} ({d.number})" if d is not None else None
    return None


def picked(s: Session, user_id: int, key: str, values: set[Any]) -> list[dict[str, Any]]:
    """The options of picker `key` among `values` (a read-only form's labels): those the user may
    pick, plus the office records picked earlier that are no longer offered."""
    found = [o for o in options(s, user_id, key, limit=None) if o["value"] in values]
    have = {repr(o["value"]) for o in found}
    for value in sorted(values, key=repr):
        label = _office_label(s, key, value) if repr(value) not in have else None
        if label:
            found.append({"value": value, "label": label})
    return found


# record kind of each picker whose values are CRM record ids (labelled as records when not offered)
RECORD_PICKERS = {"customers": "customer", "contracts": "contract", "agents": "agent", "opportunities": "opportunity"}


def form_options(s: Session, user_id: int, fields: list[tuple[str, str]], data: dict[str, Any],
                 editable: list[str], label: Callable[[str, Any, dict[str, Any]], str]) -> dict[str, list[Any]]:
    """Options of a form's CRM pickers, by valuesKey, for `fields` [(valuesKey, field key)]: what the
    user may pick where the field is `editable`, and at least the current value (with its name,
    `label(kind, id, data)`) where it is shown read-only."""
    out: dict[str, list[dict[str, Any]]] = {}
    found: dict[str, list[dict[str, Any]]] = {}  # each picker's options read once
    for values_key, key in fields:
        offered: list[dict[str, Any]] = []
        if key in editable:
            if values_key not in found:
                try:
                    found[values_key] = options(s, user_id, values_key)
                except DomainError:
                    found[values_key] = []
            offered = list(found[values_key])
        for current in _current_values(data, key):  # the field's value, or each list item's (lines.customer)
            if all(o["value"] != current for o in offered):
                kind = RECORD_PICKERS.get(values_key)
                name = label(kind, current, data) if kind else (_office_label(s, values_key, current)
                                                                or _option_label(s, user_id, values_key, current))
                offered = [{"value": current, "label": name}, *offered]
        known = {repr(o["value"]) for o in out.get(values_key, [])}
        out[values_key] = [*out.get(values_key, []), *(o for o in offered if repr(o["value"]) not in known)]
    return out


def _option_label(s: Session, user_id: int, values_key: str, code: Any) -> str:
    """The dictionary label of a code shown read-only (a retired entry's too), else the code."""
    category = OPTION_PICKERS.get(values_key)
    user = s.get(User, user_id)
    if category is None or user is None:
        return str(code)
    return option_lists.labels(s, category, user.locale).get(code, str(code))


def _current_values(data: dict[str, Any], key: str) -> list[Any]:
    """The values of field `key` at the top of `data` and inside its lists of objects (a dynamic
    list's items), in order, without repeats and empties."""
    found: list[Any] = []

    def add(value: Any) -> None:
        if value not in (None, "") and isinstance(value, str | int) and value not in found:
            found.append(value)

    add(data.get(key))
    for value in data.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    add(item.get(key))
    return found
