"""CRM records: customers, contacts, contracts, agents, service tickets, expense claims, leave
balances, service-fee settlements — their models and use cases.

    models.py         the tables (and the values their status fields take)
    fields.py         a field declaration and, per field kind, how a value is parsed, filtered, shown
    kinds.py          a record kind: declaration, permissions and the hooks a kind may override
    catalogue.py      the record kinds (KINDS), each with its own rules
    permissions.py    the actor and their reach down the supervisor tree
    expense_lines.py  the one validator of expense lines (API and expense process alike)
    instances.py      whether a record's process instance runs, asked of the engine (wired by app.py)
    service.py        the use cases: create / get / update / delete / list, and process_update
    customers.py      reassigning a customer, and the owner history
    cards.py          the records a process instance is about, as cards one user may see (task page)
    overview.py       the customer page (客户360): a customer with its related records; list facets
    saved_filters.py  a user's named list filters per list page

Callers use this package's names: `from crm import records; records.create(db, actor_id, "customer", {...})`.
"""
from __future__ import annotations

from crm.records.catalogue import KINDS, TICKET_PROCESS_FIELDS
from crm.records.customers import customer_owner_history, reassign_customer
from crm.records.expense_lines import CATEGORIES, LINE_FIELDS, MAX_LINES
from crm.records.instances import process_running, set_instance_running_check
from crm.records.models import (
    CLAIM_STATUSES,
    CONTACT_WAYS,
    CONTRACT_STATUSES,
    CUSTOMER_LEVELS,
    CUSTOMER_STAGES,
    CUSTOMER_STATUSES,
    CUSTOMER_TYPES,
    GENDERS,
    INDUSTRIES,
    OPPORTUNITY_STAGES,
    OPPORTUNITY_STATUSES,
    SETTLEMENT_METHODS,
    SETTLEMENT_STATUSES,
    TICKET_STATUSES,
    WITHDRAWN,
    Agent,
    ChurnWatch,
    Contact,
    ContactRecord,
    Contract,
    Customer,
    CustomerOwnerHistory,
    ExpenseClaim,
    ExpenseLine,
    LeaveBalance,
    NumberSequence,
    Opportunity,
    OpportunityStep,
    SavedFilter,
    ServiceFeeSettlement,
    ServiceTicket,
)
from crm.records.overview import customer_overview, facets, names
from crm.records.permissions import reach
from crm.records.service import (
    BULK_KINDS,
    MAX_BULK,
    all_visible,
    create,
    create_many,
    delete,
    get,
    list_records,
    process_update,
    set_status,
    update,
)

__all__ = [
    "Agent",
    "BULK_KINDS",
    "CATEGORIES",
    "CLAIM_STATUSES",
    "CONTACT_WAYS",
    "CONTRACT_STATUSES",
    "CUSTOMER_LEVELS",
    "CUSTOMER_STAGES",
    "CUSTOMER_STATUSES",
    "CUSTOMER_TYPES",
    "Contact",
    "ContactRecord",
    "Contract",
    "Customer",
    "CustomerOwnerHistory",
    "ExpenseClaim",
    "ExpenseLine",
    "GENDERS",
    "INDUSTRIES",
    "KINDS",
    "LINE_FIELDS",
    "LeaveBalance",
    "MAX_BULK",
    "MAX_LINES",
    "NumberSequence",
    "OPPORTUNITY_STAGES",
    "OPPORTUNITY_STATUSES",
    "ChurnWatch",
    "Opportunity",
    "OpportunityStep",
    "SETTLEMENT_METHODS",
    "SavedFilter",
    "SETTLEMENT_STATUSES",
    "ServiceFeeSettlement",
    "ServiceTicket",
    "TICKET_PROCESS_FIELDS",
    "TICKET_STATUSES",
    "WITHDRAWN",
    "all_visible",
    "create",
    "create_many",
    "customer_overview",
    "customer_owner_history",
    "delete",
    "facets",
    "names",
    "get",
    "list_records",
    "process_running",
    "process_update",
    "reach",
    "reassign_customer",
    "set_instance_running_check",
    "set_status",
    "update",
]
