"""The process designer (admins): bpmn-js modeler with the Liuzhuan properties panel, form-js
editor, the table view of a process, versions and deploy. Blueprint under /designer; the browser
side is bundled from frontend/src/designer*.js (see frontend/build.mjs)."""
from __future__ import annotations

from flask import Blueprint

from web.errors import register_page_errors

bp = Blueprint("designer", __name__, url_prefix="/designer", template_folder="templates",
               static_folder="static", static_url_path="/static")

register_page_errors(bp)

# Page modules register their routes on `bp` when imported (add yours to this line).
from designer import forms_editor, gallery, modeler, pages, table_view, version_pages  # noqa: E402,F401
