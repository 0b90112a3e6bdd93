"""离职交接, the process side (bpmn/staff_handover.bpmn): crm/successors.py deactivates a user who
has work and names no successor; through the hooks app.wire() registers it asks `available`
whether the process is deployed (if not, the admin must name a successor: 422) and then `start`s
it, as the deactivated user (so the first task goes to their supervisor, or to the process admins
when they have none). The organisation pages find the handovers under way with
engine.handover.running (nothing but app.py imports routines/)."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from core.errors import DomainError
from crm import org, successors
from db.session import Database
from engine.design import definitions
from engine.instances import start_process

log = logging.getLogger(__name__)
PROCESS = successors.HANDOVER_PROCESS


def available(s: Session) -> bool:
    """Whether the handover process is deployed."""
    return definitions.latest_version(s, PROCESS) is not None


def start(db: Database, actor_id: int, leaver_id: int) -> int | None:
    """Start the handover of the (deactivated) user `leaver_id`; the instance id, or None when it
    could not start (logged; the user stays deactivated and an admin hands over by hand)."""
    with db.uow() as s:
        leaver = org.get_user(s, leaver_id).username
    try:
        return int(start_process(db, leaver_id, PROCESS, {"leaver": leaver}, system=True)["id"])
    except DomainError as e:
        log.warning("handover of %s (deactivated by user %s) did not start: %s", leaver, actor_id, e.message)
        return None

