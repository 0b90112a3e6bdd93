"""The reports page without a browser: in both languages, the cards the viewer may see (the SLA
view for admins only), the filter refused at its field, the menu entry only for admins and heads,
403 for a clerk."""
from __future__ import annotations

from tests.web.conftest import signed_in


def _english(client, username: str) -> None:
    token = signed_in(client, username)
    assert client.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 302


def test_admin_sees_every_report_in_english_with_exports(client):
    _english(client, "admin")
    html = client.get("/reports").get_data(as_text=True)
    for title in ("By process", "By step", "By person", "Bottleneck steps", "Trend by week",
                  "Deadlines by step (SLA)"):
        assert title in html
    assert 'href="/api/v1/reports/sla.xlsx"' in html and 'href="/reports"' in html
    html = client.get("/reports?from=2026-11-09&process=nope").get_data(as_text=True)
    assert 'data-field="process"' in html and "No such process." in html and 'data-report=' not in html
    html = client.get("/reports?from=2026-11-09").get_data(as_text=True)
    assert 'href="/api/v1/reports/trends.xlsx?from=2026-11-09"' in html


def test_a_head_in_chinese_without_sla_and_a_clerk_refused(client, app, org):
    signed_in(client, "sales_head")
    html = client.get("/reports").get_data(as_text=True)
    assert "按流程" in html and "节点时效" not in html and 'id="report-sla"' not in html
    assert f'<option value="{org.depts["销售部"]}"' in html and f'value="{org.depts["财务部"]}"' not in html
    client = app.test_client()
    signed_in(client, "clerk")
    assert 'href="/reports"' not in client.get("/").get_data(as_text=True)
    assert client.get("/reports").status_code == 403
