"""Customers, contacts, contracts or sales opportunities from an Excel workbook (.xlsx, openpyxl):
all rows or none.

The first sheet's first row names the columns by their Chinese headers (crm/sheets.py, in any
order; customers need 客户名称, contacts 客户编号 and 姓名, contracts 客户编号 and 合同名称,
opportunities 概要 and 成功机率; the export-only columns — 服务授权编号, 合同状态, 机会状态,
业务员 / 指派时间 of an opportunity, 信息添加人 / 信息添加时间 — are ignored). Every
following non-empty row is one record, validated exactly like `POST /customers` (`/contacts`,
`/contracts`): records.create_many — allowed values, the 业务员 within the caller's reach, unique
numbers also within the file; a 客户编号 names a customer the importer may see.
If any row is invalid, ValidationFailed lists every problem
as `row <n>, column <letter> (<header>)` -> why (rows numbered as Excel shows them) and nothing is
imported. The importer becomes 信息添加人; VIP (process-owned) may be 是 only for administrators.

Cell values: text as is (trimmed); whole numbers typed as numbers become their digits (a phone
number typed without quotes), dates become YYYY-MM-DD; VIP is 是/否 (also Y/N, true/false, 1/0);
自定义字段 is a JSON object.
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import ValidationFailed
from crm import records
from crm.models import User
from crm.sheets import SHEETS, Column, Sheet
from db.session import Database

MAX_BYTES = 5 * 1024 * 1024
# What the workbook may unpack to (the sizes its zip directory declares; Python's zipfile stops
# reading a member there). 5,000 rows of 30 long text columns unpack to 27 MB; a 310 KB file that
# unpacked to 300 MB took 1 GB of memory in openpyxl before this check.
MAX_UNPACKED = 64 * 1024 * 1024
MAX_ROWS = records.MAX_BULK
TRUE = {"是", "y", "yes", "true", "1", "vip"}
FALSE = {"否", "n", "no", "false", "0"}


class _Bad(Exception):
    pass


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _value(column: Column, raw: Any, is_admin: bool, customers: dict[str, int]) -> Any:
    """The JSON value of a cell for the record's payload; _Bad(why) when it cannot be one."""
    text = _text(raw)
    if column.kind == "customer_code":
        if text is None:
            return None
        if text not in customers:
            raise _Bad("no customer with this number that you may see")
        return customers[text]
    if column.kind == "bool":
        if text is None or text.lower() in FALSE:
            return False
        if text.lower() in TRUE:
            if not is_admin:
                raise _Bad("VIP is set by the VIP customer process (administrators may correct it)")
            return True
        raise _Bad("是 or 否")
    if column.kind == "int":
        if text is None:
            return None
        try:
            return int(text)
        except ValueError as e:
            raise _Bad("must be a whole number") from e
    if column.kind == "json":
        if text is None:
            return None
        try:
            parsed = json.loads(text)
        except ValueError as e:
            raise _Bad("must be a JSON object") from e
        if not isinstance(parsed, dict):
            raise _Bad("must be a JSON object")
        return parsed
    return text


