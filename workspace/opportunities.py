"""The sales opportunity pages' own forms (the list and the page themselves are the generic record
pages, workspace/records.py, with workspace/templates/workspace/_opportunity.html): a new
opportunity, a step of the development plan, a step's result. Each goes through the crm use case
the API uses (POST /api/v1/opportunities, POST /api/v1/opportunities/{id}/plan, PATCH
/api/v1/opportunity-steps/{id}) with the signed-in user: an opportunity out of reach is a 404, a
refusal is shown on the page."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from core.errors import DomainError
from core.ids import id_or_text
from crm import pickers
from crm import records as crm_records
from web.errors import FORM_REFUSED, form_refusal
from web.users import database, login_required
from workspace import bp, labels
from workspace.records import uid

FORM_FIELDS = ("customer_name", "customer", "summary", "probability", "amount", "stage", "source", "contact_name",
               "contact_phone", "due_date", "description")


def _form_page(form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    return render_template("workspace/opportunity_form.html", nav="crm", form=form, errors=errors, labels=labels,
                           customers=pickers.search(database(), uid(), "customers"),
                           stages=crm_records.OPPORTUNITY_STAGES, pages_nav=labels.PAGES), status


@bp.get("/opportunities/new")
@login_required
def opportunity_new() -> Any:
    return _form_page({}, {})


@bp.post("/opportunities/new")
@login_required
def opportunity_create() -> Any:
    form = {k: (request.form.get(k) or "").strip() for k in FORM_FIELDS}
    payload: dict[str, Any] = {k: v or None for k, v in form.items()}
    # whole numbers; anything else goes as typed, for the use case to refuse naming the field
    if form["customer"]:
        payload["customer"] = id_or_text(form["customer"])
    if form["probability"].isascii() and form["probability"].isdigit() and len(form["probability"]) <= 9:
        payload["probability"] = int(form["probability"])
    try:
        created = crm_records.create(database(), uid(), "opportunity", payload)
    except DomainError as e:
        return _form_page(form, form_refusal(e), FORM_REFUSED)
    flash(gettext("The opportunity was saved."), "success")
    return redirect(url_for("workspace.record_detail_opportunities", record_id=created["id"]))


def _back(record_id: int) -> Any:
    return redirect(url_for("workspace.record_detail_opportunities", record_id=record_id) + "#plan")


def _refused(e: DomainError) -> None:
    fields = form_refusal(e)
    flash(gettext("Not saved:") + " " + "; ".join(f"{k}: {v}" for k, v in fields.items()), "error")


@bp.post("/opportunities/<int:record_id>/plan")
@login_required
def opportunity_add_step(record_id: int) -> Any:
    crm_records.get(database(), uid(), "opportunity", record_id)  # NotFound: the 404 page
    payload = {"opportunity": record_id, "date": (request.form.get("date") or "").strip() or None,
               "content": (request.form.get("content") or "").strip() or None}
    try:
        crm_records.create(database(), uid(), "opportunity_step", payload)
    except DomainError as e:
        _refused(e)
    else:
        flash(gettext("The plan step was added."), "success")
    return _back(record_id)


@bp.post("/opportunity-steps/<int:step_id>")
@login_required
def opportunity_step_result(step_id: int) -> Any:
    step = crm_records.get(database(), uid(), "opportunity_step", step_id)  # NotFound: the 404 page
    try:
        crm_records.update(database(), uid(), "opportunity_step", step_id,
                           {"result": (request.form.get("result") or "").strip() or None})
    except DomainError as e:
        _refused(e)
    else:
        flash(gettext("The result was saved."), "success")
    return _back(step["opportunity"])
