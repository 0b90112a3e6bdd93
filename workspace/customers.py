"""The customer list's Excel export and import, and the saved filters of every list page.

- GET  /crm/customers/export.xlsx?<filters>  the customers the user may see, filtered like the list
  (the same workbook as GET /api/v1/customers/export.xlsx);
- POST /crm/customers/import                 a workbook: every row created, or none — the page lists
  each refused cell as "row N, column X (header): why";
- POST /crm/<page>/filters                   save the current filters under a name (per user);
- POST /crm/<page>/filters/<id>/delete       delete one of one's own saved filters.
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext

from core.errors import DomainError, ValidationFailed
from crm import export as crm_export
from crm import import_ as crm_import
from crm.records import saved_filters
from web.messages import translate, translate_error
from web.users import database, login_required
from workspace import bp, labels
from workspace.records import page_filters, uid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(slug: str, **filters: Any) -> str:
    return url_for(f"workspace.record_list_{slug}", **filters)


@bp.get("/customers/export.xlsx")
@login_required
def export_customers() -> Any:
    data = crm_export.customers_xlsx(database(), uid(), page_filters("customers", request.args))
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=\"customers.xlsx\"; filename*=UTF-8''%E5%AE%A2%E6%88%B7.xlsx"})


@bp.post("/customers/import")
@login_required
def import_customers() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(gettext("Choose an Excel file (.xlsx) to import."), "error")
        return redirect(_list_url("customers"))
    try:
        result = crm_import.import_customers(database(), uid(), upload.read())
    except ValidationFailed as e:
        problems = [f"{cell}: {translate(why)}" for cell, why in list(e.fields.items())[:20]]
        more = len(e.fields) - len(problems)
        flash(gettext("Nothing was imported. Correct the file and import it again:") + " " + "; ".join(problems)
              + (" " + gettext("(and %(n)s more)", n=more) if more > 0 else ""), "error")
        return redirect(_list_url("customers"))
    flash(gettext("%(n)s customers were imported.", n=result["created"]), "success")
    return redirect(_list_url("customers"))


@bp.post("/<slug>/filters")
@login_required
def save_filter(slug: str) -> Any:
    slug = slug.replace("-", "_")
    if slug not in labels.PAGES:
        abort(404)
    query = page_filters(slug, request.form)
    try:
        saved = saved_filters.save(database(), uid(), slug, request.form.get("name", ""), query)
    except DomainError as e:
        fields = getattr(e, "fields", {}) or {}
        flash(gettext("The filter was not saved:") + " " + "; ".join(
            f"{k}: {translate(v)}" for k, v in fields.items()) if fields else (translate_error(e) or e.message),
            "error")
        return redirect(_list_url(slug, **query))
    flash(gettext("Filter “%(name)s” saved.", name=saved["name"]), "success")
    return redirect(_list_url(slug, **saved["query"]))


@bp.post("/<slug>/filters/<int:filter_id>/delete")
@login_required
def delete_filter(slug: str, filter_id: int) -> Any:
    slug = slug.replace("-", "_")
    if slug not in labels.PAGES:
        abort(404)
    saved_filters.delete(database(), uid(), filter_id)  # someone else's: the 404 page
    flash(gettext("The saved filter was deleted."), "success")
    return redirect(_list_url(slug))
