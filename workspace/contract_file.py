"""The contract file on the contract page (issue 15): /crm/contracts/<id>/file downloads it, a POST
there (multipart, CSRF) uploads or replaces it, /crm/contracts/<id>/file/remove removes it — the use
cases of PUT / GET / DELETE /api/v1/contracts/{id}/file (crm/records/contract_file.py). A refusal
comes back as a message on the contract page."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext

from core.errors import NotFound, ValidationFailed
from crm.records import contract_file
from web.messages import translate_fields
from web.users import database, login_required
from workspace import bp
from workspace.records import uid


def _back(contract_id: int) -> Any:
    return redirect(url_for("workspace.record_detail_contracts", record_id=contract_id) + "#contract-file")


@bp.get("/contracts/<int:contract_id>/file")
@login_required
def contract_file_download(contract_id: int) -> Any:
    ref, stream = contract_file.open_file(database(), uid(), contract_id)
    response = send_file(stream, mimetype=ref["content_type"], as_attachment=True, download_name=ref["name"],
                         etag=ref["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/contracts/<int:contract_id>/file")
@login_required
def contract_file_upload(contract_id: int) -> Any:
    part = request.files.get("file")
    try:
        contract_file.set_file(database(), uid(), contract_id, part.filename if part and part.filename else None,
                               part.mimetype if part else None, part.stream if part and part.filename else None)
    except ValidationFailed as e:
        flash(gettext("The file was not uploaded: %(why)s", why="; ".join(translate_fields(e.fields).values())),
              "error")
        return _back(contract_id)
    flash(gettext("The contract file was uploaded."), "success")
    return _back(contract_id)


@bp.post("/contracts/<int:contract_id>/file/remove")
@login_required
def contract_file_remove(contract_id: int) -> Any:
    try:
        contract_file.remove_file(database(), uid(), contract_id)
    except NotFound:  # the contract is out of reach (raised again: the 404 page) or its file already gone
        if not contract_file.exists(database(), uid(), contract_id):
            raise
    flash(gettext("The contract file was removed."), "success")
    return _back(contract_id)
