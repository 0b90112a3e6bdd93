"""The Excel sheets of the record kinds that export and import (customers, contacts, contracts, sales
opportunities): one sheet each, a header row of Chinese column names, one row per record.

A `Column` names the record field it holds and how its cell is written and read: text; `bool`
(是/否); `int` (a whole number); `json` (a JSON object as text); `customer_code` (the customer by
its 客户编号: exported as the code, imported back to the customer the importer may see). Export-only columns
(`imported=False`) are what the system sets (numbers issued, 信息添加人/时间, process-owned statuses).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    field: str  # the record field (records.KINDS[kind])
    header: str  # the Chinese column header
    kind: str = "text"  # text | bool | int | json | customer_code
    imported: bool = True  # False: export-only, ignored by the import
    width: int = 14


SYSTEM = (Column("created_by", "信息添加人", imported=False),
          Column("created_at", "信息添加时间", imported=False, width=22))

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column("code", "客户编号"), Column("name", "客户名称", width=30), Column("nature", "企业性质"),
    Column("legal_rep", "法人代表"), Column("address", "地址", width=36), Column("postcode", "邮编", width=10),
    Column("website", "网站", width=22), Column("phone", "电话"), Column("email", "邮箱", width=24),
    Column("fax", "传真"), Column("level", "客户级别"), Column("type", "客户类型"), Column("status", "客户状态"),
    Column("stage", "客户阶段"), Column("credit", "信用评价", width=10), Column("province", "所在省份", width=10),
    Column("region", "所在区域", width=10), Column("source", "信息来源"), Column("owner", "业务员"),
    Column("vip", "VIP", "bool", width=6), Column("area_code", "地区代码", width=10),
    Column("industry", "行业代码", width=10), Column("custom", "自定义字段", "json", width=24),
    Column("remark", "备注", width=30),
    Column("service_auth_no", "服务授权编号", imported=False), *SYSTEM,
)
CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("customer", "客户编号", "customer_code"), Column("name", "姓名"), Column("gender", "性别", width=8),
    Column("department", "部门"), Column("title", "职务"), Column("phone", "电话"), Column("mobile", "手机"),
    Column("email", "邮箱", width=24), Column("birthday", "生日", width=12), Column("address", "地址", width=36),
    Column("hobbies", "爱好", width=24), Column("remark", "备注", width=30), *SYSTEM,
)
CONTRACT_COLUMNS: tuple[Column, ...] = (
    Column("number", "合同编号"), Column("customer", "客户编号", "customer_code"),
    Column("title", "合同名称", width=30), Column("amount", "合同金额"), Column("start_date", "开始日期", width=12),
    Column("end_date", "结束日期", width=12), Column("owner", "业务员"), Column("attachment", "合同文件", width=24),
    Column("remark", "备注", width=30), Column("status", "合同状态", imported=False), *SYSTEM,
)

# 销售机会: its status, salesperson and time of assignment are the sales-opportunity process's
OPPORTUNITY_COLUMNS: tuple[Column, ...] = (
    Column("number", "机会编号"), Column("source", "机会来源"), Column("customer_name", "客户名称", width=30),
    Column("customer", "客户编号", "customer_code"), Column("summary", "概要", width=30),
    Column("contact_name", "联系人"), Column("contact_phone", "联系人电话"),
    Column("description", "机会描述", width=36), Column("probability", "成功机率", "int", width=10),
    Column("amount", "预期金额"), Column("stage", "机会阶段"), Column("product", "产品", width=20),
    Column("quantity", "数量", "int", width=10), Column("due_date", "机会截止日期", width=12),
    Column("remark", "备注", width=30), Column("status", "机会状态", imported=False),
    Column("owner", "业务员", imported=False), Column("assigned_at", "指派时间", imported=False, width=22),
    *SYSTEM,
)


@dataclass(frozen=True)
class Sheet:
    kind: str  # the record kind
    title: str  # the sheet's name, and the file's
    filename: str  # the file's ASCII name
    columns: tuple[Column, ...]
    required: tuple[str, ...]  # headers the import needs
    by_header: dict[str, Column] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_header", {c.header: c for c in self.columns})


SHEETS: dict[str, Sheet] = {s.kind: s for s in (
    Sheet("customer", "客户", "customers", CUSTOMER_COLUMNS, ("客户名称",)),
    Sheet("contact", "联系人", "contacts", CONTACT_COLUMNS, ("客户编号", "姓名")),
    Sheet("contract", "合同", "contracts", CONTRACT_COLUMNS, ("客户编号", "合同名称")),
    Sheet("opportunity", "销售机会", "opportunities", OPPORTUNITY_COLUMNS, ("概要", "成功机率")),
)}
