"""Field permissions per role (字段权限, requirements 004 §7.3: 查看 / 修改 / 导出 per field; 002 §3.1:
hide sensitive fields, forbid salespeople to export customer data).

A rule (`FieldRule`) says what holders of one role may NOT do with one field of one record kind:
view, edit, export. The field `*` stands for the whole kind (e.g. no export of customers at all).
Without rules everything is allowed. A user is refused what ANY of their roles refuses; admins are
never restricted. A hidden field can neither be changed nor exported.

`Limits` (one user's) is what every surface asks: the API's reads drop hidden fields and refuse
filters and keyword matches on them, its writes refuse (403 naming the field) changes of fields
the user may not edit, Excel exports leave out what may not be exported (or refuse the kind), the
workspace pages, the search and the approval-record PDF leave hidden fields out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, Msg, NotFound, Unauthenticated, ValidationFailed
from crm.admin import syslog
from crm.admin.models import FieldRule
from crm.models import Role, User
from db.session import Database

WHOLE = "*"
PERMS = ("view", "edit", "export")
CACHE = "lz_field_limits"
# record kind -> the field names rules may name (filled by crm.records at import: the catalogue)
KIND_FIELDS: dict[str, tuple[str, ...]] = {}


@dataclass
class Limits:
    """What one user may not do, by record kind."""

    hidden: dict[str, set[str]] = field(default_factory=dict)
    readonly: dict[str, set[str]] = field(default_factory=dict)
    noexport: dict[str, set[str]] = field(default_factory=dict)

    def hides(self, kind: str) -> set[str]:
        return self.hidden.get(kind, set())

    def may_edit(self, kind: str, name: str) -> bool:
        return name not in self.hides(kind) and name not in self.readonly.get(kind, set()) \
            and WHOLE not in self.readonly.get(kind, set())

    def may_export(self, kind: str, name: str = WHOLE) -> bool:
        out = self.noexport.get(kind, set())
        return WHOLE not in out and name not in out and name not in self.hides(kind)

    def strip(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        hidden = self.hides(kind)
        return {k: v for k, v in record.items() if k not in hidden} if hidden else record

    def as_dict(self) -> dict[str, Any]:
        kinds = sorted(set(self.hidden) | set(self.readonly) | set(self.noexport))
        return {k: {"hidden": sorted(self.hides(k)), "readonly": sorted(self.readonly.get(k, set())),
                    "noexport": sorted(self.noexport.get(k, set()))} for k in kinds}


def limits(s: Session, user: User) -> Limits:
    """The user's limits, read once per session."""
    cache: dict[int, Limits] = s.info.setdefault(CACHE, {})
    if user.id not in cache:
        out = Limits()
        keys = user.role_keys
        if keys and not user.is_admin:
            for r in s.scalars(select(FieldRule).where(FieldRule.role_key.in_(keys))):
                for allowed, into in ((r.can_view, out.hidden), (r.can_edit, out.readonly),
                                      (r.can_export, out.noexport)):
                    if not allowed:
                        into.setdefault(r.kind, set()).add(r.field)
        cache[user.id] = out
    return cache[user.id]


def check_write(lim: Limits, kind: str, payload: dict[str, Any], row: Any, current: Any) -> None:
    """Forbidden (naming each field) when the payload changes a field the user may not edit; sending
    the value the record already has (`current(name)`), or nothing when creating, is not a change."""
    refused = {}
    for name, value in payload.items():
        if lim.may_edit(kind, name):
            continue
        if row is None and value in (None, ""):
            continue
        if row is not None and value == current(name):
            continue
        refused[name] = Msg("field_not_editable", "you may not change this field")
    if refused:
        raise Forbidden("you may not change: " + ", ".join(sorted(refused)), refused)


# ---------------------------------------------------------------- use cases (admins)


def _admin(s: Session, actor_id: int) -> User:
    user = s.get(User, actor_id) if isinstance(actor_id, int) else None
    if user is None or not user.active:
        raise Unauthenticated("unknown user")
    if not user.is_admin:
        raise Forbidden("only administrators set field permissions")
    return user


