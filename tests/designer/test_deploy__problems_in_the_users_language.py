"""The designer's validate and deploy endpoints answer problems in the user's language (a coded
problem by its code, any other under a translated heading) and mark the element; process admins
deploy from the designer."""
from __future__ import annotations

from pathlib import Path

from crm import directory
from engine.design import catalog
from tests.designer.test_endpoints__designer_api import call, error_of
from tests.org import PASSWORD
from tests.web.conftest import signed_in

GENERAL = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_text(encoding="utf-8")
TYPO = GENERAL.replace("and amount &gt; 10000", "and amout &gt; 10000")
DEPLOY = "/designer/api/processes/general_approval/deploy"


def test_a_typo_is_refused_in_chinese_naming_the_flow(org, client):
    token = signed_in(client, "admin")
    err = error_of(call(client, "POST", DEPLOY, token, {"xml": TYPO}), 422)
    (p,) = err["problems"]
    assert p["element_id"] == "to_head"
    assert "“amout”在此处不存在" in p["message"] and "是否想写“amount”" in p["message"], p["message"]
    assert err["fields"]["to_head"] == p["message"]
    assert catalog.list_definitions(org.db, 0, 10)[1] == 0

    r = call(client, "POST", "/designer/api/validate", token, {"xml": GENERAL.replace("and amount &gt; 10000", "and amount &gt;&gt; 10000")})
    (p,) = r.get_json()["problems"]
    assert p["element_id"] == "to_head" and "运算符“>>”对表单值没有意义" in p["message"], p["message"]


def test_in_english_the_same_problem_is_english(org, client):
    token = signed_in(client, "admin")
    client.post("/language", data={"locale": "en", "csrf_token": token})
    r = call(client, "POST", "/designer/api/validate", token, {"xml": TYPO})
    (p,) = r.get_json()["problems"]
    assert "“amout” does not exist at this point" in p["message"] and "“amount”" in p["message"], p["message"]


def test_the_lz_problems_are_translated_by_their_code(org, client):
    token = signed_in(client, "admin")
    r = call(client, "POST", "/designer/api/validate", token,
             {"xml": GENERAL.replace('mode="any"', 'mode="most"', 1)})
    assert any(p["message"].startswith("未知的审批方式（lz:approval mode）“most”")
               for p in r.get_json()["problems"]), r.get_json()


def test_a_problem_without_a_code_gets_a_chinese_heading(app):
    from core.errors import Problem
    from designer.problems import as_dicts
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        (p,) = as_dicts([Problem("t1", "something a library said", "parser")])
    assert p["message"] == "解析：something a library said"


def test_a_process_admin_deploys_from_the_designer(org, client):
    directory.create_user(org.db, org["admin"], {"username": "pa", "display_name": "流程管理员甲",
                                                 "password": PASSWORD, "roles": ["process_admin"]})
    token = signed_in(client, "pa")
    r = call(client, "POST", DEPLOY, token, {"xml": GENERAL})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["version"] == 1 and r.get_json()["message"] == "已部署为版本 1。"
