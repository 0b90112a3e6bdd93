"""Run the routines that are due on this tick: each at most once per `interval` (LIUZHUAN_ROUTINE_
INTERVAL) per process — the tick comes every few seconds, the routines need not. Whatever runs them
twice (two processes' ticks) is harmless: a customer has at most one open warning (crm/churn.py),
a reminder at most one notification per day and person (routines/reminders.py), at most one
care task (crm/care.py)."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from core.config import RoutineSettings, load_routines
from db.base import utcnow
from db.session import Database
from routines import care, churn, reminders, trials

log = logging.getLogger(__name__)
_lock = threading.Lock()
_last: dict[str, datetime] = {}


def tick(db: Database, now: datetime | None = None, conf: RoutineSettings | None = None, force: bool = False
         ) -> dict[str, int]:
    """What each routine did on this tick ({name: count}); routines not yet due are left out."""
    now = now or utcnow()
    conf = conf or load_routines()
    out: dict[str, int] = {}
    routines = (("churn", lambda: len(churn.scan(db, conf.churn_months, now))),
                ("reminders", lambda: reminders.run(db, conf.reminder_days, now)),
                ("care", lambda: len(care.open_tasks(db, conf.reminder_days, now))),
                ("trials", lambda: trials.expire(db, now)))
    for name, run in routines:
        with _lock:
            last = _last.get(name)
            if not force and last is not None and now - last < timedelta(seconds=conf.interval):
                continue
            _last[name] = now
        try:
            out[name] = run()
        except Exception:  # one broken routine must not stop the tick
            log.exception("routine %s failed", name)
    return out
