"""The issued document of a 公文发文 instance as a PDF (WeasyPrint, /instances/<id>/document.pdf):
the red masthead (发文机关 + 文件), the 发文字号 the register gave it, title, 主送, body, the
signing date (the general manager's signature step) and 抄送 — set like a Chinese official
document (GB/T 9704 in spirit: 仿宋-like body, A4). Only for instances whose `issue` step gave a
number (the library's doc_outgoing and copies of it); readers are those of the instance
(engine/instances.py), anyone else gets its 403/404."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, render_template

from core.errors import NotFound
from engine import instances
from web.record_pdf import pdf_of

DOC_TYPES = {"notice": "通知", "decision": "决定", "report": "报告", "request": "请示", "letter": "函"}


def _signed_on(data: dict[str, Any]) -> str:
    votes = (data.get("gm_sign") or {}).get("votes") or []
    at = votes[-1].get("at") if votes and isinstance(votes[-1], dict) else None
    try:
        day = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        day = None
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def document_html(db: Any, actor_id: int, instance_id: int) -> str:
    view = instances.get_instance(db, actor_id, instance_id)  # NotFound / Forbidden for non-readers
    data = view.get("data") or {}
    issued = (data.get("issue") or {}).get("result") if isinstance(data.get("issue"), dict) else None
    if not isinstance(issued, dict) or not issued.get("number"):
        raise NotFound("this request has no issued document", reason="no_document")
    body = str(data.get("body") or "")
    return render_template("document.html", number=issued["number"], issuer=str(data.get("issuer") or ""),
                           title=str(data.get("title") or issued.get("title") or ""),
                           recipients=str(data.get("recipients") or ""), cc_to=str(data.get("cc_to") or ""),
                           paragraphs=[p.strip() for p in body.splitlines() if p.strip()],
                           doc_type=DOC_TYPES.get(str(data.get("doc_type")), ""), signed_on=_signed_on(data),
                           business_key=view.get("business_key") or "")


def document_pdf_response(db: Any, actor_id: int, instance_id: int) -> Response:
    return pdf_of(document_html(db, actor_id, instance_id), f"document-{instance_id}.pdf")
