"""The customer page (客户360, /crm/customers/<id>): the record, its contacts, contracts, contact
records, service tickets, expense claims that mention it, every approval instance about it with its
outcome, and a timeline; "start a process for this customer" opens the start page with the
customer (or a draft contract) filled in (`/start/<key>?customer=<id>`, worklist/start.py).

The contact-record form posts to /crm/customers/<id>/contact-records: the same use case as
POST /api/v1/customers/{id}/contact-records; a refusal shows the form again with its fields marked.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from core.errors import DomainError
from core.ids import id_or_text
from crm import records as crm_records
from engine import about
from web.errors import FORM_REFUSED, form_refusal
from web.i18n import select_locale
from web.users import database, login_required
from workspace import bp, labels, timeline
from workspace.records import uid

RECORD_FIELDS = ("date", "way", "contact", "content", "next_step", "next_date")
# contract statuses a contract process (the countersign) starts from
CONTRACT_STARTABLE = ("draft", "rejected")


def _urls() -> dict[str, Any]:
    def page(slug: str) -> Any:
        return lambda i: url_for(f"workspace.record_detail_{slug}", record_id=i)

    return {"contract": page("contracts"), "ticket": page("tickets"), "expense_claim": page("expense_claims"),
            "instance": lambda i: url_for("worklist.instance", instance_id=i)}


def _process_name(p: dict[str, Any]) -> str:
    return str(p["name_en"] if select_locale() == "en" and p.get("name_en") else p["name"])


def _page(customer_id: int, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          status: int = 200) -> Any:
    overview = crm_records.customer_overview(database(), uid(), customer_id)  # NotFound: the 404 page
    instances = timeline.decorate(about.about_customer(database(), uid(), customer_id), select_locale())
    starters = about.starters(database(), uid())
    for p in starters:
        p["label"] = _process_name(p)
    return render_template(
        "workspace/customer.html", nav="crm", o=overview, c=overview["customer"], people=overview["people"],
        instances=instances, events=timeline.events(overview, instances, _urls()), labels=labels,
        for_customer=[p for p in starters if "customers" in p["picks"]],
        for_contract=[p for p in starters if "contracts" in p["picks"]], contract_startable=CONTRACT_STARTABLE,
        ways=crm_records.CONTACT_WAYS, form=form or {"date": date.today().isoformat()}, errors=errors or {},
        pages_nav=labels.PAGES), status


@bp.get("/customers/<int:customer_id>")
@login_required
def customer_page(customer_id: int) -> Any:
    return _page(customer_id)


@bp.post("/customers/<int:customer_id>/contact-records")
@login_required
def add_contact_record(customer_id: int) -> Any:
    form = {k: (request.form.get(k) or "").strip() for k in RECORD_FIELDS}
    payload: dict[str, Any] = {k: v or None for k, v in form.items()}
    if form["contact"]:
        payload["contact"] = id_or_text(form["contact"])
    try:
        crm_records.create(database(), uid(), "contact_record", payload, customer_id=customer_id)
    except DomainError as e:
        return _page(customer_id, form, form_refusal(e), FORM_REFUSED)
    flash(gettext("The contact record was added."), "success")
    return redirect(url_for("workspace.customer_page", customer_id=customer_id) + "#contact-records")
