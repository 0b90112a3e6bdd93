"""The REST API, /api/v1: parse the request -> call one engine/crm use case -> serialize.

Routes never touch the ORM: they call use cases with the `Database` the app factory put in
`app.extensions["lz_db"]`. Errors become JSON in api/errors.py, in one place.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from werkzeug.routing import IntegerConverter

API_PREFIX = "/api/v1"
MAX_ID = 2**31 - 1  # ids beyond it are refused with a 404 naming the parameter (web/input_guard.py)

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive integer id; anything else is an unknown route (404). One beyond MAX_ID
    (what a 32-bit id column holds) is matched, then refused by web/input_guard.py naming it."""

    def __init__(self, map: Any) -> None:
        super().__init__(map, min=1)


# Registered before the routes below (deferred functions run in order), so their rules can use it.
bp.record_once(lambda state: state.app.url_map.converters.__setitem__("id", IdConverter))


def database() -> Any:
    """The application's Database (see db/session.py), put there by the app factory."""
    return current_app.extensions["lz_db"]


# Route modules register themselves on `bp` when imported.
from api import (  # noqa: E402,F401
    auth,
    errors,
    openapi,
    routes_admin,
    routes_collab,
    routes_contract_file,
    routes_crm,
    routes_files,
    routes_flow_lists,
    routes_instance_admin,
    routes_notify,
    routes_org,
    routes_processes,
    routes_records,
    routes_reports,
    routes_search,
    routes_task_ops,
    routes_tasks,
)

errors.register(bp)
