"""客户关怀 / 首访 / 生日 as tasks, the routine: of what the CRM says is due in the next `days` days
(crm/reminders.py), the reminders of the kinds an administrator switched on (crm/care.py, the data
dictionary's 提醒生成关怀任务) each open one customer_care process (bpmn/customer_care.bpmn),
started as the reminder's owner so the task lands with them — once per reminder (`care_task.ref`
is unique; a reminder whose task was opened is not offered again). `now` is the routine's clock."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.errors import DomainError, NotFound
from crm import care
from crm import reminders as crm_reminders
from crm.models import User
from db.base import utcnow
from db.session import Database
from engine.instances import start_process

log = logging.getLogger(__name__)
PROCESS = "customer_care"


def open_tasks(db: Database, days: int, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Start a care task for each configured reminder that has none (at most `limit` per run);
    the started instance ids."""
    today = (now or utcnow()).date()
    with db.uow() as s:
        due = care.to_open(s, crm_reminders.due(s, today, days))[:limit]
        active = set(s.scalars(select(User.id).where(User.id.in_({r.user_id for r in due}), User.active.is_(True))))
    started = []
    for r in due:
        if r.user_id not in active:
            continue  # a deactivated salesperson's customers wait for the handover
        try:
            started.append(start_process(db, r.user_id, PROCESS, care.start_data(r), system=True)["id"])
        except NotFound:
            log.info("care routine: process %s is not deployed", PROCESS)
            break
        except (DomainError, IntegrityError) as e:  # e.g. another tick opened it first: skip this one
            log.warning("care routine: reminder %s: %s", r.ref, getattr(e, "message", e))
    return started
