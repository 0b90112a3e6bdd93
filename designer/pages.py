"""The designer's process list (/designer): every deployed process with its latest version."""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext

from designer import bp
from engine.design import catalog
from web.nav import add_nav
from web.users import current_user, database, is_process_admin, login_required


def designer_required(view: Any) -> Any:
    """Designer pages are for admins and process admins; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_process_admin(current_user()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def me() -> int:
    """The id of the signed-in designer (inside a designer_required view)."""
    return int((current_user() or {})["id"])


add_nav("designer", "designer.processes", lazy_gettext("Designer"), visible=is_process_admin)


@bp.get("/")
@designer_required
def processes() -> Any:
    from engine.design import drafts

    db = database()
    items, total = catalog.list_definitions(db, 0, 500)
    user = current_user() or {}
    pending = {d["key"]: d for d in drafts.list_drafts(db, user["id"])}
    for item in items:
        item["forms"] = sorted(catalog.get_version(db, item["key"], item["version"])["forms"])
        item["draft"] = pending.pop(item["key"], None)
    # drafts of processes never deployed yet
    new_drafts = sorted(pending.values(), key=lambda d: d["key"])
    # the table view and version pages, when the designer has them (designer/table_view.py, version_pages.py)
    views = {name: f"designer.{name}" in current_app.view_functions for name in ("table_page", "versions_page")}
    return render_template("designer/processes.html", items=items, total=total, new_drafts=new_drafts,
                           views=views, nav="designer")
