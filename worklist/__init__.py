"""The approver/clerk web app: login, inbox, start forms, task and instance pages, organisation pages.

Server-rendered templates (worklist/templates) over the engine and crm use cases; the browser
side (form-js viewer, bpmn-js viewer, htmx) is bundled from frontend/src/worklist.js.
Shared web plumbing (languages, CSRF, rate limits, the signed-in user, errors) is in web/.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("worklist", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/worklist")

from web.errors import register_page_errors  # noqa: E402

register_page_errors(bp)

# Page modules register their routes on `bp` when imported.
import worklist.notifications  # noqa: E402,F401  (the bell, the list, my settings)
from worklist import auth, inbox, instance, org_admin, start, task, task_actions  # noqa: E402,F401
