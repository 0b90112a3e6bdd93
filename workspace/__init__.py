"""The CRM workspace (issue 15): the pages salespeople and their supervisors work in — customers
(list with filters, saved filters, Excel export/import; the customer page 客户360 with its
contacts, contracts, tickets, expense claims, contact records, approvals and timeline), and list +
detail pages of contacts, contracts, agents, tickets, expense claims and settlements.

Server-rendered templates (workspace/templates/workspace) over the crm use cases (crm.records:
the same data permissions as the REST API — a record out of the user's reach is a 404) and the
engine's reads of the instances about a record (engine/about.py). Under /crm.

    customers.py     the customer list, its Excel export / import and saved filters
    customer360.py   the customer page and its contact-record form
    records.py       list + detail pages of the other record kinds
    labels.py        field and status labels (zh / en) and the columns each list shows
    timeline.py      the customer page's timeline, merged from its records and instances
    contract_file.py the contract page's file: download, upload / replace, remove
    admin.py         CRM settings: data dictionary, field permissions, system log; the recycle bin
"""
from __future__ import annotations

from flask import Blueprint

from web.errors import register_page_errors

bp = Blueprint("workspace", __name__, url_prefix="/crm", template_folder="templates",
               static_folder="static", static_url_path="/static")

register_page_errors(bp)

# Page modules register their routes on `bp` when imported.
from workspace import (  # noqa: E402,F401
    admin,
    contract_file,
    customer360,
    customers,
    office,
    opportunities,
    records,
)
