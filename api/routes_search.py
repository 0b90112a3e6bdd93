"""One search over instances and CRM records: GET /search?q=&kind=&limit= (search/query.py)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import ApiError
from search import query

MAX_LIMIT = 50


@bp.get("/search")
def search() -> Any:
    uid = current_user_id()
    raw = request.args.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, "validation_failed", "invalid limit", {"limit": f"an integer from 1 to {MAX_LIMIT}"})
    return jsonify(query.search(database(), uid, request.args.get("q"), request.args.get("kind"), int(raw)))
