"""Search (issue 14): one query over instances and CRM records, Chinese segmented with jieba, the
index kept current in the writer's transaction, results only where the reader may look."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.models import User
from crm.records import Customer
from engine import instances, tasks
from engine.design import definitions
from engine.models import ProcessInstance
from search import query
from tests.api.conftest import API, assert_error, login
from tests.bpmn_factory import chain, user_task

START_FORM = (b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="general_approval"/>'
              b'</bpmn:extensionElements></bpmn:startEvent>')
# the supervisor approves; the reason is hidden from them
SECRET = chain("secret", [user_task("sup", "any", "supervisor",
                                    extra='<lz:form key="general_approval"/><lz:fields hidden="reason"/>')],
               prefix="SE").replace(b'<bpmn:startEvent id="start"/>', START_FORM)


def found(client, user, q, **params):
    r = client.get(f"{API}/search", query_string={"q": q, **params}, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return [(it["kind"], it["id"]) for it in r.get_json()["items"]], r.get_json()


def customer(client, user, **body):
    r = client.post(f"{API}/customers", json=body, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_chinese_words_find_a_customer_and_only_its_readers_see_it(client):
    cid = customer(client, "clerk", name="上海某某网络科技有限公司", address="浦东新区张江路 88 号")
    other = customer(client, "fin1", name="北京网络设备公司")
    assert found(client, "clerk", "上海 网络")[0] == [("customer", cid)]  # two words, both must match
    assert found(client, "clerk", "网络科技")[0] == [("customer", cid)]
    assert found(client, "clerk", "张江")[0] == [("customer", cid)]  # the address is indexed too
    assert ("customer", cid) in found(client, "sales_lead", "上海网络")[0]  # the clerk's supervisor
    assert found(client, "fin2", "上海 网络")[0] == []  # a colleague outside the reach sees nothing
    assert set(found(client, "admin", "网络")[0]) == {("customer", cid), ("customer", other)}
    assert found(client, "clerk", "网络", kind="customer")[0] == [("customer", cid)]
    assert found(client, "clerk", "网络", kind="instance")[0] == []


def test_a_half_typed_contract_number_finds_the_contract(client):
    cid = customer(client, "clerk", name="杭州某某软件")
    r = client.post(f"{API}/contracts", json={"customer": cid, "title": "年度维保合同"}, headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    contract = r.get_json()
    number = contract["number"]
    assert found(client, "clerk", number)[0] == [("contract", contract["id"])]
    assert ("contract", contract["id"]) in found(client, "clerk", number[:-1])[0]  # the last word as a prefix
    assert found(client, "clerk", "维保")[0] == [("contract", contract["id"])]


@pytest.fixture
def secret(org):
    definitions.deploy(org.db, SECRET, org["admin"])
    return instances.start_process(org.db, org["clerk"], "secret",
                                   {"title": "采购激光打印机", "amount": 3000, "reason": "财务室打印机坏了"})["id"]


def test_an_instance_is_found_by_title_key_and_comments_as_its_readers_see_it(client, org, secret):
    key = instances.get_instance(org.db, org["clerk"], secret)["business_key"]
    assert found(client, "clerk", "激光打印机")[0] == [("instance", secret)]
    assert found(client, "sales_lead", "激光打印机")[0] == [("instance", secret)]  # the approver
    assert found(client, "gm", "激光打印机")[0] == [("instance", secret)]  # a supervisor of a participant
    assert found(client, "fin1", "激光打印机")[0] == []
    assert found(client, "clerk", key)[0] == [("instance", secret)]
    # a field hidden at a node is not indexed: nobody finds the instance by its value
    assert found(client, "clerk", "财务室")[0] == [] and found(client, "sales_lead", "财务室")[0] == []

    task = instances.get_instance(org.db, org["clerk"], secret)["open_tasks"][0]["id"]
    assert found(client, "clerk", "控制预算")[0] == []
    tasks.approve(org.db, org["sales_lead"], task, "同意，注意控制预算")
    items, body = found(client, "clerk", "控制预算")
    assert items == [("instance", secret)]  # the comment, indexed in the approval's transaction
    assert "<mark>控制</mark><mark>预算</mark>" in body["items"][0]["highlighted"] or \
        "<mark>控制预算</mark>" in body["items"][0]["highlighted"]


def test_what_a_rolled_back_transaction_wrote_is_not_found(client, org):
    with pytest.raises(RuntimeError), org.db.uow(write=True) as s:
        s.add(Customer(code="C-ROLLBACK", name="回滚测试科技", created_by_id=org["clerk"], owner_id=org["clerk"]))
        s.flush()
        raise RuntimeError("the action failed after writing")
    assert found(client, "admin", "回滚测试")[0] == []
    cid = customer(client, "clerk", name="回滚测试科技")
    assert found(client, "admin", "回滚测试")[0] == [("customer", cid)]


def test_search_sees_exactly_the_instances_their_pages_show(org, secret):
    definitions.deploy(org.db, chain("two", [user_task("a", "all", "users", "fin1,legal_head")], prefix="TW"),
                       org["admin"])
    ids = [secret, instances.start_process(org.db, org["hr1"], "two", {})["id"]]
    with org.db.uow() as s:
        users = list(s.scalars(select(User)))
        everyone = list(s.scalars(select(ProcessInstance.id)))
        assert set(ids) <= set(everyone)
        for user in users:
            page = {i for i in everyone if instances.can_view(s, user, s.get(ProcessInstance, i))}
            assert query.visible_instances(s, user, everyone) == page, user.username


def test_bad_queries_are_refused_naming_the_parameter(client):
    h = login(client, "clerk")
    for params, field in (({"q": ""}, "q"), ({}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a\x00b"}, "q"),
                          ({"q": "x", "kind": "user"}, "kind"), ({"q": "x", "limit": "0"}, "limit"),
                          ({"q": "x", "limit": "abc"}, "limit"), ({"q": "x", "limit": "51"}, "limit")):
        err = assert_error(client.get(f"{API}/search", query_string=params, headers=h), 422)
        assert field in err["fields"], (params, err)
    assert_error(client.get(f"{API}/search", query_string={"q": "x"}), 401)
    # FTS syntax and punctuation are plain text here, never an error
    for q in ('"', "a OR b", "NEAR(", "*", "'; drop table x; --", "上海 AND", "-"):
        assert client.get(f"{API}/search", query_string={"q": q}, headers=h).status_code == 200, q


def test_the_page_marks_matches_and_escapes_everything_else(client, app):
    customer(client, "clerk", name="<b>上海</b>网络 & Co")
    web = app.test_client()
    from tests.web.conftest import signed_in

    signed_in(web, "clerk")
    html = web.get("/search", query_string={"q": "上海 网络"}).get_data(as_text=True)
    assert 'id="search-results"' in html and "<mark>上海</mark>" in html and "&lt;b&gt;" in html
    assert "<b>上海" not in html
    assert 'id="search-error"' in web.get("/search", query_string={"q": "x" * 300}).get_data(as_text=True)


def test_a_visit_record_is_found_and_leads_to_its_customers_page(client, app):
    cid = customer(client, "clerk", name="苏州某某医疗器械")
    r = client.post(f"{API}/customers/{cid}/contact-records", headers=login(client, "clerk"), json={
        "date": "2026-11-20", "way": "上门拜访", "content": "演示新款监护仪，客户关心售后响应时间",
        "next_step": "下周寄送报价单"})
    assert r.status_code == 201, r.get_json()
    record = r.get_json()["id"]
    hits, body = found(client, "clerk", "监护仪 售后")
    assert hits == [("contact_record", record)] and body["items"][0]["customer_id"] == cid
    assert found(client, "clerk", "报价单", kind="contact_record")[0] == [("contact_record", record)]
    assert found(client, "sales_lead", "监护仪")[0] == [("contact_record", record)]  # the clerk's supervisor
    assert found(client, "fin2", "监护仪")[0] == []  # outside the customer's reach
    web = app.test_client()
    from tests.web.conftest import signed_in

    signed_in(web, "clerk")
    html = web.get("/search", query_string={"q": "监护仪"}).get_data(as_text=True)
    assert f'href="/crm/customers/{cid}#contact-records"' in html


def test_crm_results_link_to_their_record_pages(client, app):
    cid = customer(client, "clerk", name="宁波某某港口物流")
    web = app.test_client()
    from tests.web.conftest import signed_in

    signed_in(web, "clerk")
    html = web.get("/search", query_string={"q": "宁波 港口"}).get_data(as_text=True)
    assert f'href="/crm/customers/{cid}"' in html
    assert web.get(f"/crm/customers/{cid}").status_code == 200  # the link opens
