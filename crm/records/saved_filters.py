"""Saved filters: a user's named sets of list filters per list page (客户列表 "常用筛选").

The query is checked like a list's (every key a filter the record kind has, every value one it
accepts), so a saved filter always opens; each user sees and deletes only their own.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.errors import NotFound, ValidationFailed
from core.ids import is_id
from crm.admin import field_rules
from crm.records.catalogue import KINDS
from crm.records.models import SavedFilter
from crm.records.permissions import actor as _actor
from crm.records.permissions import reach
from crm.records.service import _filters, _search
from db.base import utcnow
from db.session import Database

# list page -> record kind it lists
PAGES = {"customers": "customer", "contacts": "contact", "contracts": "contract", "agents": "agent",
         "tickets": "ticket", "expense_claims": "expense_claim", "settlements": "settlement",
         "opportunities": "opportunity"}
MAX_NAME = 100
MAX_PER_PAGE = 50


def _page(page: Any) -> str:
    if page not in PAGES:
        raise NotFound(f"no list page '{page}'")
    return str(page)


def as_dict(f: SavedFilter) -> dict[str, Any]:
    return {"id": f.id, "page": f.page, "name": f.name, "query": dict(f.query or {})}


def list_saved(db: Database, actor_id: int, page: str) -> list[dict[str, Any]]:
    page = _page(page)
    with db.uow() as s:
        _actor(s, actor_id)
        rows = s.scalars(select(SavedFilter).where(SavedFilter.user_id == actor_id, SavedFilter.page == page)
                         .order_by(SavedFilter.name))
        return [as_dict(f) for f in rows]


def save(db: Database, actor_id: int, page: str, name: Any, query: Any) -> dict[str, Any]:
    """Save (or replace, by name) the user's filter `name` on `page`; 422 naming the field."""
    page = _page(page)
    fields: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip():
        fields["name"] = "required"
    elif len(name.strip()) > MAX_NAME:
        fields["name"] = f"at most {MAX_NAME} characters"
    if not isinstance(query, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
        fields["query"] = "an object of filter names to text values"
        query = {}
    query = {k: v.strip() for k, v in query.items() if v.strip() and k not in ("page", "per_page")}
    if not query and "query" not in fields:
        fields["query"] = "choose at least one filter"
    with db.uow(write=True) as s:
        actor = _actor(s, actor_id)
        kind = KINDS[PAGES[page]]
        problems: dict[str, str] = {}
        rest = dict(query)
        hidden = field_rules.limits(s, actor).hides(kind.key)  # no saved filter on a field the user may not see
        stmt = _search(kind, kind.visible(s, actor, reach(s, actor)), rest.pop("q", None), problems, hidden)
        _filters(s, kind, stmt, rest, problems, hidden)
        fields.update({f"query.{k}": v for k, v in problems.items()})
        if fields:
            raise ValidationFailed("invalid saved filter", fields)
        name = str(name).strip()
        row = s.scalar(select(SavedFilter).where(SavedFilter.user_id == actor.id, SavedFilter.page == page,
                                                 SavedFilter.name == name))
        if row is None:
            count = s.scalar(select(func.count()).select_from(SavedFilter).where(
                SavedFilter.user_id == actor.id, SavedFilter.page == page))
            if (count or 0) >= MAX_PER_PAGE:
                raise ValidationFailed("too many saved filters", {"name": f"at most {MAX_PER_PAGE} per page"})
            row = SavedFilter(user_id=actor.id, page=page, name=name, created_at=utcnow())
            s.add(row)
        row.query = query
        s.flush()
        return as_dict(row)


def delete(db: Database, actor_id: int, filter_id: int) -> None:
    """Delete one of the user's own saved filters (someone else's: NotFound)."""
    with db.uow(write=True) as s:
        _actor(s, actor_id)
        row = s.get(SavedFilter, filter_id) if is_id(filter_id) else None
        if row is None or row.user_id != actor_id:
            raise NotFound(f"saved filter {filter_id} not found")
        s.delete(row)