def _rule_dict(r: FieldRule) -> dict[str, Any]:
    return {"role": r.role_key, "kind": r.kind, "field": r.field, "view": r.can_view, "edit": r.can_edit,
            "export": r.can_export}


def list_rules(db: Database, actor_id: int) -> dict[str, Any]:
    with db.uow() as s:
        _admin(s, actor_id)
        rows = s.scalars(select(FieldRule).order_by(FieldRule.role_key, FieldRule.kind, FieldRule.field))
        return {"items": [_rule_dict(r) for r in rows],
                "fields": {k: [WHOLE, *v] for k, v in KIND_FIELDS.items()},
                "roles": [k for k in s.scalars(select(Role.key).order_by(Role.key)) if k != "admin"]}


def set_rule(db: Database, actor_id: int, role: Any, kind: Any, name: Any, payload: Any) -> dict[str, Any]:
    """Set what holders of `role` may do with field `name` of `kind` ({view?, edit?, export?}: true /
    false; what is not sent stays). A rule allowing everything is removed. Logged."""
    if kind not in KIND_FIELDS:
        raise NotFound(f"no record type '{kind}'", {"kind": "one of " + ", ".join(KIND_FIELDS)})
    if not isinstance(payload, dict):
        raise ValidationFailed("the request body must be a JSON object", {"body": "must be an object"})
    fields: dict[str, str] = {k: f"unknown field; allowed: {', '.join(PERMS)}" for k in payload if k not in PERMS}
    fields.update({k: Msg("bool", "true or false") for k in PERMS if k in payload and not isinstance(payload[k], bool)})
    if name != WHOLE and name not in KIND_FIELDS[kind]:
        fields["field"] = Msg("not_allowed", "one of: " + ", ".join((WHOLE, *KIND_FIELDS[kind])))
    with db.uow(write=True) as s:
        actor = _admin(s, actor_id)
        if not isinstance(role, str) or s.scalar(select(Role.id).where(Role.key == role)) is None:
            fields["role"] = Msg("no_role", f"no role '{role}'")
        elif role == "admin":
            fields["role"] = "administrators are never restricted"
        if fields:
            raise ValidationFailed("invalid field permission", fields)
        row = s.scalar(select(FieldRule).where(FieldRule.role_key == role, FieldRule.kind == kind,
                                               FieldRule.field == name))
        before = _rule_dict(row) if row is not None else None
        if row is None:
            row = FieldRule(role_key=role, kind=kind, field=name, can_view=True, can_edit=True, can_export=True)
            s.add(row)
        for perm in PERMS:
            if perm in payload:
                setattr(row, f"can_{perm}", payload[perm])
        after = _rule_dict(row)
        if row.can_view and row.can_edit and row.can_export:
            s.delete(row)
        s.flush()
        s.info.pop(CACHE, None)
        syslog.record(s, actor, "field_rule.set", "field_rule", f"{role}:{kind}.{name}", syslog.diff(before, after))
        return after


def my_limits(db: Database, actor_id: int) -> dict[str, Any]:
    """The caller's own limits by kind: {kind: {hidden, readonly, noexport}} (pages ask this)."""
    with db.uow() as s:
        user = s.get(User, actor_id) if isinstance(actor_id, int) else None
        if user is None:
            raise Unauthenticated("unknown user")
        return limits(s, user).as_dict()


def check_export(db: Database, actor_id: int, kind: str) -> set[str]:
    """The fields of `kind` the caller may not export (hidden ones included); Forbidden when their
    roles forbid exporting the kind at all."""
    with db.uow() as s:
        user = s.get(User, actor_id) if isinstance(actor_id, int) else None
        if user is None or not user.active:
            raise Unauthenticated("unknown user")
        lim = limits(s, user)
        if not lim.may_export(kind):
            raise Forbidden(f"your role may not export {kind} records", {"export": Msg("export_forbidden",
                                                                                    "export not allowed")})
        return {name for name in KIND_FIELDS.get(kind, ()) if not lim.may_export(kind, name)}