def _rows(data: bytes) -> list[tuple[Any, ...]]:
    if len(data) > MAX_BYTES:
        raise ValidationFailed("the file is too large", {"file": f"at most {MAX_BYTES // (1024 * 1024)} MB"})
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > MAX_UNPACKED:
            raise ValidationFailed("the workbook unpacks to too much data",
                                   {"file": f"unpacks to at most {MAX_UNPACKED // (1024 * 1024)} MB"})
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ValidationFailed("not an Excel workbook", {"file": "not an .xlsx workbook"}) from e
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ValidationFailed("the workbook has no sheet", {"file": "no sheet"})
        rows: list[tuple[Any, ...]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + 1:
                raise ValidationFailed("too many rows", {"file": f"at most {MAX_ROWS} rows per file"})
        return rows
    finally:
        wb.close()


def import_customers(db: Database, actor_id: int, data: bytes) -> dict[str, Any]:
    return import_records(db, actor_id, "customer", data)


def _customer_codes(db: Database, actor_id: int, rows: list[tuple[Any, ...]], columns: dict[int, Column]
                    ) -> dict[str, int]:
    """客户编号 -> id of the customers the actor may see, among the codes the sheet names."""
    index = next((i for i, c in columns.items() if c.kind == "customer_code"), None)
    if index is None:
        return {}
    codes = {t for row in rows[1:] if index < len(row) and (t := _text(row[index])) is not None}
    with db.uow() as s:
        actor = s.get(User, actor_id)
        if actor is None or not codes:
            return {}
        stmt = records.KINDS["customer"].visible(s, actor, records.reach(s, actor))
        return {c.code: c.id for c in s.scalars(stmt.where(records.Customer.code.in_(sorted(codes))))}


def import_records(db: Database, actor_id: int, kind: str, data: bytes) -> dict[str, Any]:
    """Create the `kind` records of an .xlsx file as `actor_id`; {"created": n, "ids": [...]}, or
    ValidationFailed listing every bad cell (nothing created)."""
    sheet = SHEETS[kind]
    with db.uow() as s:
        actor = s.get(User, actor_id)
        is_admin = actor is not None and actor.is_admin  # crm.records checks permissions again
    rows = _rows(data)
    columns, letters = _header(sheet, rows)
    customers = _customer_codes(db, actor_id, rows, columns)
    problems: dict[str, str] = {}
    payloads: list[dict[str, Any]] = []
    row_numbers: list[int] = []
    for n, row in enumerate(rows[1:], start=2):
        if all(_text(v) is None for v in row):
            continue
        payloads.append(_payload(row, n, columns, letters, is_admin, problems, customers))
        row_numbers.append(n)
    if not payloads and not problems:
        raise ValidationFailed("the sheet has no rows", {"file": "no rows below the header"})
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the file: nothing was imported", problems)
    try:
        created = records.create_many(db, actor_id, kind, payloads)
    except ValidationFailed as e:
        raise ValidationFailed(f"{len(e.fields)} problem(s) in the file: nothing was imported",
                               {_where(sheet, k, row_numbers, letters): v for k, v in e.fields.items()}) from e
    return {"created": len(created), "ids": [c["id"] for c in created]}


def _header(sheet: Sheet, rows: list[tuple[Any, ...]]) -> tuple[dict[int, Column], dict[str, str]]:
    """The imported columns by 0-based index, and the column letter of every known field;
    ValidationFailed listing every problem of the header row."""
    if not rows or not any(v is not None for v in rows[0]):
        raise ValidationFailed("the sheet has no header row", {"file": f"the first row names the columns "
                                                                        f"({', '.join(sheet.required)}, ...)"})
    problems: dict[str, str] = {}
    columns: dict[int, Column] = {}  # 0-based index -> column
    letters: dict[str, str] = {}  # field -> column letter
    for i, header in enumerate(rows[0]):
        name = _text(header)
        if name is None:
            continue
        where = f"row 1, column {get_column_letter(i + 1)} ({name})"
        column = sheet.by_header.get(name)
        if column is None:
            problems[where] = "unknown column; known: " + ", ".join(sheet.by_header)
        elif column.field in letters:
            problems[where] = f"repeats column {letters[column.field]}"
        else:
            letters[column.field] = get_column_letter(i + 1)
            if column.imported:
                columns[i] = column
    missing = [h for h in sheet.required if h not in {c.header for c in columns.values()}]
    if missing:
        problems["file"] = f"no {', '.join(missing)} column"
    if problems:
        raise ValidationFailed("the header row is not valid: nothing was imported", problems)
    return columns, letters


def _payload(row: tuple[Any, ...], n: int, columns: dict[int, Column], letters: dict[str, str], is_admin: bool,
             problems: dict[str, str], customers: dict[str, int]) -> dict[str, Any]:
    """The record of sheet row `n`; a problem per bad cell (its column left out)."""
    payload: dict[str, Any] = {}
    for i, column in columns.items():
        raw = row[i] if i < len(row) else None
        try:
            value = _value(column, raw, is_admin, customers)
        except _Bad as e:
            problems[f"row {n}, column {letters[column.field]} ({column.header})"] = str(e)
            continue
        if column.kind == "bool":
            if value or is_admin:
                payload[column.field] = value
        elif value is not None:
            payload[column.field] = value
    return payload


def _where(sheet: Sheet, key: str, row_numbers: list[int], letters: dict[str, str]) -> str:
    """`<index>.<field>` of create_many as `row <n>, column <letter> (<header>)`."""
    index, _, field = key.partition(".")
    if not index.isdigit() or int(index) >= len(row_numbers):
        return key
    n = row_numbers[int(index)]
    column = next((c for c in sheet.columns if c.field == field), None)
    if column is None:
        return f"row {n}, {field}"
    if field in letters:
        return f"row {n}, column {letters[field]} ({column.header})"
    return f"row {n}, {column.header}"
