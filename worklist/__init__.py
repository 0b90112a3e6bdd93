"""The approver/clerk web app: login, inbox, start forms, task and instance pages, organisation pages.

Server-rendered templates (worklist/templates) over the engine and crm use cases; the browser
side (form-js viewer, htmx) is bundled from frontend/src/worklist.js, the bpmn-js diagram viewer
from frontend/src/diagram.js.
Shared web plumbing (languages, CSRF, rate limits, the signed-in user, errors) is in web/.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("worklist", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/worklist")

from web.errors import register_page_errors  # noqa: E402

register_page_errors(bp)

# Page modules register their routes on `bp` when imported.
from worklist import (  # noqa: E402,F401
    auth,
    inbox,
    instance,
    instance_admin,
    notifications,
    org_admin,
    record,
    reports,
    search,
    start,
    task,
    task_actions,
)
