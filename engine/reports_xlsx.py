"""Every report as an Excel workbook (openpyxl): the same rows as its JSON, one sheet, headings in
the viewer's language (their `locale`), durations in hours."""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from crm import org
from db.session import Database
from engine import reports

# column: (English, 中文); *_seconds columns are written as hours
HEADINGS: dict[str, tuple[str, str]] = {
    "process": ("Process key", "流程标识"), "name": ("Process", "流程"), "process_name": ("Process", "流程"),
    "node_id": ("Step id", "节点标识"), "node_name": ("Step", "节点"), "count": ("Count", "数量"),
    "approved": ("Approved", "通过"), "rejected": ("Rejected", "驳回"), "running": ("Running", "审批中"),
    "open": ("Open", "待处理"), "approval_rate": ("Approval rate", "通过率"),
    "median_seconds": ("Median (hours)", "中位用时（小时）"), "p90_seconds": ("P90 (hours)", "P90 用时（小时）"),
    "overdue": ("Overdue", "超时"), "username": ("User", "用户名"), "display_name": ("Name", "姓名"),
    "pending": ("Pending", "待办"), "decided": ("Decided", "已处理"),
    "avg_decide_seconds": ("Average time to decide (hours)", "平均处理用时（小时）"),
    "week": ("Week of", "周（起始日）"),
    "started": ("Started", "发起"), "finished": ("Finished", "结束"), "tasks": ("Tasks", "任务数"),
    "due": ("With a due time", "有期限"), "urged": ("Urged", "被催办"),
}
TITLES = {"processes": ("By process", "按流程"), "nodes": ("By step", "按节点"), "people": ("By person", "按人员"),
          "bottlenecks": ("Bottlenecks", "瓶颈节点"), "trends": ("By week", "按周趋势"), "sla": ("SLA", "时效")}
COLUMNS = {
    "processes": ["name", "count", "approved", "rejected", "running", "approval_rate", "median_seconds",
                  "p90_seconds", "overdue"],
    "nodes": ["process_name", "node_name", "count", "approved", "rejected", "open", "approval_rate",
              "median_seconds", "p90_seconds", "overdue"],
    "people": ["display_name", "username", "pending", "overdue", "decided", "avg_decide_seconds"],
    "trends": ["week", "started", "finished", "approved", "rejected"],
    "sla": ["process_name", "node_name", "tasks", "due", "overdue", "urged"],
}
COLUMNS["bottlenecks"] = COLUMNS["nodes"]


def _cell(column: str, value: Any) -> Any:
    if column.endswith("_seconds") and value is not None:
        return round(value / 3600, 2)
    return value


def report_xlsx(db: Database, actor_id: int, name: str, raw: dict[str, Any]) -> tuple[bytes, str]:
    """(the .xlsx bytes, the file name) of one report, with the same access and filters as its JSON."""
    data = reports.report(db, actor_id, name, raw)  # NotFound / Forbidden / ValidationFailed first
    with db.uow() as s:
        zh = 1 if org.get_user(s, actor_id).locale.startswith("zh") else 0
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TITLES[name][zh]
    columns = COLUMNS[name]
    ws.append([HEADINGS[c][zh] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in data["rows"]:
        ws.append([_cell(c, row.get(c)) for c in columns])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula: a step named "=HYPERLINK(...)" stays its name
    for i, c in enumerate(columns):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(10, len(HEADINGS[c][zh]) * 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), f"report-{name}.xlsx"
