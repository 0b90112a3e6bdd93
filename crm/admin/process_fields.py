"""Field permissions (crm/admin/field_rules.py) inside processes: which process-data paths carry a
CRM record's field, so the engine's one redaction rule (engine/redaction.py) hides what the
reader's roles may not 查看, and a form cannot make a process write a field its sender may not 修改.

A path carries a record field when
- a registered write-back function (crm/processes/) takes it as an argument that becomes that
  field (`WRITES`: `crm.ticket.assign`'s `category` is the ticket's category; `crm.customer.enter_vip`'s
  `customer` is a whole customer, its keys the customer's fields) and the argument's expression
  is the bare path (`expr="category"`);
- the process is about one kind of record (`PROCESS_KINDS`: the VIP entry's form is a customer's,
  the ticket form a ticket's) and the form field's key is a field of that kind;
- it is the result of such a function (`<node id>.result.<field>`, `RESULTS`: what
  `crm.contract.submit_for_review` returns of the contract).

app.wire() hands this module to the engine (`redaction.use_record_fields`); crm/ never imports
the engine.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.admin import field_rules
from crm.admin.models import FieldRule
from crm.models import User

WHOLE = field_rules.WHOLE
# function -> argument -> (record kind, field); field WHOLE: the argument is an object of that kind's fields
WRITES: dict[str, dict[str, tuple[str, str]]] = {
    "crm.customer.enter_vip": {"customer": ("customer", WHOLE)},
    "crm.ticket.create": {a: ("ticket", a) for a in ("complainant", "contact_info", "content", "category",
                                                      "expected_at", "customer")},
    "crm.ticket.assign": {"category": ("ticket", "category"), "verification": ("ticket", "verification"),
                          "technician": ("ticket", "handler")},
    "crm.ticket.record_handling": {"handling_method": ("ticket", "handling_method"), "result": ("ticket", "result")},
    "crm.ticket.record_callback": {"satisfaction": ("ticket", "satisfaction"),
                                   "customer_opinion": ("ticket", "customer_opinion")},
    "crm.settlement.create": {"agent_id": ("settlement", "agent"), "period": ("settlement", "period"),
                              "fees": ("settlement", "fees"), "remark": ("settlement", "remark")},
    "crm.settlement.set_ratio": {"ratio": ("settlement", "ratio")},
    "crm.settlement.record_invoice": {"received_at": ("settlement", "invoice_received_at")},
    "crm.settlement.settle": {"settlement_method": ("settlement", "settlement_method")},
    "crm.opportunity.assign": {"owner": ("opportunity", "owner")},
}
# function -> the record kind whose fields its result repeats
RESULTS: dict[str, str] = {
    "crm.customer.enter_vip": "customer", "crm.customer.set_vip": "customer",
    "crm.contract.submit_for_review": "contract", "crm.opportunity.submit": "opportunity",
    **{f"crm.ticket.{v}": "ticket" for v in ("create", "assign", "record_handling", "record_callback")},
    **{f"crm.settlement.{v}": "settlement" for v in ("create", "set_ratio", "set_status", "record_invoice", "settle")},
}
# processes whose form fields are a record's fields, by the process key (its form creates or fills that record)
PROCESS_KINDS = {"vip_customer": "customer", "service_ticket": "ticket", "agent_settlement": "settlement"}
CACHE = "lz_hidden_by_some_role"


def _fields(kind: str) -> tuple[str, ...]:
    return field_rules.KIND_FIELDS.get(kind, ())


def carried(process_key: str, form_paths: Iterable[str],
            calls: Iterable[tuple[str, str, str, str]]) -> dict[str, tuple[str, str]]:
    """{data path: (kind, field)} of one definition: `form_paths` are its forms' field paths
    (`customer.level`), `calls` its service tasks' (node id, function, argument, expression)."""
    paths = list(form_paths)
    out: dict[str, tuple[str, str]] = {}
    kind = PROCESS_KINDS.get(process_key)
    if kind is not None:
        out.update({p: (kind, p.rsplit(".", 1)[-1]) for p in paths if p.rsplit(".", 1)[-1] in _fields(kind)})
    for node_id, function, arg, expr in calls:
        target = WRITES.get(function, {}).get(arg)
        expr = expr.strip()
        if target is not None and expr.isidentifier():
            kind, name = target
            if name != WHOLE:
                out[expr] = target
            else:
                out.update({p: (kind, p[len(expr) + 1:]) for p in paths
                            if p.startswith(expr + ".") and p[len(expr) + 1:] in _fields(kind)})
        result = RESULTS.get(function)
        if result is not None:
            out.update({f"{node_id}.result.{f}": (result, f) for f in _fields(result)})
    return out


def hidden(s: Session, user: User | None) -> set[tuple[str, str]]:
    """(kind, field) pairs `user`'s roles may not see; `user` None: those some role may not see
    (for what several readers share: the search index, a title). WHOLE is not a field here."""
    if user is not None:
        lim = field_rules.limits(s, user)
        return {(kind, f) for kind, names in lim.hidden.items() for f in names}
    if CACHE not in s.info:
        s.info[CACHE] = {(k, f) for k, f in s.execute(select(FieldRule.kind, FieldRule.field)
                                                      .where(FieldRule.can_view.is_(False)))}
    return set(s.info[CACHE])


def may_edit(s: Session, user: User, kind: str, name: str) -> bool:
    return field_rules.limits(s, user).may_edit(kind, name)
