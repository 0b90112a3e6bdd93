"""The reports page (/reports, 报表): charts drawn in the browser with Apache ECharts
(frontend/src/reports.js) from the JSON reports (/api/v1/reports/<name>, engine/reports.py), each
with its table and an Excel export. For admins and department heads (a head: their department
tree); the SLA view for admins only. Filters: from / to / process / department."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext

from core.errors import Forbidden, ValidationFailed
from engine import reports
from web.messages import translate_fields
from web.nav import add_nav
from web.users import current_user, database, login_required
from worklist import bp


def _may_see(user: dict[str, Any]) -> bool:
    """The menu entry, without a query of its own (it is on every page): admins, process admins and
    the head of the department the user belongs to. A head of only other departments opens /reports
    from its address (the page itself asks engine/reports_scope.py)."""
    return bool(user.get("is_admin") or user.get("is_head") or "process_admin" in (user.get("roles") or []))


add_nav("reports", "worklist.reports_page", lazy_gettext("Reports"), visible=_may_see)

TITLES = {"processes": lazy_gettext("By process"), "nodes": lazy_gettext("By step"),
          "people": lazy_gettext("By person"), "bottlenecks": lazy_gettext("Bottleneck steps"),
          "trends": lazy_gettext("Trend by week"), "sla": lazy_gettext("Deadlines by step (SLA)")}
LABELS = {
    "count": lazy_gettext("Count"), "approved": lazy_gettext("Approved"), "rejected": lazy_gettext("Rejected"),
    "running": lazy_gettext("In progress"), "open": lazy_gettext("Still open"),
    "approval_rate": lazy_gettext("Approval rate"),
    "median": lazy_gettext("Median (hours)"), "p90": lazy_gettext("P90 (hours)"), "overdue": lazy_gettext("Overdue"),
    "pending": lazy_gettext("Pending"), "decided": lazy_gettext("Decided"),
    "avg": lazy_gettext("Average time to decide (hours)"), "started": lazy_gettext("Started"),
    "finished": lazy_gettext("Finished"), "due": lazy_gettext("With a due time"), "urged": lazy_gettext("Urged"),
    "tasks": lazy_gettext("Tasks"), "process": lazy_gettext("Process"), "step": lazy_gettext("Step"),
    "person": lazy_gettext("Person"), "week": lazy_gettext("Week of"), "empty": lazy_gettext("No data."),
    "failed": lazy_gettext("The report could not be loaded."),
}
FILTERS = ("from", "to", "process", "department")


@bp.get("/reports")
@login_required
def reports_page() -> Any:
    uid = current_user()["id"]  # type: ignore[index]
    menu = reports.menu(database(), uid)
    if menu is None:
        raise Forbidden("reports are for administrators and department heads", reason="reports_forbidden")
    chosen = {k: (request.args.get(k) or "").strip() for k in FILTERS}
    errors: dict[str, str] = {}
    try:
        reports.report(database(), uid, "trends", chosen)  # the filters checked once, said at their field
    except ValidationFailed as e:
        errors = translate_fields(e.fields)
    query = {k: v for k, v in chosen.items() if v}
    return render_template("reports.html", nav="reports", menu=menu, chosen=chosen, errors=errors,
                           names=[n for n in menu["reports"]] if not errors else [], query=query,
                           titles=TITLES, labels={k: str(v) for k, v in LABELS.items()})
