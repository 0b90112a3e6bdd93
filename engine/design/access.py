"""Who may design processes: administrators and process administrators, the same people the
designer pages let in. Every design-time use case that is not open to all checks it here."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import Forbidden, Unauthenticated
from crm.models import User

DESIGNER_ROLES = ("admin", "process_admin")


def require_designer(s: Session, actor_id: int) -> User:
    """The active user `actor_id` when an admin or process admin; Unauthenticated / Forbidden otherwise."""
    user = s.get(User, actor_id) if isinstance(actor_id, int) else None
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    if not any(r in DESIGNER_ROLES for r in user.role_keys):
        raise Forbidden("only administrators and process administrators may design processes")
    return user
