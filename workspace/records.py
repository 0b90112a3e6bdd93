"""List and detail pages of the CRM records (/crm/<page>, /crm/<page>/<id>): the filters people use,
paging, saved filters; a record's fields with links to the records it names and to the approval
instances about it. The customer's own page is customer360.py.

Every read goes through the crm use cases with the signed-in user, so the data permissions are the
API's: a record out of reach is a 404 page, a list holds only what the user may see.
"""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import lazy_gettext

from core.errors import ValidationFailed
from crm import records as crm_records
from crm.admin import field_rules
from crm.records import contract_file, saved_filters
from engine import about
from web.errors import FORM_REFUSED
from web.i18n import select_locale
from web.messages import translate_fields
from web.nav import add_nav
from web.paging import page_number
from web.users import current_user, database, login_required
from workspace import bp, labels, timeline

PAGE_SIZE = 20
REFS = ("customer", "agent")  # fields holding the id of another record
EXCEL_PAGES = ("customers", "contacts", "contracts", "opportunities")  # list pages with Excel export / import
HIDDEN = {"opportunity": ("contract",)}  # shown otherwise on the page (the opportunity's contract: a link)

add_nav("crm", "workspace.record_list_customers", lazy_gettext("Customers"))


def uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


def page_filters(slug: str, args: Any) -> dict[str, str]:
    """The filters of list `slug` present in the query string (q and the page's filter fields)."""
    allowed = ("q", *labels.PAGES[slug][3])
    return {k: args.get(k, "").strip()[:100] for k in allowed if args.get(k, "").strip()}


def filter_options(slug: str, facets: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's filter fields as selects: [{name, label, options: [(value, text)]}]."""
    kind_key = labels.PAGES[slug][0]
    kind = crm_records.KINDS[kind_key]
    out = []
    for name in labels.PAGES[slug][3]:
        f = kind.by_name[name]
        if f.kind == "user":
            if not facets["team"]:
                continue  # only themselves to choose from
            opts = [(p["username"], p["display_name"]) for p in facets["owners"]]
        elif f.kind == "option" and f.options:
            opts = [(code, labels.option(kind_key, name, code)) for code, _text, _on in labels.choices(f.options)]
        elif f.kind == "enum":
            opts = [(c, labels.value(c)) for c in f.choices]
        elif f.kind == "bool":
            opts = [("true", lazy_gettext("Yes")), ("false", lazy_gettext("No"))]
        else:
            opts = [(v, v) for v in facets.get(name + "s", [])]
        out.append({"name": name, "label": labels.label(kind_key, name), "options": opts})
    return out


def display_names(items: list[dict[str, Any]], extra_refs: dict[str, set[int]] | None = None
                  ) -> dict[str, dict[Any, str]]:
    """Labels of the records and people the rows name, as the user may see them."""
    refs: dict[str, set[int]] = {k: set() for k in REFS}
    for k, v in (extra_refs or {}).items():
        refs.setdefault(k, set()).update(v)
    people: set[str] = set()
    for item in items:
        for k in REFS:
            if isinstance(item.get(k), int):
                refs[k].add(item[k])
        people |= {item[k] for k in labels.PEOPLE if isinstance(item.get(k), str)}
    return crm_records.names(database(), uid(), refs, people)


def limits_of(kind_key: str) -> dict[str, list[str]]:
    """What the user's roles hide, keep read-only or keep from export on this kind (field permissions)."""
    return field_rules.my_limits(database(), uid()).get(kind_key, {"hidden": [], "readonly": [], "noexport": []})


def record_list(slug: str) -> Any:
    if slug not in labels.PAGES:
        abort(404)
    kind_key, title, columns, _ = labels.PAGES[slug]
    limits = limits_of(kind_key)
    columns = tuple(c for c in columns if c not in limits["hidden"])
    filters = page_filters(slug, request.args)
    page = page_number(request.args)
    errors: dict[str, str] = {}
    try:
        items, total = crm_records.list_records(database(), uid(), kind_key, filters, (page - 1) * PAGE_SIZE,
                                                PAGE_SIZE)
    except ValidationFailed as e:
        items, total, errors = [], 0, translate_fields(e.fields)
    facets = crm_records.facets(database(), uid())
    pages = max(1, -(-total // PAGE_SIZE))

    def page_url(n: int) -> str:
        args: dict[str, Any] = {**filters, "page": n}
        return url_for(request.endpoint or "", **args)

    return render_template(
        "workspace/list.html", nav="crm", slug=slug, kind=kind_key, title=title, columns=columns, items=items,
        total=total, page=page, pages=pages, page_url=page_url, filters=filters, errors=errors,
        filter_fields=[f for f in filter_options(slug, facets) if f["name"] not in limits["hidden"]],
        names=display_names(items), labels=labels, can_export="*" not in limits["noexport"],
        saved=saved_filters.list_saved(database(), uid(), slug), excel=slug in EXCEL_PAGES,
        pages_nav=labels.PAGES), FORM_REFUSED if errors else 200


def record_detail(slug: str, record_id: int) -> Any:
    if slug not in labels.PAGES or slug == "customers":
        abort(404)
    kind_key, title, _, _ = labels.PAGES[slug]
    record = crm_records.get(database(), uid(), kind_key, record_id)  # NotFound: the 404 page
    kind = crm_records.KINDS[kind_key]
    related: dict[str, list[dict[str, Any]]] = {}
    if kind_key == "agent":
        related["settlements"], _ = crm_records.list_records(database(), uid(), "settlement",
                                                             {"agent": str(record_id)}, 0, 100)
    instances = timeline.decorate(about.about_record(database(), uid(), kind_key, record_id), select_locale())
    fields = [f.name for f in kind.fields if f.kind != "json" and f.name not in HIDDEN.get(kind_key, ())] \
        + ["created_by", "created_at"]
    file_form = kind_key == "contract" and "file" in record \
        and contract_file.may_change(database(), uid(), record_id)  # the contract file (issue 15)
    return render_template(
        "workspace/detail.html", nav="crm", slug=slug, kind=kind_key, title=title, record=record, fields=fields,
        names=display_names([record, *related.get("settlements", [])]), labels=labels, related=related,
        instances=instances, pages_nav=labels.PAGES, file_form=file_form)


def _register(slug: str) -> None:
    def list_view() -> Any:
        return record_list(slug)

    bp.add_url_rule(f"/{slug.replace('_', '-')}", f"record_list_{slug}", login_required(list_view))
    if slug != "customers":
        def detail_view(record_id: int) -> Any:
            return record_detail(slug, record_id)

        bp.add_url_rule(f"/{slug.replace('_', '-')}/<int:record_id>", f"record_detail_{slug}",
                        login_required(detail_view))


for _slug in labels.PAGES:
    _register(_slug)
