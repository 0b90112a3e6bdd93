"""The CRM settings pages: an admin renames a dictionary entry and the customer list shows the new
name (the stored code unchanged), adds one with a bad code and sees why; sets a field permission
and the salesperson's list and customer page stop showing the field and the export button; the
system log page lists it; the recycle bin page lets the supervisor restore a deleted customer.
Non-admins get 403 on the settings pages."""
from __future__ import annotations

from crm import directory, records
from crm.admin import field_rules, options
from tests.web.conftest import signed_in


def as_user(app, username):
    """A client of its own, signed in as `username`, and its CSRF token."""
    client = app.test_client()
    return client, signed_in(client, username)


def _role(org):
    directory.create_role(org.db, org["admin"], {"key": "salesperson", "name": "业务员"})
    directory.update_user(org.db, org["admin"], org["clerk"], {"roles": ["salesperson"]})


def test_settings_pages_are_for_admins(org, app):
    client, _token = as_user(app, "clerk")
    for url in ("/crm/admin/options", "/crm/admin/field-rules", "/crm/admin/log"):
        assert client.get(url).status_code == 403, url
    assert client.get("/crm/recycle-bin").status_code == 200


def test_a_renamed_level_shows_on_the_list_and_a_bad_code_is_explained(org, app):
    records.create(org.db, org["clerk"], "customer", {"name": "华北测绘院", "level": "重点客户", "industry": "03",
                                                      "area_code": "0531"})
    client, token = as_user(app, "admin")
    page = client.get("/crm/admin/options").get_data(as_text=True)
    assert 'id="list-customer_level"' in page and "重点客户" in page
    r = client.post("/crm/admin/options/customer_level", data={
        "csrf_token": token, "code": "重点客户", "label_zh": "核心客户", "label_en": "Core", "active": "on"})
    assert r.status_code == 302
    r = client.post("/crm/admin/options/area_code", data={
        "csrf_token": token, "code": "12", "label_zh": "某地", "label_en": "Somewhere", "active": "on"})
    assert r.status_code == 422 and 'data-field="code"' in r.get_data(as_text=True)
    client, _token = as_user(app, "clerk")
    listed = client.get("/crm/customers").get_data(as_text=True)
    assert "核心客户" in listed
    customer = client.get("/crm/customers?level=重点客户").get_data(as_text=True)
    assert "华北测绘院" in customer


def test_a_hidden_field_leaves_the_pages_and_the_rule_is_in_the_log(org, app):
    _role(org)
    c = records.create(org.db, org["sales_lead"], "customer", {"name": "华北测绘院", "credit": "AAA级信用",
                                                              "owner": "clerk"})
    client, token = as_user(app, "admin")
    r = client.post("/crm/admin/field-rules", data={"csrf_token": token, "role": "salesperson",
                                                    "kind_field": "customer/credit", "edit": "on"})
    assert r.status_code == 302
    r = client.post("/crm/admin/field-rules", data={"csrf_token": token, "role": "salesperson",
                                                    "kind_field": "customer/*", "view": "on", "edit": "on"})
    assert r.status_code == 302
    rules = client.get("/crm/admin/field-rules").get_data(as_text=True)
    assert 'data-rule="salesperson:customer.credit"' in rules
    log = client.get("/crm/admin/log?type=field_rule").get_data(as_text=True)
    assert "salesperson:customer.credit" in log
    client, _token = as_user(app, "clerk")
    page = client.get(f"/crm/customers/{c['id']}").get_data(as_text=True)
    assert "华北测绘院" in page and "AAA级信用" not in page
    listed = client.get("/crm/customers").get_data(as_text=True)
    assert 'id="export-xlsx"' not in listed
    assert client.get("/crm/customers/export.xlsx").status_code == 403
    client, _token = as_user(app, "sales_lead")
    assert "AAA级信用" in client.get(f"/crm/customers/{c['id']}").get_data(as_text=True)
    assert 'id="export-xlsx"' in client.get("/crm/customers").get_data(as_text=True)
    assert field_rules.my_limits(org.db, org["sales_lead"]) == {}


def test_the_supervisor_restores_a_deleted_customer_from_the_page(org, app):
    c = records.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    records.create(org.db, org["clerk"], "customer", {"name": "后来的客户"})
    records.delete(org.db, org["clerk"], "customer", c["id"])
    client, _token = as_user(app, "clerk")
    assert 'data-record="' not in client.get("/crm/recycle-bin").get_data(as_text=True)
    client, token = as_user(app, "sales_lead")
    page = client.get("/crm/recycle-bin").get_data(as_text=True)
    assert f'data-record="{c["id"]}"' in page
    entry = records_entry(org)
    r = client.post(f"/crm/recycle-bin/{entry}/restore", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/crm/customers/{c['id']}")
    assert "华北测绘院" in client.get(f"/crm/customers/{c['id']}").get_data(as_text=True)
    assert options.list_entries(org.db, org["clerk"], "customer_level")[0]["code"] == "战略客户"


def records_entry(org) -> int:
    from crm.admin import recycle

    items, _total = recycle.list_bin(org.db, org["admin"])
    return items[0]["id"]


def test_the_settings_pages_speak_english_to_an_english_admin(org, app):
    directory.set_locale(org.db, org["admin"], "en")
    client, _token = as_user(app, "admin")
    page = client.get("/crm/admin/options").get_data(as_text=True)
    assert "Data dictionary" in page and "Customer level" in page and "Strategic" in page
    assert "数据字典" not in page and "客户级别" not in page
    assert "Field permissions" in client.get("/crm/admin/field-rules").get_data(as_text=True)
    assert "System log" in client.get("/crm/admin/log").get_data(as_text=True)
    assert "Recycle bin" in client.get("/crm/recycle-bin").get_data(as_text=True)


def test_the_admin_switches_care_tasks_on_from_the_dictionary_page(org, app):
    """提醒生成关怀任务 (crm/care.py) is a list of the data dictionary page: shipped off, switched on
    per reminder kind by an admin, and only the known kinds exist."""
    from crm import care

    client, token = as_user(app, "admin")
    page = client.get("/crm/admin/options").get_data(as_text=True)
    assert 'id="list-care_task"' in page and "生日关怀" in page
    r = client.post("/crm/admin/options/care_task", data={
        "csrf_token": token, "code": "birthday", "label_zh": "生日关怀", "label_en": "Birthday care", "active": "on"})
    assert r.status_code == 302
    with org.db.uow() as s:
        assert care.configured(s) == {"birthday"}
    r = client.post("/crm/admin/options/care_task", data={
        "csrf_token": token, "code": "holiday", "label_zh": "节日", "label_en": "Holiday", "active": "on"})
    assert r.status_code == 422 and 'data-field="code"' in r.get_data(as_text=True)
