"""The inbox page's one read (/): the listed page of a box, the numbers on the tabs and the
processes of the filter, in one transaction.

    inbox_page(db, actor_id, box, offset, limit, filtered=..., **list_page's filters) -> InboxView

The tabs' counts are one statement (engine.inbox.count_boxes); when no filter narrows the list
(`filtered=False`), the listed box's total is that count, not counted a second time. The process
filter needs only each process's key and names: one statement over the latest versions, never a
definition's BPMN, forms or spec (the catalogue's list reads those rows whole and counts them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from db.session import Database
from engine.inbox import InboxPage, count_boxes, read_page
from engine.models import ProcessDefinition

MAX_PROCESSES = 500  # the filter's choices (a deployment has tens)


@dataclass
class InboxView:
    page: InboxPage
    totals: dict[str, int]  # todo, cc_unread, done, started, cc (engine.inbox.box_totals)
    processes: list[dict[str, Any]]  # {key, name, name_en} of the latest versions, by category and key


def process_choices(s: Any) -> list[dict[str, Any]]:
    """Every deployed process (its latest version; not the one-instance definitions of free flows),
    ordered as the catalogue lists them (engine.design.definitions.list_latest)."""
    d = ProcessDefinition
    newest = (select(d.key, func.max(d.version).label("v")).where(d.free_of.is_(None))
              .group_by(d.key).subquery())
    rows = s.execute(select(d.key, d.name, d.name_en)
                     .join(newest, (d.key == newest.c.key) & (d.version == newest.c.v))
                     .order_by(d.category, d.key).limit(MAX_PROCESSES))
    return [{"key": key, "name": name, "name_en": name_en} for key, name, name_en in rows]


def inbox_page(db: Database, actor_id: int, box: str, offset: int, limit: int, *, filtered: bool,
               count_cap: int | None = None, **filters: Any) -> InboxView:
    """`filters`: engine.inbox.list_page's (process, q, received_from, received_before, sort,
    records, cursor); `filtered`: whether any of them narrows the list (the sort does not)."""
    with db.uow() as s:
        totals = None if filtered else count_boxes(s, actor_id, count_cap)
        page = read_page(s, actor_id, box, offset, limit, count_cap=count_cap,
                         total=None if totals is None else totals[box], **filters)
        if totals is None:
            totals = count_boxes(s, actor_id, count_cap)
        return InboxView(page, totals, process_choices(s))
