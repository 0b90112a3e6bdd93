"""What the CRM pages call things, in the user's language: field labels per record kind, the
values of status fields, and the columns and filters of each list page."""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l

from crm import records as crm_records
from crm.admin import options as option_lists
from web.i18n import select_locale
from web.users import database

# labels shared by every kind (a kind's own table below wins)
COMMON: dict[str, Any] = {
    "name": _l("Name"), "phone": _l("Phone"), "mobile": _l("Mobile"), "email": _l("Email"), "fax": _l("Fax"),
    "address": _l("Address"), "remark": _l("Remarks"), "owner": _l("Salesperson"), "status": _l("Status"),
    "customer": _l("Customer"), "region": _l("Region"), "province": _l("Province"), "title": _l("Title"),
    "created_by": _l("Entered by"), "created_at": _l("Entered at"), "updated_at": _l("Changed at"),
    "amount": _l("Amount"), "instance_id": _l("Approval request"), "agent": _l("Agent"), "code": _l("Code"),
}
BY_KIND: dict[str, dict[str, Any]] = {
    "customer": {
        "code": _l("Customer no."), "name": _l("Customer name"), "nature": _l("Ownership"),
        "legal_rep": _l("Legal representative"), "postcode": _l("Postcode"), "website": _l("Website"),
        "level": _l("Customer level"), "type": _l("Customer type"), "status": _l("Customer status"),
        "stage": _l("Customer stage"), "credit": _l("Credit rating"), "source": _l("Source"), "vip": _l("VIP"),
        "custom": _l("Custom fields"), "area_code": _l("Area code"), "industry": _l("Industry"),
        "service_auth_no": _l("Service authorisation no."),
    },
    "contact": {"gender": _l("Gender"), "department": _l("Department"), "title": _l("Position"),
                "birthday": _l("Birthday"), "hobbies": _l("Hobbies")},
    "contract": {"number": _l("Contract no."), "title": _l("Contract title"), "start_date": _l("Starts"),
                 "end_date": _l("Ends"), "attachment": _l("Contract file")},
    "contact_record": {"date": _l("Date"), "way": _l("Way"), "contact": _l("Contact person"),
                       "content": _l("What was said"), "next_step": _l("Next step"), "next_date": _l("Next date")},
    "agent": {"code": _l("Agent no."), "contact_name": _l("Contact person"), "bank_name": _l("Bank"),
              "bank_account": _l("Bank account")},
    "ticket": {"complainant": _l("Complainant"), "contact_info": _l("Contact details"), "content": _l("Complaint"),
               "category": _l("Category"), "expected_at": _l("Expected by"), "verification": _l("Verification result"),
               "handling_method": _l("Handling method"), "handler": _l("Handler"), "result": _l("Result"),
               "satisfaction": _l("Satisfaction"), "customer_opinion": _l("Customer opinion")},
    "expense_claim": {"claimant": _l("Claimant"), "total": _l("Total")},
    "opportunity": {"number": _l("Opportunity no."), "source": _l("Opportunity source"),
                    "customer_name": _l("Customer name"), "summary": _l("Summary"),
                    "contact_name": _l("Contact person"), "contact_phone": _l("Contact phone"),
                    "description": _l("Description"), "probability": _l("Success probability"),
                    "amount": _l("Expected amount"), "stage": _l("Opportunity stage"), "product": _l("Product"),
                    "quantity": _l("Quantity"), "due_date": _l("Closing date"), "assigned_at": _l("Assigned at"),
                    "contract": _l("Contract draft"), "outcome_reason": _l("Reason")},
    "settlement": {"period": _l("Period"), "fees": _l("Fees"), "ratio": _l("Ratio"),
                   "settlement_method": _l("Settlement method"), "invoice_received_at": _l("Invoice received")},
}
# values of status-like fields that are codes (the customer classifications are Chinese words already)
VALUES: dict[str, Any] = {
    "draft": _l("draft"), "under_review": _l("under review"), "signed": _l("signed"), "rejected": _l("rejected"),
    "open": _l("open"), "assigned": _l("assigned"), "handling": _l("handling"), "callback": _l("callback"),
    "closed": _l("closed"), "submitted": _l("submitted"), "approved": _l("approved"), "paid": _l("paid"),
    "invoiced": _l("invoiced"), "settled": _l("settled"), "withdrawn": _l("withdrawn"), "offset": _l("offset"),
    "refund": _l("refund"), "male": _l("male"), "female": _l("female"), "unknown": _l("unknown"),
    "unassigned": _l("unassigned"), "developing": _l("assigned, in development"), "won": _l("won"),
    "lost": _l("lost"),
}
TAG_COLORS = {"signed": "green", "approved": "green", "paid": "green", "settled": "green", "closed": "green",
              "rejected": "red", "under_review": "blue", "submitted": "blue", "handling": "blue",
              "assigned": "blue", "callback": "orange",
              "won": "green", "lost": "red", "unassigned": "orange", "developing": "blue",
              "invoiced": "blue", "withdrawn": ""}


