"""The process library's gallery (流程库, /designer/gallery): the library processes
(bpmn/library/, bpmn.gallery) by category with a description and a diagram preview, and what a
designer does with one — enable (deploy it), copy (a draft under a new key) and adapt (open it in
the modeler). Admins and process admins; the use cases are engine/design/library.py."""
from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from bpmn import gallery as files
from bpmn.diagram_svg import render_svg
from core.errors import DefinitionInvalid, DomainError, ValidationFailed
from designer import bp, problems
from designer.pages import designer_required, me
from engine.design import library
from web.errors import form_refusal, status_of
from web.i18n import select_locale
from web.users import database

CATEGORIES_EN = {"公文": "Official documents", "行政": "Administration", "人事": "HR", "财务": "Finance",
                 "项目": "Projects", "业务": "Business"}


def _localized(item: dict[str, Any]) -> dict[str, Any]:
    en = select_locale() == "en"
    return {**item, "label": item["name_en"] if en and item["name_en"] else item["name"],
            "text": item["description_en"] if en and item["description_en"] else item["description"],
            "category_label": CATEGORIES_EN.get(item["category"], item["category"]) if en else item["category"]}


def _page(errors: dict[str, dict[str, str]] | None = None, values: dict[str, dict[str, str]] | None = None,
          status: int = 200) -> Any:
    items = [_localized(i) for i in library.list_library(database(), me())]
    groups = [(label, list(rows)) for label, rows in groupby(items, key=lambda i: i["category_label"])]
    return render_template("designer/gallery.html", groups=groups, errors=errors or {}, values=values or {},
                           nav="designer"), status


@bp.get("/gallery")
@designer_required
def gallery_page() -> Any:
    return _page()


@lru_cache(maxsize=64)
def _svg(key: str, xml: bytes) -> str:
    return render_svg(xml)


@bp.get("/gallery/<key>.svg")
@designer_required
def gallery_svg(key: str) -> Any:
    xml = files.xml(key)
    if xml is None:
        abort(404)
    return Response(_svg(key, xml), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/gallery/<key>/enable")
@designer_required
def gallery_enable(key: str) -> Any:
    try:
        d, created = library.enable(database(), me(), key)
    except DefinitionInvalid as e:
        why = "; ".join(f"{p['element_id'] or ''} {p['message']}".strip() for p in problems.as_dicts(e.problems))
        return _page({key: {"deploy": why}}, status=status_of(e))
    if created:
        flash(gettext("%(name)s is enabled (version %(version)s): it is on the start page now.",
                      name=d["name"], version=d["version"]), "success")
    else:
        flash(gettext("%(name)s is already enabled (version %(version)s).", name=d["name"], version=d["version"]),
              "info")
    return redirect(url_for("designer.gallery_page") + f"#lib-{key}")


@bp.post("/gallery/<key>/copy")
@designer_required
def gallery_copy(key: str) -> Any:
    values = {"new_key": (request.form.get("new_key") or "").strip(),
              "new_name": (request.form.get("new_name") or "").strip()}
    try:
        draft = library.copy(database(), me(), key, values["new_key"], values["new_name"])
    except ValidationFailed as e:
        return _page({key: form_refusal(e)}, {key: values}, status_of(e))
    except DomainError as e:
        return _page({key: {"deploy": e.message}}, {key: values}, status_of(e))
    flash(gettext("Copied as the draft %(key)s: adapt it, then deploy it.", key=draft["key"]), "success")
    return redirect(url_for("designer.edit", key=draft["key"]))


@bp.post("/gallery/<key>/adapt")
@designer_required
def gallery_adapt(key: str) -> Any:
    return redirect(url_for("designer.edit", key=library.adapt(database(), me(), key)))
