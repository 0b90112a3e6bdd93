"""The contract file (issue 15): upload (replace), download, remove. Rules in crm/records/contract_file.py."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file

from api import bp, database
from api.auth import current_user_id
from crm.records import contract_file


@bp.put("/contracts/<id:contract_id>/file")
def put_contract_file(contract_id: int) -> Any:
    uid = current_user_id()
    part = request.files.get("file")
    return jsonify(contract_file.set_file(database(), uid, contract_id, part.filename if part else None,
                                          part.mimetype if part else None, part.stream if part else None))


@bp.get("/contracts/<id:contract_id>/file")
def get_contract_file(contract_id: int) -> Any:
    ref, stream = contract_file.open_file(database(), current_user_id(), contract_id)
    response = send_file(stream, mimetype=ref["content_type"], as_attachment=True, download_name=ref["name"],
                         etag=ref["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.delete("/contracts/<id:contract_id>/file")
def delete_contract_file(contract_id: int) -> Any:
    contract_file.remove_file(database(), current_user_id(), contract_id)
    return Response(status=204)
