"""Process instances about a CRM record, and the processes that can be started for one (the
customer page 客户360 and the record pages of the CRM workspace).

An instance is *about* a customer when its process data names the customer (`customer_id` or
`customer`, the keys the record cards read — crm/records/cards.py RECORD_REFS) or one of its
contracts (`contract_id`), or when a service ticket of the customer or an expense claim with a
line about the customer or a sales opportunity linked to it points back at it (`instance_id`).
A contract's instances name it as `contract_id`, an agent's as `agent_id` or through its
settlements; a ticket, claim, settlement or opportunity has its own `instance_id`. The data is
searched with the
database's JSON functions: SQLite `json_extract` / `json_type`, PostgreSQL JSONB containment
(`@>`); bench/customer_instances.py measures it (no index table to keep in step).

Anyone who may see the customer (crm data permissions: 404 otherwise) sees that these instances
exist, with their process, number, status and outcome; the title and the link only for those they
may open (`instances.can_view`, the instance page's rule).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from core.errors import NotFound
from crm import org
from crm.models import User
from crm.records import (
    KINDS,
    Contract,
    ExpenseClaim,
    ExpenseLine,
    Opportunity,
    ServiceFeeSettlement,
    ServiceTicket,
    reach,
)
from db.base import iso
from db.session import Database
from engine import instances, progress
from engine.design import definitions
from engine.models import ProcessDefinition, ProcessInstance

CUSTOMER_KEYS = ("customer_id", "customer")
CONTRACT_KEYS = ("contract_id",)
LIMIT = 200
# picker valuesKey -> the query-string parameter of the start page that pre-fills it
PREFILL_PARAMS = {"customers": "customer", "contracts": "contract", "opportunities": "opportunity"}
PREFILL_NAMES = {"deactivated_users": "leaver"}  # pickers whose values are user names, not ids


def refers(s: Session, key: str, ids: list[int]) -> ColumnElement[bool]:
    """process_instance.data[key] is one of the integer ids (a top-level key of the data)."""
    data = ProcessInstance.data
    if s.get_bind().dialect.name == "postgresql":
        return or_(*(type_coerce(data, JSONB).contains({key: i}) for i in ids))
    path = f'$."{key}"'
    return and_(func.json_type(data, path) == "integer", func.json_extract(data, path).in_(ids))


def _conditions(s: Session, kind: str, row: Any) -> list[ColumnElement[bool]]:
    """Where-clauses of the instances about record `row` of `kind` (none: nothing is about it)."""
    if kind == "customer":
        conds = [refers(s, key, [row.id]) for key in CUSTOMER_KEYS]
        contract_ids = list(s.scalars(select(Contract.id).where(Contract.customer_id == row.id)))
        if contract_ids:
            conds += [refers(s, key, contract_ids) for key in CONTRACT_KEYS]
        conds.append(ProcessInstance.id.in_(select(ServiceTicket.instance_id).where(
            ServiceTicket.customer_id == row.id, ServiceTicket.instance_id.is_not(None))))
        conds.append(ProcessInstance.id.in_(select(ExpenseClaim.instance_id).where(
            ExpenseClaim.instance_id.is_not(None),
            ExpenseClaim.id.in_(select(ExpenseLine.claim_id).where(ExpenseLine.customer_id == row.id)))))
        conds.append(ProcessInstance.id.in_(select(Opportunity.instance_id).where(
            Opportunity.customer_id == row.id, Opportunity.instance_id.is_not(None))))
        return conds
    if kind == "contract":
        return [refers(s, key, [row.id]) for key in CONTRACT_KEYS]
    if kind == "agent":
        return [refers(s, "agent_id", [row.id]), ProcessInstance.id.in_(select(ServiceFeeSettlement.instance_id).where(
            ServiceFeeSettlement.agent_id == row.id, ServiceFeeSettlement.instance_id.is_not(None)))]
    instance_id = getattr(row, "instance_id", None)
    return [ProcessInstance.id == instance_id] if instance_id else []


def about_record(db: Database, actor_id: int, kind: str, record_id: int) -> list[dict[str, Any]]:
    """The instances about a record, newest first; NotFound when the actor may not see the record."""
    with db.uow() as s:
        viewer = org.get_user(s, actor_id)
        if kind not in KINDS:
            raise NotFound(f"no record type '{kind}'")
        row = KINDS[kind].load(s, viewer, reach(s, viewer), record_id)
        conds = _conditions(s, kind, row)
        if not conds:
            return []
        rows = list(s.scalars(select(ProcessInstance).where(or_(*conds))
                              .order_by(ProcessInstance.id.desc()).limit(LIMIT)))
        defs = {d.id: d for d in s.scalars(select(ProcessDefinition).where(
            ProcessDefinition.id.in_({r.definition_id for r in rows})))}
        names = {uid: name for uid, name in s.execute(select(User.id, User.display_name).where(
            User.id.in_({r.initiator_id for r in rows})))}
        out = []
        for inst in rows:
            d = defs[inst.definition_id]
            readable = instances.can_view(s, viewer, inst)
            out.append({"id": inst.id, "process": d.key, "process_name": d.name, "process_name_en": d.name_en,
                        "business_key": inst.business_key, "title": inst.title if readable else None,
                        "status": inst.status, "outcome": inst.outcome, "initiator": names.get(inst.initiator_id),
                        "created_at": iso(inst.created_at), "ended_at": iso(inst.ended_at), "readable": readable})
        return out


def about_customer(db: Database, actor_id: int, customer_id: int) -> list[dict[str, Any]]:
    return about_record(db, actor_id, "customer", customer_id)


def _picker_fields(form: dict[str, Any] | None, keys: Iterable[str] = tuple(PREFILL_PARAMS)) -> dict[str, str]:
    """valuesKey -> key of the first top-level select fed by that CRM picker (not inside a list)."""
    out: dict[str, str] = {}
    for c in (form or {}).get("components") or []:
        values_key = c.get("valuesKey") if isinstance(c, dict) else None
        if isinstance(values_key, str) and values_key in keys and c.get("key") and values_key not in out:
            out[values_key] = c["key"]
    return out


def starters(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """The processes the actor may start whose start form picks a customer or a contract:
    [{key, name, name_en, picks: {"customers": field key, "contracts": field key}}]."""
    startable = progress.startable(db, actor_id)
    out = []
    with db.uow() as s:
        for p in startable:
            d = definitions.require_latest(s, p["key"])
            picks = _picker_fields(instances.start_form(d))
            if picks:
                out.append({"key": p["key"], "name": p["name"], "name_en": p.get("name_en") or "", "picks": picks})
    return out


def prefill_field(form: dict[str, Any] | None, values_key: str) -> str | None:
    """The start form's field a `?customer=` / `?contract=` parameter fills (None: the form has none)."""
    return _picker_fields(form, (*PREFILL_PARAMS, *PREFILL_NAMES)).get(values_key)
