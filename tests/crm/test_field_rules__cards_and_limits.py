"""Field permissions below the web layer: a role's rules combine (any role refusing refuses), admins
are never limited, and the task page's record cards leave out hidden fields."""
from __future__ import annotations

from crm import directory
from crm import records as rs
from crm.admin import field_rules
from crm.records.cards import Viewer


def _roles(org):
    for key in ("salesperson", "trainee"):
        directory.create_role(org.db, org["admin"], {"key": key, "name": key})
    directory.update_user(org.db, org["admin"], org["clerk"], {"roles": ["salesperson", "trainee"]})
    directory.update_user(org.db, org["admin"], org["clerk2"], {"roles": ["salesperson"]})


def test_any_role_refusing_refuses_and_admins_are_never_limited(org):
    _roles(org)
    field_rules.set_rule(org.db, org["admin"], "trainee", "customer", "credit", {"view": False})
    field_rules.set_rule(org.db, org["admin"], "salesperson", "contract", "amount", {"export": False})
    assert field_rules.my_limits(org.db, org["clerk"]) == {
        "contract": {"hidden": [], "readonly": [], "noexport": ["amount"]},
        "customer": {"hidden": ["credit"], "readonly": [], "noexport": []}}
    assert field_rules.my_limits(org.db, org["clerk2"]) == {
        "contract": {"hidden": [], "readonly": [], "noexport": ["amount"]}}
    assert field_rules.my_limits(org.db, org["admin"]) == {}
    # a rule allowing everything again is removed
    field_rules.set_rule(org.db, org["admin"], "trainee", "customer", "credit", {"view": True})
    assert "customer" not in field_rules.my_limits(org.db, org["clerk"])
    assert [r["field"] for r in field_rules.list_rules(org.db, org["admin"])["items"]] == ["amount"]


def test_record_cards_leave_out_hidden_fields(org):
    _roles(org)
    c = rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院", "level": "重点客户", "phone": "010-1234567"})
    field_rules.set_rule(org.db, org["admin"], "salesperson", "customer", "level", {"view": False})
    with org.db.uow() as s:
        clerk = Viewer(s, org["clerk"]).record("customer", c["id"])
        lead = Viewer(s, org["sales_lead"]).record("customer", c["id"])
    assert clerk is not None and "level" not in clerk and clerk["phone"] == "010-1234567"
    assert lead is not None and lead["level"] == "重点客户"
