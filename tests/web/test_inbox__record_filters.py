"""The inbox page filters by customer, contract, agent and overdue, like GET /tasks; the keyword
finds the contract's number and the customer's name; a bookmark with a bad filter is not an error."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from crm import records as rs
from db.base import utcnow
from engine.models import HumanTask
from tests.web.conftest import signed_in
from tests.web.test_inbox__filters_paging_bulk import deploy, fresh, rows, start

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "contract_countersign.bpmn").read_bytes()


def test_customer_contract_overdue_and_keyword(app, client, org):
    deploy(org, XML)
    made = {}
    for name, title in (("华北测绘院", "年度测绘服务"), ("东海船舶", "船舶维保")):
        customer = rs.create(org.db, org["clerk"], "customer", {"name": name})
        contract = rs.create(org.db, org["clerk"], "contract",
                             {"customer": customer["id"], "title": title, "amount": "1000.00"})
        made[name] = (customer, contract, start(org, "clerk", "contract_countersign",
                                                {"contract_id": contract["id"]})["id"])
    (nc, nk, north), (ec, _, east) = made["华北测绘院"], made["东海船舶"]
    signed_in(client, "clerk")  # the owner: the pickers offer the records one may see

    def listed(**query):
        return [i for i, _ in rows(client.get("/", query_string={"box": "started", **query}).get_data(as_text=True))]

    html = client.get("/?box=started").get_data(as_text=True)
    assert {i for i, _ in rows(html)} == {str(north), str(east)}
    # the pickers load their options on demand (GET /api/v1/pickers/<picker>?q=): none on the page
    assert 'data-picker="customers"' in html and "全部客户" in html and "只看已超时" in html
    assert f'<option value="{nc["id"]}"' not in html and "华北测绘院" not in html
    assert listed(customer=ec["id"]) == [str(east)]
    assert listed(contract=nk["id"]) == [str(north)]
    html = client.get(f"/?box=started&contract={nk['id']}").get_data(as_text=True)
    assert f'<option value="{nk["id"]}" selected>年度测绘服务 ({nk["number"]})</option>' in html, "the chosen one, named"
    assert listed(q="东海") == [str(east)] and listed(q=nk["number"]) == [str(north)]

    client, _ = fresh(app, "legal_head")
    assert {i for i, _ in rows(client.get("/").get_data(as_text=True))} == {str(north), str(east)}

    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.instance_id == north).values(due_at=utcnow() - timedelta(hours=1)))
    html = client.get("/?overdue=true").get_data(as_text=True)
    assert [i for i, _ in rows(html)] == [str(north)] and 'name="overdue" value="true" checked' in html
    # a malformed bookmark is ignored, not an error page
    r = client.get("/?customer=abc&overdue=maybe")
    assert r.status_code == 200 and len(rows(r.get_data(as_text=True))) == 2


def test_the_chosen_record_is_named_a_hidden_one_is_not_and_text_searches_without_javascript(app, client, org):
    deploy(org, XML)
    made = {}
    for name in ("华北测绘院", "华东测绘院", "东海船舶"):
        customer = rs.create(org.db, org["clerk"], "customer", {"name": name})
        contract = rs.create(org.db, org["clerk"], "contract",
                             {"customer": customer["id"], "title": f"{name}合同", "amount": "1000.00"})
        made[name] = (customer, start(org, "clerk", "contract_countersign", {"contract_id": contract["id"]})["id"])
    theirs = rs.create(org.db, org["clerk2"], "customer", {"name": "乙方保密客户"})
    signed_in(client, "clerk")
    north, north_task = made["华北测绘院"]

    html = client.get(f"/?box=started&customer={north['id']}").get_data(as_text=True)
    assert f'<option value="{north["id"]}" selected>华北测绘院 ({north["code"]})</option>' in html
    assert [i for i, _ in rows(html)] == [str(north_task)], "filtered as before"
    assert "华东测绘院" not in html and "东海船舶" not in html, "the chosen customer only"

    # a colleague's customer (a forged or foreign bookmark): the filter applies as before, its name is not shown
    r = client.get(f"/?box=started&customer={theirs['id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "乙方保密客户" not in html and rows(html) == []
    assert f'<option value="{theirs["id"]}" selected>#{theirs["id"]}</option>' in html

    # without JavaScript: the text typed into the picker offers the matches; it does not filter
    html = client.get("/?box=started&customer_q=测绘院").get_data(as_text=True)
    assert len(rows(html)) == 3
    offered = [f'<option value="{made[n][0]["id"]}" >{n} (' in html for n in ("华北测绘院", "华东测绘院", "东海船舶")]
    assert offered == [True, True, False]
    assert 'name="customer_q" value="测绘院"' in html and "请在上方选择一项" in html
    html = client.get("/?box=started&customer_q=保密").get_data(as_text=True)
    assert "乙方保密客户" not in html and "没有匹配项" in html
