"""The record kinds (`KINDS`): each one's fields, who sees and changes it, and its own rules.

Data permissions (requirements 001; the reach is crm/records/permissions.py):
- Customers: visible and editable within reach of their owner (salesperson). The owner changes
  only through `reassign_customer` (crm/records/customers.py). Contacts and contracts follow
  their customer.
- Service tickets: within reach of their creator or handler. While the ticket's process instance
  runs, its process-step fields (TICKET_PROCESS_FIELDS) change only through the process
  (process_update); an API change is refused with 422 naming the field, for admins too.
- Expense claims: within reach of the claimant, plus the finance role (reads); lines are checked
  by the one expense-line validator (crm/records/expense_lines.py).
- Service-fee settlements: within reach of their creator, plus the finance role (reads).
- Agents: every signed-in user reads them; writes are for admins and the user who entered the agent.
- Leave balances: a user reads their own; admins and the hr role read all and set them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Msg, ValidationFailed
from core.ids import MAX_ID
from crm import numbering
from crm.models import User
from crm.records.expense_lines import LINE_FIELDS, parse_lines, total
from crm.records.fields import F, note, output, text
from crm.records.instances import process_running
from crm.records.kinds import Kind, Save, current
from crm.records.models import (
    CLAIM_STATUSES,
    CONTACT_WAYS,
    CONTRACT_STATUSES,
    GENDERS,
    OPPORTUNITY_STAGES,
    OPPORTUNITY_STATUSES,
    SETTLEMENT_METHODS,
    SETTLEMENT_STATUSES,
    TICKET_STATUSES,
    WITHDRAWN,
    Agent,
    Contact,
    ContactRecord,
    Contract,
    Customer,
    CustomerOwnerHistory,
    ExpenseClaim,
    ExpenseLine,
    LeaveBalance,
    Opportunity,
    OpportunityStep,
    ServiceFeeSettlement,
    ServiceTicket,
)
from crm.records.opportunities import STEP_FIELDS, OpportunityKind, OpportunityStepKind
from crm.records.permissions import FINANCE_ROLE, HR_ROLE, has_role, within
from db.base import utcnow
from files.models import StoredFile

# A service ticket's process-step fields: while the ticket's instance runs, only the process's
# write-back (process_update) changes them; the API refuses a change with 422 naming the field.
TICKET_PROCESS_FIELDS = ("verification", "handling_method", "handler", "result", "satisfaction", "customer_opinion",
                         "status")
PHONE_KW: dict[str, Any] = {"kind": "phone", "max_len": 32}
MONEY = Decimal("999999999999.99")


def _check_owner(c: Save, changes_by_reassign: bool) -> None:
    """The salesperson defaults to the actor and is someone within the actor's reach."""
    if c.creating:
        c.values["owner_id"] = c.values.get("owner_id") or c.actor.id
    if "owner_id" not in c.values:
        return
    owner = c.values["owner_id"]
    if owner is None:
        c.fields["owner"] = "required"
    elif changes_by_reassign and not c.creating and owner != c.row.owner_id:
        c.fields["owner"] = "change the salesperson with POST /customers/{id}/reassign"
    elif c.ids is not None and owner not in c.ids and (c.creating or owner != c.row.owner_id):
        c.fields["owner"] = "yourself or someone who reports to you"


class CustomerScoped(Kind):
    """Seen within reach of the customer's owner (customers, and what hangs off a customer)."""

    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return within(Customer.owner_id, ids)


