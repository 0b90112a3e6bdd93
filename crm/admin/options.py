"""The data dictionary (数据字典, requirements 002 §3.5.1): the option lists admins edit.

Each list (`CATEGORIES`) has entries of a stable `code` — what records store, what forms submit,
what filters compare — and two labels (zh / en) that admins may change at any time. An entry is
retired (`active: false`) rather than deleted: records keeping a retired code still show its
label and may be saved unchanged, but new values must be active codes.

A list nobody has edited yet is its shipped entries (`Category.defaults`, the values the records
always accepted); the first admin change writes the whole list to `option_entry`, so from then on
the table is the list. Reads are cached per session (`s.info`), so validating 5,000 imported rows
reads each list once.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, Msg, NotFound, ValidationFailed
from crm.admin.models import OptionEntry
from crm.models import User
from crm.records.models import CUSTOMER_LEVELS, CUSTOMER_STAGES, CUSTOMER_STATUSES, CUSTOMER_TYPES, INDUSTRIES
from db.session import Database

CACHE = "lz_options"
MAX_LABEL = 100


@dataclass(frozen=True)
class Entry:
    code: str
    label_zh: str
    label_en: str
    position: int = 0
    active: bool = True

    def label(self, locale: str | None) -> str:
        return self.label_en if (locale or "zh").startswith("en") else self.label_zh


@dataclass(frozen=True)
class Category:
    title_zh: str
    title_en: str
    defaults: tuple[tuple[str, str, str], ...]  # (code, zh, en)
    pattern: str = r"^\S(.{0,48}\S)?$"  # what a new code looks like
    offered: bool = True  # whether the shipped entries start offered (active)


def _same(codes: tuple[str, ...], en: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((c, c, e) for c, e in zip(codes, en, strict=True))


CATEGORIES: dict[str, Category] = {
    "customer_level": Category("客户级别", "Customer level", _same(CUSTOMER_LEVELS, ("Strategic", "Key", "Regular"))),
    "customer_type": Category("客户类型", "Customer type", _same(CUSTOMER_TYPES, (
        "End customer", "Channel customer", "Partner", "Agent", "Other"))),
    "customer_status": Category("客户状态", "Customer status", _same(CUSTOMER_STATUSES, (
        "Prospect", "Interested", "Won", "Dormant", "Lost"))),
    "customer_stage": Category("客户阶段", "Customer stage", _same(CUSTOMER_STAGES, (
        "First contact", "Needs confirmed", "Proposal", "Negotiation", "Signed", "After-sales"))),
    "area_code": Category("地区编码", "Area code", (
        ("0010", "北京", "Beijing"), ("0022", "天津", "Tianjin"), ("0311", "石家庄", "Shijiazhuang"),
        ("0021", "上海", "Shanghai"), ("0025", "南京", "Nanjing"), ("0512", "苏州", "Suzhou"),
        ("0571", "杭州", "Hangzhou"), ("0531", "济南", "Jinan"), ("0532", "青岛", "Qingdao"),
        ("0591", "福州", "Fuzhou"), ("0020", "广州", "Guangzhou"), ("0755", "深圳", "Shenzhen"),
        ("0027", "武汉", "Wuhan"), ("0731", "长沙", "Changsha"), ("0371", "郑州", "Zhengzhou"),
        ("0028", "成都", "Chengdu"), ("0023", "重庆", "Chongqing"), ("0871", "昆明", "Kunming"),
        ("0029", "西安", "Xi'an"), ("0024", "沈阳", "Shenyang")), pattern=r"^\d{4}$"),
    "industry": Category("行业编码", "Industry code", tuple(
        (code, zh, en) for (code, zh), en in zip(INDUSTRIES.items(), (
            "Base platforms", "Application platforms", "Land and resources", "Municipal networks",
            "Telecommunications"), strict=True)), pattern=r"^\d{2}$"),
    "ticket_category": Category("工单分类", "Ticket category", (
        ("product", "产品投诉", "Product"), ("service", "服务投诉", "Service"),
        ("inquiry", "咨询 / 报修", "Inquiry or repair"), ("other", "其他", "Other"))),
    "expense_category": Category("费用类别", "Expense category", (
        ("travel", "差旅", "Travel"), ("transport", "交通", "Transport"), ("meals", "餐饮", "Meals"),
        ("office", "办公", "Office supplies"), ("entertainment", "招待", "Client entertainment"),
        ("communication", "通讯", "Communication"), ("other", "其他", "Other"))),
    # a setting more than a list: the reminder kinds whose due date also opens a customer_care task
    # for the owner (crm/care.py); an entry offered (active) = configured. Shipped: none.
    "care_task": Category("提醒生成关怀任务", "Reminders that open a care task", (
        ("birthday", "生日关怀", "Birthday care"), ("first_visit", "首访", "First visit"),
        ("next_contact", "客户关怀（下次联系）", "Customer care (next contact)")),
        pattern=r"^(birthday|first_visit|next_contact)$", offered=False),
}
ENTRY_FIELDS = ("label_zh", "label_en", "position", "active")


def _category(category: str) -> Category:
    if category not in CATEGORIES:
        raise NotFound(f"no option list '{category}'", {"category": "one of " + ", ".join(CATEGORIES)})
    return CATEGORIES[category]


def entries(s: Session, category: str) -> list[Entry]:
    """The list's entries in order (retired ones included), read once per session."""
    cache: dict[str, list[Entry]] = s.info.setdefault(CACHE, {})
    if category not in cache:
        cat = _category(category)
        rows = s.scalars(select(OptionEntry).where(OptionEntry.category == category)
                         .order_by(OptionEntry.position, OptionEntry.id)).all()
        cache[category] = [Entry(r.code, r.label_zh, r.label_en, r.position, r.active) for r in rows] if rows else \
            [Entry(code, zh, en, i, cat.offered) for i, (code, zh, en) in enumerate(cat.defaults)]
    return cache[category]


