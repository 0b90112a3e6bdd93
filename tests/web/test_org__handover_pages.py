"""The organisation pages during a staff handover, without a browser: the admin deactivates a
salesperson who owns a customer and names no successor; the flash says the handover started, the user
page and the user list show 交接中 linking to the instance (in English: Handover in progress), and the
page says what leaving the successor empty does. Once the supervisor chose, the mark is gone."""
from __future__ import annotations

from pathlib import Path

from crm import records as rs
from engine import inbox, instance_admin, tasks
from engine.design import definitions
from tests.web.conftest import signed_in

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "staff_handover.bpmn").read_bytes()


def test_the_pages_show_the_running_handover_in_both_languages(org, client):
    definitions.deploy(org.db, XML, org["admin"])
    rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    token = signed_in(client, "admin")
    form = client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)
    assert "不选交接人则启动离职交接流程" in form and 'id="handover-running"' not in form
    r = client.post(f"/admin/users/{org['clerk']}", follow_redirects=True,
                    data={"csrf_token": token, "display_name": "张三", "supervisor": "sales_lead", "active": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "离职交接流程已启动" in html
    (task,) = inbox.list_box(org.db, org["sales_lead"], "todo", 0, 10)[0]
    link = f'href="/instances/{task["instance_id"]}"'
    assert 'id="handover-running"' in html and link in html and "交接中" in html
    row = client.get("/admin/users?q=张三").get_data(as_text=True).split('data-username="clerk"', 1)[1]
    assert "handover-running" in row.split("</tr>", 1)[0] and link in row.split("</tr>", 1)[0]
    client.post("/language", data={"csrf_token": token, "locale": "en"})
    assert "Handover in progress" in client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)

    tasks.approve(org.db, org["sales_lead"], task["id"], data={"successor": "clerk2"})
    assert 'id="handover-running"' not in client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)
    assert "handover-running" not in client.get("/admin/users?q=张三").get_data(as_text=True)


def test_a_deactivated_user_with_work_gets_a_start_link_that_fills_the_leaver(org, client):
    """A handover that was terminated leaves the deactivated clerk owning a customer: their page offers
    发起离职交接, whose start form comes with the leaver filled in. Once nothing is left (the customer deleted), no link."""
    definitions.deploy(org.db, XML, org["admin"])
    customer = rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    token = signed_in(client, "admin")
    client.post(f"/admin/users/{org['clerk']}", data={"csrf_token": token, "display_name": "张三",
                                                      "supervisor": "sales_lead", "active": ""})
    (task,) = inbox.list_box(org.db, org["sales_lead"], "todo", 0, 10)[0]
    form = client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)
    assert 'id="handover-running"' in form and 'id="handover-start"' not in form, "one handover at a time"
    instance_admin.terminate(org.db, org["admin"], task["instance_id"], "重新发起")
    form = client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)
    assert 'id="handover-start"' in form and "发起离职交接" in form
    assert 'href="/start/staff_handover?leaver=clerk"' in form
    start = client.get("/start/staff_handover?leaver=clerk").get_data(as_text=True)
    assert '"leaver": "clerk"' in start, "the leaver picker comes filled in"
    assert '"leaver": "clerk2"' not in client.get("/start/staff_handover?leaver=clerk2").get_data(as_text=True), \
        "an active user is not a deactivated user's option: nothing is filled in"
    rs.delete(org.db, org["admin"], "customer", customer["id"])  # (to the recycle bin: nothing left to hand over)
    assert 'id="handover-start"' not in client.get(f"/admin/users/{org['clerk']}").get_data(as_text=True)
