"""The organisation pages during a staff handover, without a browser: the admin deactivates a
salesperson who owns a customer and names no successor; the flash says the handover started, the user
page and the user list show 交接中 linking to the instance (in English: Handover in progress), and the
page says what leaving the successor empty does. Once the supervisor chose, the mark is gone."""
from __future__ import annotations

from pathlib import Path

from crm import records as rs
from engine import inbox, tasks
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
