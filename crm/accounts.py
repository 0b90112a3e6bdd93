"""Services of the account processes: trial accounts (试用账号开通) and VIP customer entry (VIP 客户录入).

Functions take the caller's session (a process step's transaction: a refusal rolls the whole step
back) and plain values, and raise the domain errors of core/errors.py with per-field messages.

- A trial account is a user created **inactive** with a random password nobody knows: it cannot
  sign in and gets no tasks until an admin approves it (`set_active`) and sets a password through
  the user administration (PATCH /users/{id}). Passwords never go through a form or the process data.
- A trial account has a last day (`trial_expires_on`, the registration's `expires_on`): after it the
  user cannot sign in, and the trials routine (routines/trials.py) deactivates them; an extension
  (试用延期, bpmn/trial_extension.bpmn) approved by an admin moves the day (`extend_trial`).
- A VIP customer entered by a salesperson is created as a normal customer (`vip=False`) owned by
  them; it becomes VIP (`set_vip`) when their supervisor approves, or at once when the person
  entering it is a supervisor (`has_subordinates`).
"""
from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, NotFound, ValidationFailed
from crm import numbering, org, records
from crm.models import User
from crm.records import Customer, CustomerOwnerHistory
from db.base import utcnow

TRIAL_FIELDS = ("username", "display_name", "company", "phone", "email", "expires_on", "remark")
# customer fields a VIP entry may give besides `name` (owner, vip and numbers are set here)
VIP_CUSTOMER_FIELDS = ("nature", "legal_rep", "phone", "email", "address", "province", "region", "level", "credit",
                       "type", "source", "website", "remark")
MAX_NAME = 200


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be an object", {name: "must be an object"})
    return value


def _prefixed(e: DomainError, prefix: str) -> ValidationFailed:
    return ValidationFailed(e.message, {f"{prefix}.{k}": v for k, v in e.fields.items()} or {prefix: e.message})


# ---------------------------------------------------------------- trial accounts


def register_trial_user(s: Session, account: Any, prefix: str = "account") -> User:
    """Create the inactive user of a trial registration; errors name `<prefix>.<field>`
    (a taken username: `<prefix>.username: already taken`)."""
    account = _object(account, prefix)
    unknown = sorted(set(account) - set(TRIAL_FIELDS))
    if unknown:
        raise ValidationFailed("unknown registration fields", {f"{prefix}.{k}": "not a field" for k in unknown})
    username = account.get("username")
    if isinstance(username, str) and org.user_by_username(s, username.strip()) is not None:
        raise ValidationFailed(f"user name '{username}' is taken", {f"{prefix}.username": "already taken"})
    try:
        user = org.create_user(s, username.strip() if isinstance(username, str) else username,
                               account.get("display_name"), secrets.token_urlsafe(32))
    except DomainError as e:
        raise _prefixed(e, prefix) from e
    user.active = False
    user.trial_expires_on = _day(account.get("expires_on"), f"{prefix}.expires_on")
    s.flush()
    return user


def _day(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationFailed("not a date", {name: "a date like 2026-12-31"}) from None


def trial_user(s: Session, username: Any, name: str = "username") -> User:
    """The user of a trial account (one with a last day), by user name."""
    user = org.user_by_username(s, username.strip()) if isinstance(username, str) and username.strip() else None
    if user is None or user.trial_expires_on is None:
        raise ValidationFailed(f"no trial account {username!r}", {name: "no trial account with this user name"})
    return user


def check_extension(s: Session, username: Any, expires_on: Any, today: date) -> dict[str, Any]:
    """An extension (延期) asks for a new last day after today and after the current one."""
    user = trial_user(s, username)
    day = _day(expires_on, "expires_on")
    if day is None:
        raise ValidationFailed("the new last day is required", {"expires_on": "required"})
    assert user.trial_expires_on is not None
    if day <= today or day <= user.trial_expires_on:
        raise ValidationFailed("an extension moves the last day later",
                               {"expires_on": f"after {max(today, user.trial_expires_on).isoformat()}"})
    return {"user_id": user.id, "username": user.username, "expires_on": user.trial_expires_on.isoformat(),
            "requested": day.isoformat()}


def extend_trial(s: Session, username: Any, expires_on: Any, today: date) -> User:
    """The approved extension: the new last day; an account the expiry had deactivated is active again."""
    check_extension(s, username, expires_on, today)
    user = trial_user(s, username)
    expired = not user.active and user.trial_expires_on is not None and user.trial_expires_on < today
    user.trial_expires_on = _day(expires_on, "expires_on")
    if expired:
        user.active = True
    s.flush()
    return user


def expire_trials(s: Session, today: date) -> list[User]:
    """Deactivate the active trial accounts whose last day is before `today` (their sessions end)."""
    users = list(s.scalars(select(User).where(User.active.is_(True), User.trial_expires_on.is_not(None),
                                              User.trial_expires_on < today).order_by(User.id)))
    for user in users:
        org.update_user(s, user.id, {"active": False})
    return users


def set_active(s: Session, user_id: Any, active: bool) -> User:
    """Activate (or keep inactive) the user of a trial account."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise ValidationFailed(f"no user {user_id!r}", {"user_id": "must be a user id"})
    return org.update_user(s, user_id, {"active": active})


# ---------------------------------------------------------------- VIP customers


def has_subordinates(s: Session, user_id: int) -> bool:
    """Whether anyone active reports directly to the user (the requirements' 上级主管)."""
    return s.scalar(select(User.id).where(User.supervisor_id == user_id, User.active.is_(True)).limit(1)) is not None


def create_pending_vip_customer(s: Session, owner_id: int, customer: Any, prefix: str = "customer") -> Customer:
    """A new customer owned by `owner_id`, not VIP yet (`vip=False`); the fields are validated as
    the customer API does, errors naming `<prefix>.<field>`."""
    customer = _object(customer, prefix)
    fields: dict[str, str] = {f"{prefix}.{k}": "not a field" for k in set(customer) - {"name", *VIP_CUSTOMER_FIELDS}}
    name = customer.get("name")
    if not isinstance(name, str) or not name.strip():
        fields[f"{prefix}.name"] = "is required"
    elif len(name.strip()) > MAX_NAME:
        fields[f"{prefix}.name"] = f"must be at most {MAX_NAME} characters"
    if fields:
        raise ValidationFailed("invalid customer", fields)
    assert isinstance(name, str)
    code = numbering.issue(s, "customer")
    while s.scalar(select(Customer.id).where(Customer.code == code)) is not None:
        code = numbering.issue(s, "customer")  # skip codes taken by hand-entered ones
    row = Customer(name=name.strip(), code=code, owner_id=owner_id, vip=False, created_by_id=owner_id,
                   created_at=utcnow())
    s.add(row)
    s.flush()
    s.add(CustomerOwnerHistory(customer_id=row.id, from_user_id=None, to_user_id=owner_id, by_user_id=owner_id,
                               at=utcnow()))
    rest = {k: v for k, v in customer.items() if k != "name"}
    if rest:
        try:
            records.process_update(s, "customer", row.id, rest)
        except DomainError as e:
            raise _prefixed(e, prefix) from e
    s.flush()
    return row


def set_vip(s: Session, customer_id: Any, vip: Any) -> dict[str, Any]:
    """Make a customer VIP (or not); the customer's dict as the API shows it."""
    if not isinstance(vip, bool):
        raise ValidationFailed("vip must be true or false", {"vip": "must be true or false"})
    try:
        return records.process_update(s, "customer", customer_id, {"vip": vip})
    except NotFound as e:
        raise ValidationFailed(e.message, {"customer_id": "no such customer"}) from e
