"""The sales opportunity page's own forms (the page itself is the generic record page,
workspace/records.py, with workspace/templates/workspace/_opportunity.html): add a step to the
development plan, record a step's result. Both go through the crm use cases with the signed-in user
(POST /api/v1/opportunities/{id}/plan, PATCH /api/v1/opportunity-steps/{id}): an opportunity out of
reach is a 404, a refusal is shown on the page."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from core.errors import DomainError
from crm import records as crm_records
from web.errors import form_refusal
from web.users import database, login_required
from workspace import bp
from workspace.records import uid


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
