"""Records to an Excel workbook (.xlsx, openpyxl): the customers, contacts, contracts or sales
opportunities the caller may see (crm/sheets.py names each kind's columns).

One sheet (`客户`, `联系人`, `合同`, `销售机会`), a header row of Chinese column names, one row per record,
oldest first. Every value is written as text (codes, postcodes and phone numbers keep their leading
zeros; a value starting with "=" is text, never a formula); VIP is 是/否, custom fields are JSON
text, a contact's or contract's customer is its 客户编号. The same columns are read back by
crm/import_.py, so an export imports into another database unchanged (except the export-only
columns, which the system sets: numbers issued again, 信息添加人/时间 are the importer and the time).
"""
from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from core.errors import NotFound
from crm import records
from crm.admin import field_rules
from crm.sheets import CUSTOMER_COLUMNS, SHEETS, Column, Sheet
from db.session import Database

# the customers' sheet, by its former names
SHEET = SHEETS["customer"].title
COLUMNS = CUSTOMER_COLUMNS
BY_HEADER = SHEETS["customer"].by_header
YES, NO = "是", "否"

__all__ = ["BY_HEADER", "COLUMNS", "Column", "cell_text", "customers_xlsx", "records_xlsx", "sheet_of"]


def sheet_of(kind: str) -> Sheet:
    if kind not in SHEETS:
        raise NotFound(f"no Excel sheet for '{kind}'")
    return SHEETS[kind]


def cell_text(column: Column, value: Any, codes: dict[int, str] | None = None) -> str | None:
    """A record value as the text written to its cell (None: an empty cell)."""
    if value is None:
        return None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    if column.kind == "customer_code":
        return (codes or {}).get(value, str(value))
    return str(value)


def _codes(db: Database, ids: set[int]) -> dict[int, str]:
    """客户编号 of the customers the exported rows name (the caller sees them: their rows are visible)."""
    if not ids:
        return {}
    with db.uow() as s:
        return {i: code for i, code in s.execute(select(records.Customer.id, records.Customer.code)
                                                 .where(records.Customer.id.in_(sorted(ids))))}


def records_xlsx(db: Database, actor_id: int, kind: str, query: dict[str, str] | None = None) -> bytes:
    """The .xlsx bytes of every `kind` record the actor may see (filtered like the list: ?q=, ?level=...),
    without the columns their roles may not export (Forbidden when they may not export the kind)."""
    sheet = sheet_of(kind)
    excluded = field_rules.check_export(db, actor_id, kind)
    if excluded:
        sheet = replace(sheet, columns=tuple(c for c in sheet.columns if c.field not in excluded))
    rows = records.all_visible(db, actor_id, kind, query)
    codes = _codes(db, {r["customer"] for r in rows if isinstance(r.get("customer"), int)}) \
        if any(c.kind == "customer_code" for c in sheet.columns) else {}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet.title
    ws.append([c.header for c in sheet.columns])
    for i, c in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    for r, record in enumerate(rows, start=2):
        for i, c in enumerate(sheet.columns, start=1):
            text = cell_text(c, record.get(c.field), codes)
            cell = ws.cell(row=r, column=i, value=text)
            if text is not None:
                cell.data_type = "s"  # text, never a formula (a name starting with "=" stays a name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def customers_xlsx(db: Database, actor_id: int, query: dict[str, str] | None = None) -> bytes:
    return records_xlsx(db, actor_id, "customer", query)