def active_codes(s: Session, category: str) -> list[str]:
    return [e.code for e in entries(s, category) if e.active]


def check(s: Session, category: str, value: str, current: Any = None) -> Msg | None:
    """Why `value` may not be stored in a field of this list (None: it may). The record's `current`
    value is accepted unchanged even when its entry was retired since."""
    if value == current:
        return None
    known = {e.code: e for e in entries(s, category)}
    if value in known and known[value].active:
        return None
    allowed = active_codes(s, category)
    if value in known:
        return Msg("retired_option", f"'{value}' is no longer offered; one of: {', '.join(allowed)}",
                   choices=allowed)
    return Msg("not_allowed", f"one of: {', '.join(allowed)}", choices=allowed)


def labels(s: Session, category: str, locale: str | None) -> dict[str, str]:
    """code -> label in the locale (retired entries too: stored codes keep their name)."""
    return {e.code: e.label(locale) for e in entries(s, category)}


# ---------------------------------------------------------------- use cases


def _admin(s: Session, actor_id: int) -> User:
    user = s.get(User, actor_id) if isinstance(actor_id, int) else None
    if user is None or not user.active:
        raise NotFound("unknown user")
    if not user.is_admin:
        raise Forbidden("only administrators change the data dictionary")
    return user


def list_categories(db: Database, actor_id: int, locale: str | None = None) -> list[dict[str, Any]]:
    """Every option list with its entries (any signed-in user reads them: forms and filters do)."""
    with db.uow() as s:
        return [{"category": key, "title": cat.title_en if (locale or "zh").startswith("en") else cat.title_zh,
                 "title_zh": cat.title_zh, "title_en": cat.title_en,
                 "entries": [asdict(e) for e in entries(s, key)]} for key, cat in CATEGORIES.items()]


def list_entries(db: Database, actor_id: int, category: str) -> list[dict[str, Any]]:
    with db.uow() as s:
        return [asdict(e) for e in entries(s, category)]


def _text(payload: dict[str, Any], name: str, fields: dict[str, str]) -> str | None:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        fields[name] = Msg("required", "required")
        return None
    if len(value.strip()) > MAX_LABEL:
        fields[name] = Msg("max_length", f"at most {MAX_LABEL} characters", max=MAX_LABEL)
        return None
    return value.strip()


def save_entry(db: Database, actor_id: int, category: str, code: Any, payload: Any) -> dict[str, Any]:
    """Add the entry `code` to a list, or change its labels, position or whether it is offered;
    the code itself never changes (records store it). Admins only; logged in the system log."""
    from crm.admin import syslog

    cat = _category(category)
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    unknown = sorted(str(k) for k in payload if k not in ENTRY_FIELDS)
    fields: dict[str, str] = {k: f"unknown field; allowed: {', '.join(ENTRY_FIELDS)}" for k in unknown}
    with db.uow(write=True) as s:
        actor = _admin(s, actor_id)
        if not isinstance(code, str) or not re.match(cat.pattern, code):
            fields["code"] = Msg("pattern", f"must match {cat.pattern}", pattern=cat.pattern)
        _materialize(s, category)
        row = s.scalar(select(OptionEntry).where(OptionEntry.category == category, OptionEntry.code == code))
        before = _entry_dict(row) if row is not None else None
        changes: dict[str, Any] = {}
        for name in ("label_zh", "label_en"):
            if row is None or name in payload:
                changes[name] = _text(payload, name, fields)
        if "position" in payload:
            p = payload["position"]
            if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 10_000:
                fields["position"] = Msg("range", "an integer from 0 to 10000", min=0, max=10_000)
            changes["position"] = p
        if "active" in payload:
            if not isinstance(payload["active"], bool):
                fields["active"] = Msg("bool", "true or false")
            changes["active"] = payload["active"]
        if fields:
            raise ValidationFailed("invalid dictionary entry", fields)
        if row is None:
            last = max((e.position for e in entries(s, category)), default=-1)
            row = OptionEntry(category=category, code=code, position=last + 1, active=True)
            s.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
        s.flush()
        s.info.pop(CACHE, None)
        after = _entry_dict(row)
        syslog.record(s, actor, "option.create" if before is None else "option.update", "option",
                      f"{category}:{code}", syslog.diff(before, after))
        return after


def _entry_dict(row: OptionEntry) -> dict[str, Any]:
    return {"code": row.code, "label_zh": row.label_zh, "label_en": row.label_en, "position": row.position,
            "active": row.active}


def _materialize(s: Session, category: str) -> None:
    """Write a list still at its shipped entries to the table (the first change of that list)."""
    if s.scalar(select(OptionEntry.id).where(OptionEntry.category == category).limit(1)) is not None:
        return
    cat = CATEGORIES[category]
    for i, (code, zh, en) in enumerate(cat.defaults):
        s.add(OptionEntry(category=category, code=code, label_zh=zh, label_en=en, position=i, active=cat.offered))
    s.flush()
    s.info.pop(CACHE, None)


def label_maps(db: Database, locale: str | None) -> dict[str, list[tuple[str, str, bool]]]:
    """Every list as [(code, label in the locale, offered)], in order (the pages read this once)."""
    with db.uow() as s:
        return {key: [(e.code, e.label(locale), e.active) for e in entries(s, key)] for key in CATEGORIES}
