"""The search page (/search?q=): instances and CRM records the reader may see, with snippets."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from markupsafe import Markup

from core.errors import ValidationFailed
from search import query
from web.users import current_user, database, login_required
from worklist import bp

LINKS = {"instance": "/instances/{id}", "customer": "/crm/customers/{id}", "contact": "/crm/contacts/{id}",
         "contract": "/crm/contracts/{id}", "agent": "/crm/agents/{id}", "ticket": "/crm/tickets/{id}",
         "contact_record": "/crm/customers/{customer_id}#contact-records",
         "opportunity": "/crm/opportunities/{id}"}


@bp.get("/search")
@login_required
def search_page() -> Any:
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or None
    result: dict[str, Any] = {"items": [], "total": 0}
    error = None
    if q:
        try:
            result = query.search(database(), current_user()["id"], q, kind, limit=50)  # type: ignore[index]
        except ValidationFailed as e:
            error = next(iter(e.fields.values()), e.message)
    items = [{**it, "highlighted": Markup(it["highlighted"]),  # noqa: S704 (escaped by search.query.snippet)
              "url": LINKS.get(it["kind"], "").format(**it) or None} for it in result["items"]]
    return render_template("search.html", q=q, kind=kind, items=items, total=result["total"], error=error,
                           kinds=query.KINDS)
