"""The designer's process list (/designer): every deployed process with its latest version."""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, render_template
from flask_babel import lazy_gettext

from designer import bp
from engine import catalog
from worklist.web import add_nav, current_user, database, is_process_admin, login_required


def designer_required(view: Any) -> Any:
    """Designer pages are for admins and process admins; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_process_admin(current_user()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


add_nav("designer", "designer.processes", lazy_gettext("Designer"), visible=is_process_admin)


@bp.get("/")
@designer_required
def processes() -> Any:
    items, total = catalog.list_definitions(database(), 0, 500)
    return render_template("designer/processes.html", items=items, total=total, nav="designer")
