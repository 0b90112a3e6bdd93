"""Attachments (issue 14): upload a file for a form's file field, download one you may read."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, send_file

from api import bp, database
from api.auth import current_user_id
from engine import file_access
from files import service as file_service


@bp.post("/files")
def upload_file() -> Any:
    uid = current_user_id()
    part = request.files.get("file")
    ref = file_service.upload(database(), uid, part.filename if part else None,
                              part.mimetype if part else None, part.stream if part else None)
    return jsonify(ref), 201


@bp.get("/files/<file_id>")
def download_file(file_id: str) -> Any:
    ref, stream = file_access.open_file(database(), current_user_id(), file_id)
    inline = ref["content_type"] in file_service.PREVIEWABLE and request.args.get("download") != "1"
    response = send_file(stream, mimetype=ref["content_type"], as_attachment=not inline, download_name=ref["name"],
                         etag=ref["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
