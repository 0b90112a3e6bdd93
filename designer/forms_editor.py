"""The form designer (/designer/<key>/forms/<form_key>): the form-js editor on a form of a process,
with a preview; saving puts the schema into the process's draft (validated by
forms.validate.check_schema: 422 naming `forms.<form_key>` with the problems), and deploying the
draft deploys the form with the version."""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request

from designer import bp
from designer.modeler import designer_api, json_object
from designer.pages import designer_required
from engine.design import drafts
from web.users import database


@bp.get("/<key>/forms/<form_key>")
@designer_required
def form_editor(key: str, form_key: str) -> Any:
    return render_template("designer/form_editor.html", key=key, form_key=form_key, nav="designer")


@bp.route("/api/processes/<key>/forms/<form_key>", methods=["GET", "PUT"])
@designer_api
def api_form(user: dict[str, Any], key: str, form_key: str) -> Any:
    if request.method == "GET":
        return jsonify(drafts.form_for_editing(database(), user["id"], key, form_key))
    body = json_object("schema")
    draft = drafts.save_draft_form(database(), user["id"], key, form_key, body["schema"])
    return jsonify({"key": key, "form_key": form_key, "forms": sorted(draft["forms"]),
                    "updated_at": draft["updated_at"]})