class CustomerKind(CustomerScoped):
    def before_save(self, c: Save) -> None:
        _check_owner(c, changes_by_reassign=True)
        area, industry = c.current("area_code"), c.current("industry")
        if (area is None) != (industry is None) and "area_code" not in c.fields and "industry" not in c.fields:
            c.fields["area_code" if area is None else "industry"] = "area_code and industry go together"

    def on_save(self, s: Session, row: Customer) -> None:
        """Issue (or re-issue, when area or industry changed) the customer's 服务授权编号."""
        if row.area_code is None or row.industry is None:
            row.service_auth_no = None
            return
        current = row.service_auth_no
        if current is not None and current[2:8] == row.area_code + row.industry:
            return
        row.service_auth_no = numbering.service_auth_no(s, row.area_code, row.industry)

    def after_insert(self, s: Session, row: Customer, actor: User) -> None:
        s.add(CustomerOwnerHistory(customer_id=row.id, from_user_id=None, to_user_id=row.owner_id,
                                   by_user_id=actor.id, at=utcnow()))

    def before_delete(self, s: Session, row: Customer) -> None:
        for model, label in ((Contract, "contracts"), (ServiceTicket, "service tickets"),
                             (ExpenseLine, "expense lines")):
            if s.scalar(select(func.count()).select_from(model).where(model.customer_id == row.id)):
                raise Conflict(f"the customer still has {label}; delete or move them first")

    def before_process_update(self, payload: dict[str, Any]) -> None:
        if "owner" in payload:
            raise ValidationFailed("the salesperson changes through reassign_customer", {"owner": "use reassign"})


class ContractKind(CustomerScoped):
    def before_save(self, c: Save) -> None:
        _check_owner(c, changes_by_reassign=False)
        start, end = c.current("start_date"), c.current("end_date")
        if start and end and end < start:
            c.fields["end_date"] = "not before start_date"

    def extra(self, s: Session, row: Contract) -> dict[str, Any]:
        """The contract file's reference (issue 15), shown under the `attachment` field's rules."""
        stored = s.get(StoredFile, row.file_id) if row.file_id else None
        return {"file": stored.ref() if stored else None}


class ContactRecordKind(CustomerScoped):
    """联系记录: seen and changed like its customer; the contact, if named, is one of that customer's."""

    def before_save(self, c: Save) -> None:
        contact_id, customer_id = c.current("contact_id"), c.current("customer_id")
        if contact_id is None or "contact" in c.fields or "customer" in c.fields:
            return
        contact = c.s.get(Contact, contact_id)
        if contact is None or contact.customer_id != customer_id:
            c.fields["contact"] = Msg("no_contact", f"no contact of this customer with id {contact_id}")

    def extra(self, s: Session, row: ContactRecord) -> dict[str, Any]:
        contact = s.get(Contact, row.contact_id) if row.contact_id else None
        return {"contact_name": contact.name if contact else None}


class AgentKind(Kind):
    """Read by everyone; changed by admins and the user who entered the agent."""

    def can_write(self, s: Session, actor: User, row: Any) -> bool:
        return actor.is_admin or row.created_by_id == actor.id

    def before_delete(self, s: Session, row: Agent) -> None:
        if s.scalar(select(func.count()).select_from(ServiceFeeSettlement)
                    .where(ServiceFeeSettlement.agent_id == row.id)):
            raise Conflict("the agent has service fee settlements")


class TicketKind(Kind):
    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        if ids is None:
            return None
        return or_(ServiceTicket.created_by_id.in_(sorted(ids)), ServiceTicket.handler_id.in_(sorted(ids)))

    def before_save(self, c: Save) -> None:
        """A change of a process-step field of a ticket whose instance runs is refused, for everyone
        (admins too): the process records those steps. Sending the current value is not a change."""
        if c.creating or not process_running(c.s, c.row.instance_id):
            return
        for name in TICKET_PROCESS_FIELDS:
            f = self.by_name[name]
            if f.attr in c.values and c.values[f.attr] != getattr(c.row, f.attr) and name not in c.fields:
                c.fields[name] = "set by the service-ticket process while its instance runs"


