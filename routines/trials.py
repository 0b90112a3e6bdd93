"""试用账号 expiry, the routine: activated trial accounts past their last day are deactivated (their
sessions and tokens end; sign-in is refused from the day after anyway, crm/org.py authenticate).
An extension approved through bpmn/trial_extension.bpmn moves the day and reactivates the account.
`now` is the routine's clock."""
from __future__ import annotations

from datetime import datetime

from crm import accounts
from db.base import utcnow
from db.session import Database


def expire(db: Database, now: datetime | None = None) -> int:
    """How many trial accounts were deactivated."""
    with db.uow(write=True) as s:
        return len(accounts.expire_trials(s, (now or utcnow()).date()))
