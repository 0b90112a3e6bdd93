"""Customers to an Excel workbook (.xlsx, openpyxl): the customers the caller may see.

One sheet `客户`, a header row of Chinese column names (COLUMNS), one row per customer, oldest first.
Every value is written as text (codes, postcodes and phone numbers keep their leading zeros; a
value starting with "=" is text, never a formula);
VIP is 是/否, custom fields are JSON text. The same columns are read back by crm/import_.py, so an
export imports into another database unchanged (except the columns marked export-only, which
the system sets: 服务授权编号 is issued again, 信息添加人/时间 are the importer and the import time).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from crm import records
from db.session import Database

SHEET = "客户"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    field: str  # the customer field (records.KINDS["customer"])
    header: str  # the Chinese column header
    kind: str = "text"  # text | bool | json
    imported: bool = True  # False: export-only, ignored by the import
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("code", "客户编号"), Column("name", "客户名称", width=30), Column("nature", "企业性质"),
    Column("legal_rep", "法人代表"), Column("address", "地址", width=36), Column("postcode", "邮编", width=10),
    Column("website", "网站", width=22), Column("phone", "电话"), Column("email", "邮箱", width=24),
    Column("fax", "传真"), Column("level", "客户级别"), Column("type", "客户类型"), Column("status", "客户状态"),
    Column("stage", "客户阶段"), Column("credit", "信用评价", width=10), Column("province", "所在省份", width=10),
    Column("region", "所在区域", width=10), Column("source", "信息来源"), Column("owner", "业务员"),
    Column("vip", "VIP", "bool", width=6), Column("area_code", "地区代码", width=10),
    Column("industry", "行业代码", width=10), Column("custom", "自定义字段", "json", width=24),
    Column("remark", "备注", width=30),
    Column("service_auth_no", "服务授权编号", imported=False), Column("created_by", "信息添加人", imported=False),
    Column("created_at", "信息添加时间", imported=False, width=22),
)
BY_HEADER = {c.header: c for c in COLUMNS}


def cell_text(column: Column, value: Any) -> str | None:
    """A customer value as the text written to its cell (None: an empty cell)."""
    if value is None:
        return None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    return str(value)


def customers_xlsx(db: Database, actor_id: int, query: dict[str, str] | None = None) -> bytes:
    """The .xlsx bytes of every customer the actor may see (filtered like the list: ?q=, ?level=...)."""
    customers = records.all_visible(db, actor_id, "customer", query)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append([c.header for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    for r, customer in enumerate(customers, start=2):
        for i, c in enumerate(COLUMNS, start=1):
            text = cell_text(c, customer.get(c.field))
            cell = ws.cell(row=r, column=i, value=text)
            if text is not None:
                cell.data_type = "s"  # text, never a formula (a name starting with "=" stays a name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
