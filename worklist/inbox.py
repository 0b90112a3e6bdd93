"""The inbox (/): what waits for me, what I did, what I started, what I was copied on."""
from __future__ import annotations

from typing import Any

from flask import render_template, request

from engine import inbox as engine_inbox
from worklist import bp
from worklist.web import current_user, database, login_required

PAGE_SIZE = 20


@bp.get("/")
@login_required
def inbox() -> Any:
    uid = current_user()["id"]  # type: ignore[index]
    box = request.args.get("box", "todo")
    if box not in engine_inbox.BOXES:
        box = "todo"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = engine_inbox.list_box(database(), uid, box, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    counts = engine_inbox.counts(database(), uid)
    return render_template("inbox.html", box=box, items=items, total=total, counts=counts, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)))
