"""The CRM administration pages (issue 15): the data dictionary (/crm/admin/options), field
permissions per role (/crm/admin/field-rules) and the system log (/crm/admin/log) for admins; the
recycle bin (/crm/recycle-bin) for admins and supervisors (what they may restore). Every write goes
through a crm/admin use case; a refused one shows its reasons at the form, in the user's language,
and changes nothing."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from core.errors import Conflict, DomainError
from crm.admin import field_rules, options, recycle, syslog
from web.errors import FORM_REFUSED, form_refusal
from web.i18n import select_locale
from web.nav import add_nav
from web.paging import page_number
from web.users import admin_required, database, login_required
from workspace import bp, labels
from workspace.records import uid

PAGE_SIZE = 50
PERMS = (("view", lazy_gettext("View")), ("edit", lazy_gettext("Change")), ("export", lazy_gettext("Export")))
LOG_TYPES = {"user": lazy_gettext("Users"), "role": lazy_gettext("Roles"), "department": lazy_gettext("Departments"),
             "field_rule": lazy_gettext("Field permissions"), "option": lazy_gettext("Data dictionary"),
             "definition": lazy_gettext("Process definitions"), "record": lazy_gettext("Deleted records")}

add_nav("crm_admin", "workspace.admin_options", lazy_gettext("CRM settings"), visible=lambda u: bool(u.get("is_admin")))


# ---------------------------------------------------------------- data dictionary


def _options_page(errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    lists = options.list_categories(database(), uid(), select_locale())
    return render_template("workspace/admin_options.html", nav="crm_admin", section="options", lists=lists,
                           errors=errors or {}), status


@bp.get("/admin/options")
@admin_required
def admin_options() -> Any:
    return _options_page()


@bp.post("/admin/options/<category>")
@admin_required
def admin_option_save(category: str) -> Any:
    f = request.form
    code = (f.get("code") or "").strip()
    payload: dict[str, Any] = {"label_zh": f.get("label_zh", ""), "label_en": f.get("label_en", ""),
                               "active": f.get("active") == "on"}
    try:
        saved = options.save_entry(database(), uid(), category, code, payload)
    except DomainError as e:
        return _options_page({"category": category, "code": code, "fields": form_refusal(e)}, FORM_REFUSED)
    flash(_("%(code)s saved.", code=saved["code"]), "success")
    return redirect(url_for("workspace.admin_options", open=category, _anchor=f"list-{category}"))


# ---------------------------------------------------------------- field permissions


def _rules_page(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    rules = field_rules.list_rules(database(), uid())
    kinds = {k: [(name, labels.label(k, name) if name != field_rules.WHOLE else _("(the whole record)"))
                 for name in names] for k, names in rules["fields"].items()}
    return render_template("workspace/admin_field_rules.html", nav="crm_admin", section="field_rules",
                           rules=rules["items"], roles=rules["roles"], kinds=kinds, perms=PERMS, labels=labels,
                           values=values or {"view": True, "edit": True, "export": True,
                                             "role": request.args.get("role")}, errors=errors or {}), status


@bp.get("/admin/field-rules")
@admin_required
def admin_field_rules() -> Any:
    return _rules_page()


@bp.post("/admin/field-rules")
@admin_required
def admin_field_rule_save() -> Any:
    f = request.form
    role = f.get("role", "")
    kind, _sep, name = f.get("kind_field", "").partition("/")
    payload = {perm: f.get(perm) == "on" for perm, _label in PERMS}
    try:
        field_rules.set_rule(database(), uid(), role, kind, name, payload)
    except DomainError as e:
        return _rules_page({"role": role, "kind": kind, "field": name, **payload}, form_refusal(e), FORM_REFUSED)
    flash(_("The field permission was saved."), "success")
    return redirect(url_for("workspace.admin_field_rules", role=role))  # the next rule is often for the same role


# ---------------------------------------------------------------- system log


@bp.get("/admin/log")
@admin_required
def admin_log() -> Any:
    kind = request.args.get("type", "")
    kind = kind if kind in LOG_TYPES else ""
    page = page_number(request.args)
    items, total = syslog.entries(database(), uid(), kind or None, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template("workspace/admin_log.html", nav="crm_admin", section="log", items=items, total=total,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), kind=kind, types=LOG_TYPES)


# ---------------------------------------------------------------- recycle bin


@bp.get("/recycle-bin")
@login_required
def recycle_bin() -> Any:
    page = page_number(request.args)
    items, total = recycle.list_bin(database(), uid(), (page - 1) * PAGE_SIZE, PAGE_SIZE,
                                    current_app.config.get("RECYCLE_DAYS", recycle.DEFAULT_DAYS))
    return render_template("workspace/recycle_bin.html", nav="crm", section="recycle", items=items, total=total,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), pages_nav=labels.PAGES,
                           days=current_app.config.get("RECYCLE_DAYS", recycle.DEFAULT_DAYS))


@bp.post("/recycle-bin/<int:entry_id>/restore")
@login_required
def recycle_restore(entry_id: int) -> Any:
    try:
        restored = recycle.restore(database(), uid(), entry_id)  # NotFound / Forbidden: the error page
    except Conflict:
        flash(_("Not restored: another record now has this record's number. Change that one first."), "error")
        return redirect(url_for("workspace.recycle_bin"))
    flash(_("%(label)s was restored.", label=restored["label"]), "success")
    if restored["kind"] == "customer":
        return redirect(url_for("workspace.customer_page", customer_id=restored["id"]))
    return redirect(url_for("workspace.recycle_bin"))
