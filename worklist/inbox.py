"""The inbox (/): what waits for me, what I did, what I started, what I was copied on.

Filters (process, received from/to, keyword) and the sort travel in the query string, so a
paging link or a bookmark keeps them. Copies (抄送) open through /cc/<id>, which marks them read.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import get_timezone

from core.errors import ValidationFailed
from core.ids import as_id
from crm import pickers
from engine import inbox as engine_inbox
from engine.inbox_filters import RecordFilters, record_filters
from engine.inbox_page import inbox_page
from web.paging import page_number
from web.users import current_user, database, login_required
from worklist import bp

PAGE_SIZE = 20
FILTERS = ("process", "q", "customer", "contract", "agent", "overdue", "from", "to", "sort")
RECORD_PICKERS = (("customer", "customers"), ("contract", "contracts"), ("agent", "agents"))


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _zone() -> str:
    """The user's time zone by name (flask-babel hands back a pytz zone; its name is what counts:
    a pytz zone passed as `tzinfo=` gives local mean time, +08:06 for Asia/Shanghai)."""
    tz = get_timezone()
    return getattr(tz, "zone", None) or str(tz)


def inbox_filters(args: Any) -> dict[str, str]:
    """The filters as the page shows them (invalid ones dropped)."""
    out = {}
    for key in FILTERS:
        value = (args.get(key) or "").strip()
        if key in ("from", "to") and not _day(value):
            continue
        if key == "sort" and value not in engine_inbox.SORTS:
            continue
        if key == "q":
            value = value[:engine_inbox.MAX_Q]
        if key in ("customer", "contract", "agent") and as_id(value) is None:
            continue  # not an id (a huge number, "²", text): dropped, never an error page for a bookmark
        if key == "overdue":
            value = "true" if value in ("true", "1", "on") else ""
        if value:
            out[key] = value
    return out


def _records(filters: dict[str, str]) -> RecordFilters:
    try:
        return record_filters(filters.get("customer"), filters.get("contract"), filters.get("agent"),
                              filters.get("overdue"))
    except ValidationFailed:  # dropped by inbox_filters already; never an error page for a bookmark
        return RecordFilters()


def record_searches(args: Any) -> dict[str, str]:
    """The texts typed into the customer / contract / agent pickers without JavaScript
    (`customer_q=`...): the page then offers the matching records to choose from. They only fill
    the pickers; they never filter the list (that is `customer=<id>` and the like)."""
    out = {}
    for key, _picker in RECORD_PICKERS:
        text = (args.get(f"{key}_q") or "").strip()[:engine_inbox.MAX_Q]
        if text:
            out[key] = text
    return out


def record_options(uid: int, filters: dict[str, str], searches: dict[str, str]
                   ) -> dict[str, list[dict[str, Any]]]:
    """The options each record picker renders: the chosen record with its label (only when the user
    may pick it: an id from someone else's bookmark shows as "#id", its name not given away), then,
    when the user searched without JavaScript, the records matching the text. Other options load on
    demand from GET /api/v1/pickers/<picker>?q= (frontend/src/inbox.js), so a plain page load reads
    no record lists at all."""
    keys = dict(RECORD_PICKERS)
    picked = pickers.chosen(database(), uid, {keys[k]: int(filters[k]) for k in keys if filters.get(k)})
    out = {}
    for key, picker in RECORD_PICKERS:
        options: list[dict[str, Any]] = []
        if filters.get(key):
            options.append(picked.get(picker) or {"value": int(filters[key]), "label": f"#{filters[key]}"})
        if key in searches:
            options += [o for o in pickers.search(database(), uid, picker, searches[key])
                        if str(o["value"]) != filters.get(key)]
        out[key] = options
    return out


def safe_inbox_url(target: str | None) -> str:
    """Back to where the user was: a path on this site only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("worklist.inbox")


@bp.get("/")
@login_required
def inbox() -> Any:
    uid = current_user()["id"]  # type: ignore[index]
    box = request.args.get("box", "todo")
    if box not in engine_inbox.BOXES:
        box = "todo"
    page = page_number(request.args)
    filters = inbox_filters(request.args)
    searches = record_searches(request.args)
    received_from, received_before = engine_inbox.day_bounds(_day(filters.get("from")), _day(filters.get("to")),
                                                              _zone())
    cursor = request.args.get("cursor") or None
    narrowed = bool(filters.keys() - {"sort"})
    try:  # the page's one read: the rows, the tabs' counts, the processes of the filter
        view = inbox_page(
            database(), uid, box, (page - 1) * PAGE_SIZE, PAGE_SIZE, filtered=narrowed,
            process=filters.get("process"), q=filters.get("q"),
            received_from=received_from, received_before=received_before,
            sort=filters.get("sort", "received"), records=_records(filters), cursor=cursor,
            count_cap=engine_inbox.COUNT_CAP)
    except ValidationFailed as e:
        if "cursor" not in e.fields:
            raise
        return redirect(url_for("worklist.inbox", box=box, **filters))  # a stale or mangled link: page 1
    got, totals, processes = view.page, view.totals, view.processes
    items, total = got.items, got.total
    now = datetime.now(tz=UTC)
    for item in items:
        open_ = item["instance_status"] == "running" and (box != "todo" or item["status"] == "open")
        item["overdue"] = bool(open_ and box != "done" and item["due_at"]
                               and datetime.fromisoformat(item["due_at"]) < now)
    pages = max(1, -(-total // PAGE_SIZE))

    def page_url(n: int, keyset: str | None = None) -> str:
        # Pages 1 and 2 by number (an offset of one page costs nothing); further ones after the
        # row a cursor names, so a deep page costs what the first one does.
        return url_for("worklist.inbox", box=box, page=n, **filters,
                       **({"cursor": keyset} if keyset and n > 2 else {}))

    return render_template("inbox.html", box=box, items=items, total=shown(total), counts=_shown(totals),
                           page=page, pages=f"{pages}+" if total >= engine_inbox.COUNT_CAP else pages,
                           prev_url=page_url(page - 1, got.prev_cursor) if page > 1 and got.prev_cursor else None,
                           next_url=page_url(page + 1, got.next_cursor) if got.next_cursor else None,
                           filters=filters, processes=processes, records=record_options(uid, filters, searches),
                           searches=searches,
                           filtered=narrowed)


def shown(n: int) -> int | str:
    """A count as the page shows it: "999+" from COUNT_CAP on (counting stops there)."""
    return f"{engine_inbox.COUNT_CAP - 1}+" if n >= engine_inbox.COUNT_CAP else n


def _shown(totals: dict[str, int]) -> dict[str, int | str]:
    return {k: shown(v) for k, v in totals.items()}


@bp.get("/cc/<int:cc_id>")
@login_required
def open_copy(cc_id: int) -> Any:
    """A copy sent to me: marked read, then its instance page."""
    instance_id = engine_inbox.open_copy(database(), current_user()["id"], cc_id)  # type: ignore[index]
    return redirect(f"/instances/{instance_id}")
