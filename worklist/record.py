"""The approval record: the PDF of an instance (/instances/<id>/record.pdf, for its readers) and the
public page its QR code opens (/verify/<business key>/<head hash>), which confirms only whether the
printed hash belongs to that request's intact audit chain."""
from __future__ import annotations

from typing import Any

from flask import render_template

from engine import record
from web.document_pdf import document_pdf_response
from web.record_pdf import pdf_response
from web.users import current_user, database, login_required
from worklist import bp


@bp.get("/instances/<int:instance_id>/record.pdf")
@login_required
def record_pdf(instance_id: int) -> Any:
    return pdf_response(database(), current_user()["id"], instance_id)  # type: ignore[index]


@bp.get("/instances/<int:instance_id>/document.pdf")
@login_required
def document_pdf(instance_id: int) -> Any:
    """The issued 公文 of a 公文发文 instance (web/document_pdf.py); 404 when it has none."""
    return document_pdf_response(database(), current_user()["id"], instance_id)  # type: ignore[index]


@bp.get("/verify/<business_key>/<head>")
def verify_record(business_key: str, head: str) -> Any:
    result = record.check_printed(database(), business_key, head)
    return render_template("verify.html", result=result, head=head), 200 if result["found"] else 404
