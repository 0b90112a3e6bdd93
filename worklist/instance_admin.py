"""The admin operations on the instance page (/instances/<id>/...): terminate (终止), suspend and
activate (挂起/激活), jump (跳转), migrate (迁移), for admins and process admins (the use cases
refuse everyone else with 403). Each answers on the instance page: done, or why not."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from core.errors import Conflict, ValidationFailed
from engine import instance_admin, migration
from web.messages import translate_error, translate_fields
from web.users import current_user, database, login_required
from worklist import bp


def _comment() -> str | None:
    return (request.form.get("comment") or "").strip() or None


def _run(instance_id: int, run: Callable[[int], Any], done: Callable[[Any], str]) -> Any:
    try:
        result = run(int(current_user()["id"]))  # type: ignore[index]
    except (Conflict, ValidationFailed) as e:  # refused: said on the instance page; 403/404 by the error map
        fields = translate_fields(e.fields)
        why = "; ".join(fields.values()) if isinstance(e, ValidationFailed) and fields else (
            translate_error(e) or e.message) + "".join(f" {k}: {v}" for k, v in fields.items())
        flash(_("Not possible: %(why)s", why=why), "error")
    else:
        flash(done(result), "success")
    return redirect(url_for("worklist.instance", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/terminate")
@login_required
def terminate(instance_id: int) -> Any:
    return _run(instance_id, lambda uid: instance_admin.terminate(database(), uid, instance_id, _comment()),
                lambda _r: _("The process was terminated."))


@bp.post("/instances/<int:instance_id>/suspend")
@login_required
def suspend(instance_id: int) -> Any:
    return _run(instance_id, lambda uid: instance_admin.suspend(database(), uid, instance_id, _comment()),
                lambda _r: _("The process is suspended: nobody can act on it until it is activated."))


@bp.post("/instances/<int:instance_id>/activate")
@login_required
def activate(instance_id: int) -> Any:
    return _run(instance_id, lambda uid: instance_admin.activate(database(), uid, instance_id, _comment()),
                lambda _r: _("The process is running again."))


@bp.post("/instances/<int:instance_id>/jump")
@login_required
def jump(instance_id: int) -> Any:
    to_node = request.form.get("to_node") or None
    return _run(instance_id, lambda uid: instance_admin.jump(database(), uid, instance_id, to_node, _comment()),
                lambda _r: _("The process continues from the chosen step."))


@bp.post("/instances/<int:instance_id>/migrate")
@login_required
def migrate(instance_id: int) -> Any:
    to_version = request.form.get("to_version", type=int)
    dry = request.form.get("dry_run") == "1"

    def said(r: dict[str, Any]) -> str:
        if r["migrated"]:
            return _("The process now runs on version %(v)s.", v=r["to_version"])
        if r["can_migrate"]:
            return _("It can move to version %(v)s (steps now open: %(nodes)s).", v=r["to_version"],
                     nodes=", ".join(r["nodes"]) or "—")
        return _("It cannot move to version %(v)s: %(why)s", v=r["to_version"],
                 why="; ".join(f"{n}: {w}" for n, w in r["blocked"].items()))

    return _run(instance_id, lambda uid: migration.migrate(database(), uid, instance_id, to_version, dry), said)