class ExpenseClaimKind(Kind):
    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return None if has_role(actor, FINANCE_ROLE) else within(ExpenseClaim.claimant_id, ids)

    def can_write(self, s: Session, actor: User, row: Any) -> bool:
        """Claims are changed by the claimant (and admins); finance only reads them here."""
        return actor.is_admin or row.claimant_id == actor.id or row.created_by_id == actor.id

    def before_save(self, c: Save) -> None:
        if not c.creating:
            if "claimant_id" in c.values and c.values["claimant_id"] != c.row.claimant_id:
                c.fields["claimant"] = "the claimant of a claim does not change"
            return
        claimant = c.values.get("claimant_id") or c.actor.id
        if claimant != c.actor.id and not c.actor.is_admin:
            c.fields["claimant"] = "you may only claim for yourself"
        c.values["claimant_id"] = claimant
        lines, problems = parse_lines(c.s, c.s.get(User, claimant), c.payload.get("lines"))
        c.fields.update(problems)
        c.values["lines"] = lines

    def derive(self, row: Any, values: dict[str, Any]) -> None:
        if "lines" in values:
            values["total"] = total(values["lines"])

    def extra(self, s: Session, row: ExpenseClaim) -> dict[str, Any]:
        return {"lines": [{"id": line.id, **{f.name: output(s, f, getattr(line, f.attr)) for f in LINE_FIELDS}}
                          for line in row.lines]}


class LeaveBalanceKind(Kind):
    """A user reads their own; hr (and admins) read all and set them."""

    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return None if has_role(actor, HR_ROLE) else LeaveBalance.user_id == actor.id

    def check_create(self, actor: User) -> None:
        if not has_role(actor, HR_ROLE):
            raise Forbidden(f"only hr and admins may set a {self.label}")

    def can_write(self, s: Session, actor: User, row: Any) -> bool:
        return has_role(actor, HR_ROLE)

    def unique_keys(self, row: Any, values: dict[str, Any]) -> list[tuple[str, Any]]:
        user, leave_type = current(row, values, "user_id"), current(row, values, "leave_type")
        if user is None or leave_type is None:
            return []
        return [("leave_type", (LeaveBalance.user_id == user) & (LeaveBalance.leave_type == leave_type))]


class SettlementKind(Kind):
    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return None if has_role(actor, FINANCE_ROLE) else within(ServiceFeeSettlement.created_by_id, ids)

    def can_write(self, s: Session, actor: User, row: Any) -> bool:
        return actor.is_admin or row.created_by_id == actor.id

    def derive(self, row: Any, values: dict[str, Any]) -> None:
        """amount = fees x ratio, to the cent, once the ratio is set."""
        fees, ratio = current(row, values, "fees"), current(row, values, "ratio")
        values["amount"] = (fees * ratio).quantize(Decimal("0.01")) if fees is not None and ratio is not None \
            else None