def label(kind: str, field: str) -> Any:
    return BY_KIND.get(kind, {}).get(field) or COMMON.get(field) or field


def value(v: Any) -> Any:
    return VALUES.get(v, v) if isinstance(v, str) else v


def option_list(kind: str, name: str) -> str | None:
    """The data-dictionary list a field's values come from (crm/admin/options.py), if any."""
    f = crm_records.KINDS[kind].by_name.get(name) if kind in crm_records.KINDS else None
    return f.options if f is not None and f.kind == "option" else None


def choices(category: str) -> list[tuple[str, str, bool]]:
    """[(code, label, offered)] of a list in the user's language, read once per request."""
    maps = g.get("lz_option_labels")
    if maps is None:
        maps = g.lz_option_labels = option_lists.label_maps(database(), select_locale())
    return maps.get(category, [])


def option(kind: str, name: str, v: Any) -> Any:
    """The label of an option field's code (the code itself when the list does not know it); area
    and industry codes are shown with their names."""
    category = option_list(kind, name)
    if category is None:
        return value(v)
    text = next((lbl for code, lbl, _on in choices(category) if code == v), None)
    if text is None:
        return v
    return f"{v} {text}" if category in ("area_code", "industry") else text


# list page slug -> (record kind, its title, columns, filters besides the keyword)
PAGES: dict[str, tuple[str, Any, tuple[str, ...], tuple[str, ...]]] = {
    "customers": ("customer", _l("Customers"),
                  ("code", "name", "level", "type", "status", "stage", "region", "owner", "vip"),
                  ("owner", "level", "type", "status", "stage", "province", "region", "industry", "vip")),
    "contacts": ("contact", _l("Contacts"), ("name", "customer", "title", "mobile", "phone", "email"), ()),
    "contracts": ("contract", _l("Contracts"),
                  ("number", "title", "customer", "amount", "status", "start_date", "end_date", "owner"),
                  ("status", "owner")),
    "agents": ("agent", _l("Agents"), ("code", "name", "region", "contact_name", "phone"), ()),
    "tickets": ("ticket", _l("Service tickets"),
                ("complainant", "customer", "category", "status", "handler", "created_at"), ("status", "handler")),
    "expense_claims": ("expense_claim", _l("Expense claims"), ("title", "claimant", "total", "status", "created_at"),
                       ("status", "claimant")),
    "opportunities": ("opportunity", _l("Sales opportunities"),
                      ("number", "summary", "customer_name", "amount", "probability", "stage", "status", "owner"),
                      ("status", "stage", "owner")),
    "settlements": ("settlement", _l("Settlements"), ("agent", "period", "fees", "ratio", "amount", "status"),
                    ("status",)),
}
KIND_PAGE = {kind: slug for slug, (kind, *_rest) in PAGES.items()}
MONEY = ("amount", "total", "fees")
PEOPLE = ("owner", "handler", "claimant", "created_by")
# the column of each list that links to the record's page
TITLE_COLUMN = {"customers": "name", "contacts": "name", "contracts": "title", "agents": "name",
                "tickets": "complainant", "expense_claims": "title", "settlements": "period",
                "opportunities": "summary"}
