"""客户流失预警, the routine: find the customers with no contract for `months` (crm/churn.py
`candidates`) and open one churn warning (bpmn/customer_churn.bpmn) for each, started as the
customer's salesperson so the task lands with them; the process itself escalates an ignored warning
to their supervisor (its deadline, fired by the timer tick).

`now` is the routine's clock (default: the current time), so tests run months in a moment."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from core.errors import DomainError, NotFound
from crm import churn
from crm.models import User
from db.base import utcnow
from db.session import Database
from engine.instances import start_process

log = logging.getLogger(__name__)
PROCESS = "customer_churn"


def scan(db: Database, months: int, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Open a warning for each candidate (at most `limit` per run); the started instance ids."""
    now = now or utcnow()
    with db.uow() as s:
        found = [(c.id, c.owner_id) for c in churn.candidates(s, now.date(), months, limit)]
        active = set(s.scalars(select(User.id).where(User.id.in_({o for _, o in found}), User.active.is_(True))))
    started = []
    for customer_id, owner_id in found:
        if owner_id not in active:
            continue  # a deactivated salesperson's customers wait for the handover
        try:
            started.append(start_process(db, owner_id, PROCESS, {"customer_id": customer_id}, system=True)["id"])
        except NotFound:
            log.info("churn routine: process %s is not deployed", PROCESS)
            break
        except DomainError as e:  # one customer's refusal does not stop the others
            log.warning("churn routine: customer %s: %s", customer_id, e.message)
    return started
