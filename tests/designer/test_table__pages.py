"""The table view pages (/designer/<key>/table, /designer/new/table) through the Flask test client."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from designer.table import to_table
from engine.design import definitions, versions
from tests.web.conftest import signed_in

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def client(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def general(org):
    definitions.deploy(org.db, (BPMN / "general_approval.bpmn").read_bytes(), None)
    return "general_approval"


def form_of(table: dict, token: str, action: str = "deploy") -> dict:
    data = {"csrf_token": token, "action": action}
    for f, v in table["process"].items():
        data[f"process-{f}"] = v
    for i, s in enumerate(table["steps"]):
        for f, v in s.items():
            if isinstance(v, bool):
                if v:
                    data[f"steps-{i}-{f}"] = "1"
            else:
                data[f"steps-{i}-{f}"] = v
    return data


def test_only_designers_see_the_table(client, org, general):
    assert client.get("/designer/general_approval/table").status_code == 302  # to the login page
    token = signed_in(client, "clerk")
    assert client.get("/designer/general_approval/table").status_code == 403
    r = client.post("/designer/general_approval/table", data={"csrf_token": token})
    assert r.status_code == 403
    assert len(versions.list_versions(org.db, org["admin"], general)) == 1


def test_table_shows_the_steps_and_deploys_an_added_step_as_version_2(client, org, general):
    token = signed_in(client, "admin")
    html = client.get("/designer/general_approval/table").get_data(as_text=True)
    assert 'value="直属主管审批"' in html and 'value="amount &gt; 10000"' in html
    assert '<img src="/designer/general_approval/v1.svg"' in html
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["steps"].append({**table["steps"][0], "id": "board", "name": "委员会", "mode": "majority",
                           "skip_initiator": False, "assignee_strategy": "users",
                           "assignee_value": "lisi,zhouqiang,lijun", "deadline_duration": "",
                           "deadline_action": "", "condition": ""})
    r = client.post("/designer/general_approval/table", data=form_of(table, token))
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/general_approval/versions")
    v2 = versions.get_version(org.db, org["admin"], general)
    assert v2["version"] == 2
    assert to_table(v2["bpmn_xml"].encode())["steps"] == table["steps"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "v2" in page and "/designer/general_approval/v2.svg" in page


def test_bad_input_says_what_to_fix_and_deploys_nothing(client, org, general):
    token = signed_in(client, "admin")
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["steps"][1].update(mode="ratio", threshold="", condition="__import__('os')")
    table["steps"][0].update(name="", assignee_strategy="users", assignee_value="")
    r = client.post("/designer/general_approval/table", data=form_of(table, token))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was deployed" in html or "未部署" in html
    assert html.count('class="step-row has-error"') == 2
    assert "0.6" in html  # the threshold hint
    assert len(versions.list_versions(org.db, org["admin"], general)) == 1


def test_deploy_problems_from_the_engine_are_shown_by_step(client, org, general):
    token = signed_in(client, "admin")
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["steps"][1]["form"] = "no_such_form"
    r = client.post("/designer/general_approval/table", data=form_of(table, token))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r"(Step 2|第 2 步) \(部门负责人审批\): [^<]*no_such_form", html)
    assert len(versions.list_versions(org.db, org["admin"], general)) == 1


def test_new_process_from_the_table_and_taken_key(client, org, general):
    token = signed_in(client, "admin")
    assert client.get("/designer/new/table").status_code == 200
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["process"].update(key="general_approval", name="重复")
    r = client.post("/designer/new/table", data=form_of(table, token))
    assert r.status_code == 422 and "general_approval" in r.get_data(as_text=True)
    table["process"].update(key="purchase", name="采购审批")
    r = client.post("/designer/new/table", data=form_of(table, token))
    assert r.status_code == 302
    assert versions.get_version(org.db, org["admin"], "purchase")["name"] == "采购审批"


def test_open_as_diagram_saves_a_draft_and_goes_to_the_modeler(client, org, general):
    from engine.design import drafts

    token = signed_in(client, "admin")
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["steps"][0]["name"] = "主管审批"
    r = client.post("/designer/general_approval/table", data=form_of(table, token, "diagram"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/general_approval/edit")
    draft = drafts.get_draft(org.db, org["admin"], "general_approval")
    assert to_table(draft["bpmn_xml"].encode())["steps"][0]["name"] == "主管审批"
    assert len(versions.list_versions(org.db, org["admin"], general)) == 1


def test_a_process_that_is_not_a_chain_shows_its_main_path_read_only_and_offers_the_diagram(client, org):
    definitions.deploy(org.db, (BPMN / "contract_countersign.bpmn").read_bytes(), None)
    signed_in(client, "admin")
    html = client.get("/designer/contract_countersign/table").get_data(as_text=True)
    rows = re.findall(r'<tr data-step="(\w+)" data-kind="(\w+)"', html)
    assert rows == [("submit", "service"), ("countersign", "approval"), ("gm_approval", "approval"),
                    ("mark_signed", "service")]
    assert "系统步骤（服务任务）" in html and "会签" in html  # in the admin's language
    assert "驳回时：合同驳回 → 已驳回。" in html  # the rejection branch, in words
    assert 'href="/designer/contract_countersign/edit"' in html
    assert 'name="steps-0-name"' not in html  # read-only: no table form to post


def test_problems_are_in_the_user_language_and_a_diagram_is_never_overwritten_by_a_table(client, org):
    definitions.deploy(org.db, (BPMN / "general_approval.bpmn").read_bytes(), None)
    definitions.deploy(org.db, (BPMN / "contract_countersign.bpmn").read_bytes(), None)
    token = signed_in(client, "admin")
    table = to_table((BPMN / "general_approval.bpmn").read_bytes())
    table["steps"][0]["deadline_duration"] = "2 days"
    html = client.post("/designer/general_approval/table", data=form_of(table, token)).get_data(as_text=True)
    assert "时限须为 ISO-8601 时长" in html  # the admin's language is Chinese
    table["process"]["key"] = "contract_countersign"
    r = client.post("/designer/contract_countersign/table", data=form_of(table, token))
    assert r.status_code == 409
    assert len(versions.list_versions(org.db, org["admin"], "contract_countersign")) == 1


def test_a_new_process_can_start_from_the_steps_of_another(client, org, general):
    signed_in(client, "admin")
    html = client.get("/designer/general_approval/table").get_data(as_text=True)
    assert 'href="/designer/new/table?from=general_approval"' in html
    html = client.get("/designer/new/table?from=general_approval").get_data(as_text=True)
    assert 'name="process-key" value=""' in html and 'value="直属主管审批"' in html
    assert 'value="amount &gt; 10000"' in html
