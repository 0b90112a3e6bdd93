"""engine/about.py: the process instances about a customer (or a contract) — found through the
process data's `customer_id` / `customer` / `contract_id` on SQLite (json_extract) and PostgreSQL
(JSONB containment) alike, behind the customer's data permission, titles only for readers."""
from __future__ import annotations

import pytest

from core.errors import NotFound
from crm import records
from engine import about
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import deploy, start

PROCESS = chain("about_test", [user_task("sup", "any", "supervisor")], prefix="AB")


def test_instances_about_a_customer_and_its_contracts(any_org):
    org = any_org
    deploy(org, PROCESS)
    a = records.create(org.db, org["clerk"], "customer", {"name": "甲公司"})["id"]
    b = records.create(org.db, org["clerk"], "customer", {"name": "乙公司"})["id"]
    k = records.create(org.db, org["clerk"], "contract", {"customer": a, "title": "甲合同"})["id"]
    by_id = start(org, "clerk", "about_test", {"title": "按 id", "customer_id": a})
    by_picker = start(org, "clerk", "about_test", {"title": "按选择", "customer": a})
    by_contract = start(org, "clerk", "about_test", {"title": "按合同", "contract_id": k})
    by_colleague = start(org, "clerk2", "about_test", {"title": "同事的", "customer_id": a})
    # not about customer a: another customer, a string id, a boolean, free text (PostgreSQL must not choke)
    start(org, "clerk", "about_test", {"customer_id": b})
    start(org, "clerk", "about_test", {"customer_id": str(a)})
    start(org, "clerk", "about_test", {"customer": True})
    start(org, "clerk", "about_test", {"customer": "甲公司", "contract_id": "x"})

    mine = about.about_customer(org.db, org["clerk"], a)
    assert [i["id"] for i in mine] == [by_colleague, by_contract, by_picker, by_id]
    assert {i["id"]: i["readable"] for i in mine} == {by_colleague: False, by_contract: True, by_picker: True,
                                                      by_id: True}
    colleague = next(i for i in mine if i["id"] == by_colleague)
    assert colleague["title"] is None and colleague["business_key"].startswith("AB")
    assert colleague["status"] == "running" and colleague["outcome"] is None
    assert next(i for i in mine if i["id"] == by_id)["title"]  # the instance title (a reader sees it)

    # the supervisor of both clerks reads every one of them; an admin too
    lead = about.about_customer(org.db, org["sales_lead"], a)
    assert {i["id"] for i in lead if i["readable"]} == {by_id, by_picker, by_contract, by_colleague}
    assert len(about.about_customer(org.db, org["admin"], a)) == 4
    assert [i["id"] for i in about.about_record(org.db, org["clerk"], "contract", k)] == [by_contract]

    # a colleague outside the customer's reach: the customer does not exist for them
    for user in ("clerk2", "outsider"):
        with pytest.raises(NotFound):
            about.about_customer(org.db, org[user], a)
    with pytest.raises(NotFound):
        about.about_record(org.db, org["clerk2"], "contract", k)


def test_starters_name_the_picker_fields(any_org):
    """The shipped processes whose start form picks a customer or a contract (from forms/schemas)."""
    from pathlib import Path

    from engine.design import definitions

    root = Path(__file__).resolve().parents[2] / "bpmn"
    for key in ("service_ticket", "contract_countersign", "leave_request"):
        definitions.deploy(any_org.db, (root / f"{key}.bpmn").read_bytes(), any_org["admin"])
    found = {p["key"]: p["picks"] for p in about.starters(any_org.db, any_org["clerk"])}
    assert found == {"service_ticket": {"customers": "customer"}, "contract_countersign": {"contracts": "contract_id"}}
