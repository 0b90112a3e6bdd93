"""The approval record of an instance: its PDF and the check of its audit hash chain (DESIGN.md §8)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from api import bp, database
from api.auth import current_user_id
from engine import record
from web.record_pdf import pdf_response


@bp.get("/process-instances/<id:instance_id>/record.pdf")
def record_pdf(instance_id: int) -> Any:
    return pdf_response(database(), current_user_id(), instance_id)


@bp.get("/process-instances/<id:instance_id>/audit/verify")
def verify_audit(instance_id: int) -> Any:
    return jsonify(record.verify(database(), current_user_id(), instance_id))
