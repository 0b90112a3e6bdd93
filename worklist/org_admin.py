"""The organisation pages for admins: users (/admin/users), departments (/admin/departments) and
roles (/admin/roles). Every write goes through a crm/directory.py use case; its validation errors
are shown at the fields, in the user's language by their code (web.errors.form_refusal), and
change nothing. Everyone else gets 403."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from core.errors import DomainError
from core.ids import as_id, id_or_text
from crm import directory, org_pages, successors
from engine import handover as handovers
from web.errors import FORM_REFUSED, form_refusal
from web.nav import add_nav
from web.paging import page_number
from web.users import admin_required, current_user, database
from worklist import bp

PAGE_SIZE = 20

add_nav("org", "worklist.org_users", lazy_gettext("Organisation"), visible=lambda u: bool(u.get("is_admin")))

def _uid() -> int:
    return current_user()["id"]  # type: ignore[index]




def _text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# ---------------------------------------------------------------- users


@bp.get("/admin/users")
@admin_required
def org_users() -> Any:
    q = (request.args.get("q") or "").strip()
    dept = as_id(request.args.get("department") or "")  # a filter naming no department: none
    state = request.args.get("state", "")
    active = {"active": True, "inactive": False}.get(state)
    page = page_number(request.args)
    users, total = org_pages.search_users(database(), _uid(), q or None, dept, active,
                                          (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template("org_users.html", nav="org", section="users", users=users, total=total, q=q,
                           handovers=handovers.running(database(), successors.HANDOVER_PROCESS,
                                                       [u["id"] for u in users]),
                           department=dept, state=state, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           departments=org_pages.department_tree(database(), _uid()),
                           roles={r["key"]: r["name"] for r in directory.list_roles(database(), _uid())})


def _user_form(user: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    uid = _uid()
    return render_template("org_user_form.html", nav="org", section="users", edited=user, values=values,
                           errors=errors, departments=org_pages.department_tree(database(), uid),
                           workload=successors.workload(database(), user["id"]) if user else None,
                           handover=handovers.running(database(), successors.HANDOVER_PROCESS, [user["id"]])
                           .get(user["id"]) if user else None,
                           handover_deployed=handovers.deployed(database(), successors.HANDOVER_PROCESS),
                           roles=directory.list_roles(database(), uid),
                           people=[p for p in org_pages.user_choices(database(), uid) if p["active"]]), status


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def org_user_new() -> Any:
    if request.method == "GET":
        return _user_form(None, {"roles": []}, {})
    f = request.form
    payload = {"username": (f.get("username") or "").strip(), "display_name": f.get("display_name") or "",
               "password": f.get("password") or "", "department": id_or_text(f.get("department")),
               "supervisor": _text_or_none(f.get("supervisor")), "roles": f.getlist("roles")}
    if _text_or_none(f.get("sales_code")):
        payload["sales_code"] = _text_or_none(f.get("sales_code"))
    try:
        created = directory.create_user(database(), _uid(), payload)
    except DomainError as e:
        return _user_form(None, {**payload, "password": ""}, form_refusal(e), FORM_REFUSED)
    flash(_("User %(name)s was created.", name=created["display_name"]), "success")
    return redirect(url_for("worklist.org_users", q=created["username"]))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def org_user_edit(user_id: int) -> Any:
    user = org_pages.get_user(database(), _uid(), user_id)
    if request.method == "GET":
        return _user_form(user, user, {})
    f = request.form
    changes: dict[str, Any] = {"display_name": f.get("display_name") or "",
                               "department": id_or_text(f.get("department")),
                               "supervisor": _text_or_none(f.get("supervisor")), "roles": f.getlist("roles"),
                               "active": f.get("active") == "on", "sales_code": _text_or_none(f.get("sales_code"))}
    if not changes["active"] and f.get("successor"):
        changes["successor"] = f.get("successor")
    if f.get("password"):
        changes["password"] = f.get("password")
    try:
        updated = directory.update_user(database(), _uid(), user_id, changes)
    except DomainError as e:
        shown = {**user, **{k: v for k, v in changes.items() if k != "password"}}
        return _user_form(user, shown, form_refusal(e), FORM_REFUSED)
    if user["active"] and not updated["active"]:
        flash(_("%(name)s was deactivated: they can no longer log in or receive tasks.",
                name=updated["display_name"]), "success")
        _flash_handover(updated.get("handover"))
    else:
        flash(_("User %(name)s was saved.", name=updated["display_name"]), "success")
    return redirect(url_for("worklist.org_user_edit", user_id=user_id))


def _flash_handover(handover: dict[str, Any] | None) -> None:
    if handover and handover.get("process"):
        flash(_("The staff handover started: their supervisor chooses the successor, then their records and "
                "open tasks move."), "success")
    if not handover or not handover["successor"]:
        return
    records = handover["records"]
    flash(_("Handed over to %(successor)s: %(tasks)s open task(s), %(customers)s customer(s), "
            "%(contracts)s contract(s), %(opportunities)s opportunity(ies).", successor=handover["successor"],
            tasks=len(handover["tasks_moved"]), customers=records.get("customer", 0),
            contracts=records.get("contract", 0), opportunities=records.get("opportunity", 0)), "success")
    if handover["tasks_not_moved"]:
        flash(_("%(n)s task(s) could not be handed over and stay with the deactivated user; reassign them "
                "from the task page: %(which)s", n=len(handover["tasks_not_moved"]),
                which=", ".join(f"#{t['instance_id']} ({t['reason']})" for t in handover["tasks_not_moved"])),
              "error")


# ---------------------------------------------------------------- departments


def _departments(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                 editing: dict[str, Any] | None = None, status: int = 200) -> Any:
    uid = _uid()
    return render_template("org_departments.html", nav="org", section="departments",
                           departments=org_pages.department_tree(database(), uid), values=values or {},
                           errors=errors or {}, editing=editing,
                           people=[p for p in org_pages.user_choices(database(), uid) if p["active"]]), status


def _department_payload() -> dict[str, Any]:
    f = request.form
    return {"name": f.get("name") or "", "parent": id_or_text(f.get("parent")),
            "head": _text_or_none(f.get("head"))}


@bp.route("/admin/departments", methods=["GET", "POST"])
@admin_required
def org_departments() -> Any:
    if request.method == "GET":
        return _departments()
    payload = _department_payload()
    try:
        created = directory.create_department(database(), _uid(), payload)
    except DomainError as e:
        return _departments(payload, form_refusal(e), status=FORM_REFUSED)
    flash(_("Department %(name)s was created.", name=created["name"]), "success")
    return redirect(url_for("worklist.org_departments"))


@bp.route("/admin/departments/<int:dept_id>", methods=["GET", "POST"])
@admin_required
def org_department_edit(dept_id: int) -> Any:
    dept = org_pages.get_department(database(), _uid(), dept_id)
    if request.method == "GET":
        return _departments(dept, editing=dept)
    payload = _department_payload()
    try:
        saved = directory.update_department(database(), _uid(), dept_id, payload)
    except DomainError as e:
        return _departments(payload, form_refusal(e), editing=dept, status=FORM_REFUSED)
    flash(_("Department %(name)s was saved.", name=saved["name"]), "success")
    return redirect(url_for("worklist.org_departments"))


# ---------------------------------------------------------------- roles


@bp.route("/admin/roles", methods=["GET", "POST"])
@admin_required
def org_roles() -> Any:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {"key": (request.form.get("key") or "").strip(), "name": request.form.get("name") or ""}
        try:
            created = directory.create_role(database(), _uid(), values)
        except DomainError as e:
            errors, status = form_refusal(e), FORM_REFUSED
        else:
            flash(_("Role %(name)s was created.", name=created["name"]), "success")
            return redirect(url_for("worklist.org_roles"))
    roles = directory.list_roles(database(), _uid())
    members = org_pages.role_member_counts(database(), _uid())
    return render_template("org_roles.html", nav="org", section="roles", roles=roles, members=members,
                           values=values, errors=errors), status
