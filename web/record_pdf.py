"""The approval record as a PDF (WeasyPrint), shared by the page route (/instances/<id>/record.pdf)
and the API (GET /api/v1/process-instances/<id>/record.pdf): the form data as this reader may see
it (engine/record.py reads it redacted), line items as tables, the approver chain with every
decision, comment and time, the diagram with the path taken, and the audit chain's head hash with
a QR code opening the public verification page. Chinese is set in Noto Sans CJK (fonts-noto-cjk,
installed by scripts/system-deps.sh)."""
from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import segno
from flask import Response, render_template, url_for

from bpmn.diagram_svg import render_svg
from bpmn.layout import ensure_layout
from engine import record
from files import service as file_service
from forms import display
from forms.components import components
from forms.files import is_ref, map_files
from web.i18n import select_locale


@lru_cache(maxsize=32)
def _diagram(xml: str, highlight: tuple[str, ...]) -> str:
    svg = render_svg(ensure_layout(xml.encode()), highlight)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def verification_url(business_key: str, head: str) -> str:
    return url_for("worklist.verify_record", business_key=business_key, head=head, _external=True)


def _attachments(form: dict[str, Any] | None, data: dict[str, Any], locale: str) -> list[dict[str, Any]]:
    """Every file the reader may see (the data is already redacted for them), by field, with its
    hash; a file field of a list's items is labelled with the list, the item's number and the field."""
    labels = {c["key"]: display.label_of(c, locale) for c in components(form) if isinstance(c.get("key"), str)}
    lists = {c["path"]: display.label_of(c, locale) for c in components(form)
             if c.get("type") == "dynamiclist" and isinstance(c.get("path"), str)}
    found = [{"label": labels.get(key, key), "files": value} for key, value in data.items()
             if isinstance(value, list) and value and all(is_ref(v) for v in value)]  # any form's fields

    def in_items(_schema_path: str, data_path: str, value: list[Any]) -> list[Any]:
        parts = data_path.split(".")
        if len(parts) == 3 and parts[1].isdigit() and value and all(is_ref(v) for v in value):
            label = f"{lists.get(parts[0], parts[0])} {int(parts[1]) + 1} · {labels.get(parts[2], parts[2])}"
            found.append({"label": label, "files": value})  # <list>.<index>.<field>
        return value

    map_files(form or {}, data, in_items)
    return found


def _signature_images(chain: list[dict[str, Any]]) -> None:
    """Signatures drawn on votes, inlined (WeasyPrint fetches nothing with the reader's rights)."""
    for step in chain:
        for p in step["people"]:
            ref = p.get("signature")
            if not ref:
                continue
            with file_service.open_id(ref["id"]) as f:
                p["signature_src"] = "data:image/png;base64," + base64.b64encode(f.read()).decode()


def html_of(db: Any, actor_id: int, instance_id: int) -> str:
    rec = record.record(db, actor_id, instance_id)
    view, prog = rec["instance"], rec["progress"]
    # hidden fields and field permissions: the instance and progress reads are already redacted for
    # this reader (engine/redaction.py, one rule for every channel)
    _signature_images(rec["chain"])
    locale = select_locale()
    link = verification_url(view["business_key"], rec["audit"]["head"])
    return render_template(
        "record.html", view=view, prog=prog, chain=rec["chain"], audit=rec["audit"], locale=locale,
        initiator_name=rec["initiator_name"], attachments=_attachments(prog["form"], view["data"], locale),
        rows=display.rows(prog["form"], view["data"], prog["options"], locale) if prog["form"] else
        [{"kind": "field", "label": k, "value": str(v)} for k, v in sorted(view["data"].items())
         if not isinstance(v, (dict, list))],
        diagram=_diagram(prog["bpmn_xml"], tuple(sorted({*prog["completed"], *prog["taken"], *prog["current"]}))),
        qr=segno.make(link, error="m").svg_data_uri(scale=3), link=link,
        process_name=prog["name_en"] if locale == "en" and prog.get("name_en") else prog["process_name"],
    )


def pdf_response(db: Any, actor_id: int, instance_id: int) -> Response:
    return pdf_of(html_of(db, actor_id, instance_id), f"record-{instance_id}.pdf")


def pdf_of(html: str, filename: str) -> Response:
    """`html` printed by WeasyPrint, as an inline PDF answer nobody caches (it is one reader's view)."""
    from weasyprint import HTML  # imported on first use: it loads pango and fonts (about 0.3 s)

    pdf = HTML(string=html, base_url=url_for("worklist.inbox", _external=True)).write_pdf()
    resp = Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
