"""The office registers (/crm/assets 资产台账, /crm/documents 公文登记簿): what the library's asset
and 公文 processes (bpmn/library/) keep, for the office (role hr) and admins — anyone else gets 403
and no menu entry. The asset keeper adds assets here; the processes move them.
Use cases: crm/office_registers.py."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from core.errors import ValidationFailed
from crm import office_registers as registers
from web.errors import FORM_REFUSED
from web.messages import translate_fields
from web.nav import add_nav
from web.users import current_user, database, login_required
from workspace import bp


def _keeper(user: dict[str, Any]) -> bool:
    roles = user.get("roles") or []
    return "admin" in roles or "hr" in roles


add_nav("registers", "workspace.assets_page", lazy_gettext("Registers"), visible=_keeper)


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


def status_labels() -> dict[str, str]:
    return {"in_stock": gettext("In stock"), "reserved": gettext("Reserved"), "issued": gettext("Issued"),
            "borrowed": gettext("Borrowed"), "retired": gettext("Retired"), "received": gettext("Document received"),
            "handled": gettext("Handled"), "declined": gettext("Declined"), "archived": gettext("Archived"),
            "outgoing": gettext("Outgoing"), "incoming": gettext("Incoming")}


def _assets(errors: dict[str, str] | None = None, values: dict[str, str] | None = None, status: int = 200) -> Any:
    rows = registers.list_assets(database(), _uid())  # Forbidden: the 403 page
    return render_template("workspace/assets.html", rows=rows, labels=status_labels(), errors=errors or {},
                           values=values or {}, nav="registers"), status


@bp.get("/assets")
@login_required
def assets_page() -> Any:
    return _assets()


@bp.post("/assets")
@login_required
def add_asset() -> Any:
    values = {k: (request.form.get(k) or "").strip() for k in ("tag", "name", "category")}
    try:
        a = registers.add_asset(database(), _uid(), values["tag"], values["name"], values["category"])
    except ValidationFailed as e:
        return _assets(translate_fields(e.fields), values, FORM_REFUSED)
    flash(gettext("Asset %(tag)s added.", tag=a["tag"]), "success")
    return redirect(url_for("workspace.assets_page"))


@bp.get("/documents")
@login_required
def documents_page() -> Any:
    rows = registers.list_documents(database(), _uid())
    return render_template("workspace/documents.html", rows=rows, labels=status_labels(), nav="registers")
