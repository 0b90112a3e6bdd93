"""The inbox filters that look beyond the task row (engine/inbox.py applies them): the CRM record
an instance is about, overdue, and the keyword matched against the records' numbers and names.

    record_filters(customer=..., contract=..., agent=..., overdue=...) -> RecordFilters (422 naming a bad one)
    RecordFilters.apply(stmt, box, now) / keyword(like) -> SQL conditions over ProcessInstance

An instance is about a record when its process data names it (`contract_id`, `agent_id`,
`customer` / `customer_id`, as the start forms' pickers store them); a customer filter also finds
the instances about that customer's contracts. The JSON values are compared as text, so a number
and a numeric string of the same id match on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, or_, select

from core.errors import ValidationFailed
from core.ids import MAX_ID, as_id
from crm.records.models import Agent, Contract, Customer
from engine.lifecycle import InstanceStatus, TaskStatus
from engine.models import HumanTask, ProcessInstance

TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no", "")


def _ref(key: str) -> Any:
    """The process-data value `key` as text (NULL when absent)."""
    return cast(ProcessInstance.data[key].as_string(), String)


def _id_text(column: Any) -> Any:
    return cast(column, String)


@dataclass(frozen=True)
class RecordFilters:
    customer: int | None = None
    contract: int | None = None
    agent: int | None = None
    overdue: bool = False

    def apply(self, stmt: Any, box: str, now: datetime) -> Any:
        if self.contract is not None:
            stmt = stmt.where(_ref("contract_id") == str(self.contract))
        if self.agent is not None:
            stmt = stmt.where(_ref("agent_id") == str(self.agent))
        if self.customer is not None:
            theirs = select(_id_text(Contract.id)).where(Contract.customer_id == self.customer)
            stmt = stmt.where(or_(_ref("customer") == str(self.customer), _ref("customer_id") == str(self.customer),
                                  _ref("contract_id").in_(theirs)))
        if self.overdue:
            stmt = stmt.where(self._late(box, now))
        return stmt

    @property
    def about_records(self) -> bool:
        """A customer / contract / agent filter: it looks at the instance's data."""
        return self.customer is not None or self.contract is not None or self.agent is not None

    def apply_late(self, stmt: Any, box: str, now: datetime) -> Any:
        """Only the overdue filter (todo/done: a condition on the task row alone)."""
        return stmt.where(self._late(box, now)) if self.overdue else stmt

    @staticmethod
    def _late(box: str, now: datetime) -> Any:
        if box == "todo":
            return and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now)
        if box == "done":  # decided after it was due
            return and_(HumanTask.due_at.is_not(None), HumanTask.acted_at > HumanTask.due_at)
        # started / cc: the instance runs and one of its open tasks is past due
        late = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.status == TaskStatus.OPEN,
                              HumanTask.due_at.is_not(None), HumanTask.due_at < now)
        return and_(ProcessInstance.status == InstanceStatus.RUNNING, late)


def keyword(like: str) -> Any:
    """The instance's contract (number, title), customer (name, code) or agent (name, code) matches."""
    def matches(*cols: Any) -> Any:
        return or_(*(func.lower(c).like(like, escape="\\") for c in cols))

    contracts = select(_id_text(Contract.id)).where(matches(Contract.number, Contract.title))
    customers = select(_id_text(Customer.id)).where(matches(Customer.name, Customer.code))
    agents = select(_id_text(Agent.id)).where(matches(Agent.name, Agent.code))
    of_customers = select(_id_text(Contract.id)).where(Contract.customer_id.in_(
        select(Customer.id).where(matches(Customer.name, Customer.code))))
    return or_(_ref("contract_id").in_(contracts), _ref("contract_id").in_(of_customers),
               _ref("customer").in_(customers), _ref("customer_id").in_(customers), _ref("agent_id").in_(agents))


MAX_IDS = 500  # beyond this many matching records, keyword() matches them by subquery instead


def keyword_ids(s: Any, like: str) -> Any:
    """keyword(like) with the matching records looked up first (the CRM tables are small): a
    condition over the instance's data naming their ids, or None when no record matches. Then the
    keyword condition is only LIKEs over the instance's own columns, which trigram indexes serve."""
    def matches(*cols: Any) -> Any:
        return or_(*(func.lower(c).like(like, escape="\\") for c in cols))

    def ids(stmt: Any) -> list[str]:
        return list(s.scalars(stmt.limit(MAX_IDS + 1)))

    customers = ids(select(_id_text(Customer.id)).where(matches(Customer.name, Customer.code)))
    contracts = ids(select(_id_text(Contract.id)).where(matches(Contract.number, Contract.title)))
    if customers:
        contracts += ids(select(_id_text(Contract.id)).where(Contract.customer_id.in_([int(c) for c in customers])))
    agents = ids(select(_id_text(Agent.id)).where(matches(Agent.name, Agent.code)))
    if max(len(customers), len(contracts), len(agents)) > MAX_IDS:
        return keyword(like)
    arms = ([_ref("contract_id").in_(contracts)] if contracts else []) + (
        [_ref("customer").in_(customers), _ref("customer_id").in_(customers)] if customers else []) + (
        [_ref("agent_id").in_(agents)] if agents else [])
    return or_(*arms) if arms else None


def _record_id(name: str, raw: Any, fields: dict[str, str]) -> int | None:
    if raw is None or raw == "":
        return None
    found = as_id(raw)
    if found is not None:
        return found
    fields[name] = f"a record id (a whole number from 1 to {MAX_ID})"
    return None


def record_filters(customer: Any = None, contract: Any = None, agent: Any = None, overdue: Any = None
                   ) -> RecordFilters:
    """The filters from request values (strings, ints or None); 422 naming each bad one."""
    fields: dict[str, str] = {}
    ids = {name: _record_id(name, raw, fields)
           for name, raw in (("customer", customer), ("contract", contract), ("agent", agent))}
    late = False
    if isinstance(overdue, bool):
        late = overdue
    elif isinstance(overdue, str) and overdue.strip().lower() in TRUE + FALSE:
        late = overdue.strip().lower() in TRUE
    elif overdue is not None:
        fields["overdue"] = "true or false"
    if fields:
        raise ValidationFailed("invalid inbox filter", fields)
    return RecordFilters(ids["customer"], ids["contract"], ids["agent"], late)
