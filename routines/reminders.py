"""客户关怀 / 首访 / 生日 reminders, the routine: what the CRM says is due in the next `days` days
(crm/reminders.py) becomes notifications (notify/reminders.py) — in-app, and e-mail / webhook as each
user chose — and entries of the user's calendar feed. `now` is the routine's clock."""
from __future__ import annotations

from datetime import datetime

from crm import reminders as crm_reminders
from db.base import utcnow
from db.session import Database
from notify import reminders


def run(db: Database, days: int, now: datetime | None = None) -> int:
    """How many people were told of something new."""
    today = (now or utcnow()).date()
    with db.uow(write=True) as s:
        return reminders.remind(s, crm_reminders.due(s, today, days))
