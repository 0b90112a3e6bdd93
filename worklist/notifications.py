"""Notification pages: the bell on every page (its unread count), the list (/notifications) with
mark read / all read, "my settings" (/settings: e-mail, mobile, preferences per event and channel,
the calendar feed link) and, for admins, the deliveries that failed (/admin/notifications).
Every write goes through a notify/service.py use case."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from core.errors import DomainError
from notify import kinds, service
from web.errors import FORM_REFUSED, form_refusal
from web.nav import add_nav
from web.paging import page_number
from web.users import admin_required, current_user, database, login_required
from worklist import bp

PAGE_SIZE = 20
KIND_LABELS = {
    "task": lazy_gettext("New task"), "urge": lazy_gettext("Urged"), "mention": lazy_gettext("Mentioned"),
    "returned": lazy_gettext("Returned to me"), "decided": lazy_gettext("My request decided"),
    "cc": lazy_gettext("Copied to me"), "due_soon": lazy_gettext("Due soon"), "overdue": lazy_gettext("Overdue"),
    "handover": lazy_gettext("Handed over to me"), "reminder": lazy_gettext("CRM reminders"),
}
CHANNEL_LABELS = {"email": lazy_gettext("E-mail"), "webhook": lazy_gettext("Group robot")}

add_nav("deliveries", "worklist.admin_deliveries", lazy_gettext("Deliveries"),
        visible=lambda u: bool(u.get("is_admin")))


def _uid() -> int:
    return current_user()["id"]  # type: ignore[index]


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    def notify_unread() -> int | None:
        """The unread count when this page read it already (the list); else None: the bell asks the
        API from the browser, so a page stays one read transaction (tests/web/test_task__one_read.py)."""
        return g.get("lz_unread")

    return {"notify_unread": notify_unread}


@bp.get("/notifications")
@login_required
def notifications() -> Any:
    page = page_number(request.args)
    unread = request.args.get("unread") == "1"
    items, total, count = service.list_mine(database(), _uid(), (page - 1) * PAGE_SIZE, PAGE_SIZE, unread=unread)
    g.lz_unread = count
    return render_template("notifications.html", nav="notifications", items=items, total=total, unread=unread,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), labels=KIND_LABELS)


@bp.post("/notifications/<int:nid>/open")
@login_required
def notification_open(nid: int) -> Any:
    item = service.mark_read(database(), _uid(), nid)
    url = item["url"] if item["url"].startswith("/") and not item["url"].startswith("//") else "/"
    return redirect(url)


@bp.post("/notifications/<int:nid>/read")
@login_required
def notification_read(nid: int) -> Any:
    service.mark_read(database(), _uid(), nid)
    return redirect(url_for("worklist.notifications", unread=request.form.get("unread") or None))


@bp.post("/notifications/read-all")
@login_required
def notifications_read_all() -> Any:
    n = service.mark_all_read(database(), _uid())["read"]
    flash(_("%(n)s notifications marked read.", n=n), "success")
    return redirect(url_for("worklist.notifications"))


# ---------------------------------------------------------------- my settings


def _settings_page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    token = values.get("feed_token")
    feed = url_for("api.my_calendar", token=token, _external=True) if token else None
    return render_template("my_settings.html", nav="settings", values=values, errors=errors, feed=feed,
                           kinds=kinds.KINDS, channels=kinds.CHOOSABLE, labels=KIND_LABELS,
                           channel_labels=CHANNEL_LABELS), status


@bp.get("/settings")
@login_required
def my_settings() -> Any:
    return _settings_page(service.my_settings(database(), _uid()), {})


@bp.post("/settings")
@login_required
def my_settings_save() -> Any:
    if request.form.get("action") == "new_token":
        service.new_feed_token(database(), _uid())
        flash(_("A new calendar link was made; the old one no longer works."), "success")
        return redirect(url_for("worklist.my_settings"))
    prefs = {k: {c: f"{k}.{c}" in request.form for c in kinds.CHOOSABLE} for k in kinds.KINDS}
    payload = {"email": request.form.get("email", ""), "mobile": request.form.get("mobile", ""),
               "preferences": prefs}
    try:
        service.update_settings(database(), _uid(), payload)
    except DomainError as e:
        shown = {**service.my_settings(database(), _uid()), "email": payload["email"], "mobile": payload["mobile"],
                 "preferences": prefs}
        return _settings_page(shown, form_refusal(e), FORM_REFUSED)
    flash(_("Your settings were saved."), "success")
    return redirect(url_for("worklist.my_settings"))


# ---------------------------------------------------------------- admins


@bp.get("/admin/notifications")
@admin_required
def admin_deliveries() -> Any:
    page = page_number(request.args)
    items, total = service.failed_deliveries(database(), _uid(), (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template("admin_deliveries.html", nav="deliveries", items=items, total=total, page=page,
                           timers=service.failed_timers(database(), _uid()),
                           pages=max(1, -(-total // PAGE_SIZE)), labels=KIND_LABELS, channel_labels=CHANNEL_LABELS)


@bp.post("/admin/notifications/<int:nid>/retry")
@admin_required
def admin_delivery_retry(nid: int) -> Any:
    result = service.retry_delivery(database(), _uid(), nid)
    flash(_("Sent.") if result["sent"] else _("Sending failed again."), "success" if result["sent"] else "error")
    return redirect(url_for("worklist.admin_deliveries"))
