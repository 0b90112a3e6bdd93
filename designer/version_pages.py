"""Version pages: /designer/<key>/versions (every version with a thumbnail), /designer/<key>/v<n>
(one version read-only: diagram and table view), /designer/<key>/v<n>.svg (the diagram image),
/designer/<key>/diff?from=&to= (what changed) and POST /designer/<key>/v<n>/copy (deploy a copy
under a new key: the version as a template)."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from bpmn.diagram_svg import render_svg
from bpmn.diff import diff
from bpmn.layout import ensure_layout
from core.errors import DefinitionInvalid, DomainError, ValidationFailed
from designer import bp, versions
from designer import table as tables
from designer.pages import designer_required, me
from designer.table_view import labels
from engine.design import versions as version_reads
from web.errors import form_refusal, status_of
from web.users import current_user, database


def _version(key: str, version: int | None = None) -> dict[str, Any]:
    return version_reads.get_version(database(), me(), key, version)  # NotFound: the error page (404)


@bp.get("/<key>/versions")
@designer_required
def versions_page(key: str) -> Any:
    items = version_reads.list_versions(database(), me(), key)
    return render_template("designer/versions.html", key=key, items=items, latest=items[0], nav="designer")


@bp.get("/<key>/v<int:version>.svg")
@designer_required
def version_svg(key: str, version: int) -> Any:
    v = _version(key, version)
    svg = render_svg(v["bpmn_xml"].encode("utf-8"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


def _version_page(key: str, version: int, copy_errors: dict[str, str] | None = None,
                  copy_values: dict[str, str] | None = None, status: int = 200) -> Any:
    v = _version(key, version)
    table = tables.to_table(v["bpmn_xml"].encode("utf-8"))
    latest = version_reads.get_version(database(), me(), key)["version"]
    laid_out = ensure_layout(v["bpmn_xml"].encode("utf-8")).decode("utf-8")
    return render_template("designer/version.html", key=key, v=v, table=table, latest=latest, laid_out=laid_out,
                           labels=labels(),
                           copy_errors=copy_errors or {}, copy_values=copy_values or {}, nav="designer"), status


@bp.get("/<key>/v<int:version>")
@designer_required
def version_page(key: str, version: int) -> Any:
    return _version_page(key, version)


@bp.post("/<key>/v<int:version>/copy")
@designer_required
def copy_version(key: str, version: int) -> Any:
    _version(key, version)
    values = {"new_key": (request.form.get("new_key") or "").strip(),
              "new_name": (request.form.get("new_name") or "").strip()}
    user = current_user() or {}
    try:
        d = version_reads.copy_as_new_process(database(), user["id"], key, version, values["new_key"],
                                              values["new_name"])
    except DomainError as e:  # shown on the version page, with the status of the error map
        return _version_page(key, version, _copy_errors(e), values, status_of(e))
    flash(gettext("Copied as the new process %(name)s (%(key)s).", name=d["name"], key=d["key"]), "success")
    return redirect(url_for("designer.versions_page", key=d["key"]))



def _copy_errors(e: DomainError) -> dict[str, str]:
    if isinstance(e, DefinitionInvalid):
        return {"deploy": "; ".join(f"{p.element_id or ''} {p.message}".strip() for p in e.problems)}
    if isinstance(e, ValidationFailed):
        return form_refusal(e)  # new_key / new_name, translated by code
    return {"deploy": e.message}


@bp.get("/<key>/diff")
@designer_required
def diff_page(key: str) -> Any:
    items = version_reads.list_versions(database(), me(), key)
    numbers = [i["version"] for i in items]
    to = request.args.get("to", type=int) or numbers[0]
    frm = request.args.get("from", type=int) or max([n for n in numbers if n < to], default=to)
    if to not in numbers or frm not in numbers:
        abort(404)
    old, new = _version(key, frm), _version(key, to)
    d = diff(old["bpmn_xml"].encode("utf-8"), new["bpmn_xml"].encode("utf-8"))
    highlight = {n["id"] for n in d.added} | {n["id"] for n in d.changed}
    svg = Markup(render_svg(new["bpmn_xml"].encode("utf-8"), highlight))
    return render_template("designer/diff.html", key=key, items=items, frm=frm, to=to, diff=d, svg=svg,
                           old=old, new=new, fields=versions.diff_fields(),
                           types=versions.element_types(), nav="designer")