KINDS: dict[str, Kind] = {k.key: k for k in [
    CustomerKind("customer", "customer", Customer, (
        text("code", 32), text("name", required=True), text("nature", 50), text("legal_rep", 50),
        text("address", 300), text("postcode", 10, pattern=r"^[0-9A-Za-z -]{3,10}$"), text("website"),
        F("phone", **PHONE_KW), F("email", "email"), F("fax", **PHONE_KW),
        F("level", "option", 50, options="customer_level"), F("type", "option", 50, options="customer_type"),
        F("status", "option", 50, options="customer_status"), F("stage", "option", 50, options="customer_stage"),
        text("credit", 50), text("province", 50), text("region", 50),
        text("source", 100), F("owner", "user"), F("vip", "bool", default=False, process=True), F("custom", "json"),
        F("area_code", "option", 4, options="area_code"), F("industry", "option", 2, options="industry"),
        F("service_auth_no", writable=False), note("remark"),
    ), number_field="code"),
    CustomerScoped("contact", "contact", Contact, (
        F("customer", "customer", required=True), text("name", 100, required=True),
        F("gender", "enum", choices=GENDERS), text("department", 100), text("title", 100), F("phone", **PHONE_KW),
        F("mobile", **PHONE_KW), F("email", "email"), F("birthday", "date"), text("address", 300),
        text("hobbies", 500), note("remark"),
    ), joins=(Customer, Contact.customer_id == Customer.id)),
    ContractKind("contract", "contract", Contract, (
        text("number", 32), F("customer", "customer", required=True), text("title", required=True),
        F("amount", "decimal", low=Decimal(0), high=MONEY), F("start_date", "date"),
        F("end_date", "date"), F("status", "enum", choices=CONTRACT_STATUSES, default="draft", process=True),
        text("attachment", 500), F("owner", "user"), note("remark"),
    ), joins=(Customer, Contract.customer_id == Customer.id), number_field="number"),
    ContactRecordKind("contact_record", "contact record", ContactRecord, (
        F("customer", "customer", required=True), F("date", "date", required=True),
        F("way", "enum", 20, required=True, choices=CONTACT_WAYS), F("contact", "int", low=1, high=MAX_ID,
                                                                   attr_name="contact_id"),
        note("content", required=True), note("next_step"), F("next_date", "date"),
    ), joins=(Customer, ContactRecord.customer_id == Customer.id)),
    AgentKind("agent", "agent", Agent, (
        text("code", 32), text("name", required=True), text("region", 50), text("contact_name", 100),
        F("phone", **PHONE_KW), text("bank_name", 100), text("bank_account", 64, pattern=r"^[0-9 -]{4,64}$"),
        note("remark"),
    ), number_field="code"),
    TicketKind("ticket", "service ticket", ServiceTicket, (
        text("complainant", 100, required=True), text("contact_info"), note("content", required=True),
        F("category", "option", 50, options="ticket_category"), F("expected_at", "datetime"), note("verification"),
        note("handling_method"),
        F("handler", "user"), note("result"), F("satisfaction", "int", low=1, high=5), note("customer_opinion"),
        F("status", "enum", choices=(*TICKET_STATUSES, WITHDRAWN), default="open"), F("customer", "customer"),
        F("instance_id", "int", writable=False), note("remark"),
    )),
    ExpenseClaimKind("expense_claim", "expense claim", ExpenseClaim, (
        F("claimant", "user"), text("title"),
        F("status", "enum", choices=(*CLAIM_STATUSES, WITHDRAWN), default="draft", process=True),
        F("total", "decimal", writable=False), F("instance_id", "int", writable=False), note("remark"),
    ), create_only=("lines",)),
    LeaveBalanceKind("leave_balance", "leave balance", LeaveBalance, (
        F("user", "user", required=True), text("leave_type", 32, required=True),
        F("days", "decimal", required=True, low=Decimal("-99999.9"), high=Decimal("99999.9"), places=1),
    )),
    SettlementKind("settlement", "service fee settlement", ServiceFeeSettlement, (
        F("agent", "agent", required=True), text("period", 32, required=True),
        F("fees", "decimal", required=True, low=Decimal(0), high=MONEY),
        F("ratio", "decimal", low=Decimal(0), high=Decimal(1), places=4, process=True),
        F("amount", "decimal", writable=False),
        F("status", "enum", choices=(*SETTLEMENT_STATUSES, WITHDRAWN), default="draft", process=True),
        F("settlement_method", "enum", choices=SETTLEMENT_METHODS, process=True),
        F("invoice_received_at", "datetime", process=True),
        F("instance_id", "int", writable=False), note("remark"),
    )),
    OpportunityKind("opportunity", "opportunity", Opportunity, (
        text("number", 32), text("source", 100), text("customer_name"), F("customer", "customer"),
        text("summary", required=True), text("contact_name", 100), F("contact_phone", **PHONE_KW),
        note("description"), F("probability", "int", required=True, low=0, high=100),
        F("amount", "decimal", low=Decimal(0), high=MONEY), F("stage", "enum", 50, choices=OPPORTUNITY_STAGES),
        text("product"), F("quantity", "int", low=0, high=10**9), F("due_date", "date"),
        F("status", "enum", choices=OPPORTUNITY_STATUSES, default="unassigned", process=True),
        F("owner", "user", process=True), F("assigned_at", "datetime", writable=False),
        F("contract", "int", writable=False, attr_name="contract_id"), note("outcome_reason", writable=False),
        F("instance_id", "int", writable=False), note("remark"),
    ), number_field="number"),
    OpportunityStepKind("opportunity_step", "plan step", OpportunityStep, STEP_FIELDS,
                        joins=(Opportunity, OpportunityStep.opportunity_id == Opportunity.id)),
]}
