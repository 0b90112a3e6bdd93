"""The Excel export and import of the customer, contact and contract lists, and the saved filters
of every list page.

- GET  /crm/<page>/export.xlsx?<filters>  the records the user may see, filtered like the list
  (the same workbook as GET /api/v1/<page>/export.xlsx);
- POST /crm/<page>/import                 a workbook: every row created, or none — the page lists
  each refused cell as "row N, column X (header): why";
- POST /crm/<page>/filters                   save the current filters under a name (per user);
- POST /crm/<page>/filters/<id>/delete       delete one of one's own saved filters.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext

from core.errors import DomainError, ValidationFailed
from crm import export as crm_export
from crm import import_ as crm_import
from crm.records import saved_filters
from web.messages import translate, translate_error
from web.users import database, login_required
from workspace import bp, labels
from workspace.records import EXCEL_PAGES, page_filters, uid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(slug: str, **filters: Any) -> str:
    return url_for(f"workspace.record_list_{slug}", **filters)


def _excel_kind(slug: str) -> str:
    slug = slug.replace("-", "_")
    if slug not in EXCEL_PAGES:
        abort(404)
    return labels.PAGES[slug][0]


@bp.get("/<slug>/export.xlsx")
@login_required
def export_records(slug: str) -> Any:
    kind = _excel_kind(slug)
    sheet = crm_export.sheet_of(kind)
    data = crm_export.records_xlsx(database(), uid(), kind, page_filters(slug.replace("-", "_"), request.args))
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{sheet.filename}.xlsx\"; "
                               f"filename*=UTF-8''{quote(sheet.title)}.xlsx"})


@bp.post("/<slug>/import")
@login_required
def import_records(slug: str) -> Any:
    kind = _excel_kind(slug)
    back = _list_url(slug.replace("-", "_"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(gettext("Choose an Excel file (.xlsx) to import."), "error")
        return redirect(back)
    try:
        result = crm_import.import_records(database(), uid(), kind, upload.read())
    except ValidationFailed as e:
        problems = [f"{cell}: {translate(why)}" for cell, why in list(e.fields.items())[:20]]
        more = len(e.fields) - len(problems)
        flash(gettext("Nothing was imported. Correct the file and import it again:") + " " + "; ".join(problems)
              + (" " + gettext("(and %(n)s more)", n=more) if more > 0 else ""), "error")
        return redirect(back)
    flash(gettext("%(n)s rows were imported.", n=result["created"]), "success")
    return redirect(back)


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
