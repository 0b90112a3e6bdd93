"""The REST API, /api/v1: parse the request -> call one engine/crm use case -> serialize.

Routes never touch the ORM: they call use cases with the `Database` the app factory put in
`app.extensions["lz_db"]`. Errors become JSON in api/errors.py, in one place.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

API_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


def database() -> Any:
    """The application's `db.session.Database`."""
    return current_app.extensions["lz_db"]


# Route modules register themselves on `bp` when imported.
from api import auth, errors, openapi, routes_org, routes_processes, routes_tasks  # noqa: E402,F401

errors.register(bp)
