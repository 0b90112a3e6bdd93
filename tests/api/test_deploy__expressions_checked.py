"""POST /process-definitions checks every expression against what can exist at that point
(bpmn/expression_scope.py): a typo in a condition or a bit shift on an amount is a 422 naming the
element and the name / operator, and nothing is stored. Process admins deploy too."""
from __future__ import annotations

from pathlib import Path

from crm import directory
from tests.api.conftest import API, assert_error, deploy, login
from tests.org import PASSWORD

GENERAL = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_bytes()
LEAVE = (Path(__file__).resolve().parents[2] / "bpmn" / "leave_request.bpmn").read_bytes()


def _nothing_stored(client, key: str = "general_approval") -> None:
    assert_error(client.get(f"{API}/process-definitions/{key}", headers=login(client, "admin")), 404)


def test_a_typo_in_a_condition_is_422_naming_the_flow_and_the_name(client):
    xml = GENERAL.replace(b'and amount &gt; 10000', b'and amout &gt; 10000')
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    (p,) = err["problems"]
    assert p["element_id"] == "to_head" and p["rule"] == "expression"
    assert "'amout'" in p["message"] and "did you mean 'amount'" in p["message"]
    assert "amout" in err["fields"]["to_head"]
    _nothing_stored(client)


def test_a_bit_shift_on_an_amount_is_422_naming_the_flow_and_the_operator(client):
    xml = GENERAL.replace(b'and amount &lt;= 10000', b'and amount &gt;&gt; 10000')
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    (p,) = err["problems"]
    assert p["element_id"] == "to_approved_1" and "'>>'" in p["message"]
    _nothing_stored(client)


def test_attribute_access_on_a_step_result_is_refused_with_the_fix(client):
    xml = GENERAL.replace(b'head_approval["outcome"] == "approved"', b'head_approval.outcome == "approved"')
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    (p,) = err["problems"]
    assert p["element_id"] == "to_approved_2" and 'head_approval["outcome"]' in p["message"]


def test_a_condition_reading_a_later_step_is_refused(client):
    xml = GENERAL.replace(b'supervisor_approval["outcome"] == "approved" and amount &gt; 10000',
                          b'head_approval["outcome"] == "approved" and amount &gt; 10000')
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    assert [(p["element_id"], "head_approval" in p["message"]) for p in err["problems"]] == [("to_head", True)]


def test_a_typo_in_an_lz_arg_is_refused_naming_the_service_task(client):
    xml = LEAVE.replace(b'<lz:arg name="leave_type" expr="leave_type"/>',
                        b'<lz:arg name="leave_type" expr="leave_typ"/>', 1)
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    (p,) = err["problems"]
    assert p["element_id"] == "check" and "'leave_typ'" in p["message"] and "lz:arg 'leave_type'" in p["message"]
    _nothing_stored(client, "leave_request")


def test_the_shipped_file_deploys_and_a_process_admin_may_deploy(org, client):
    directory.create_user(org.db, org["admin"], {"username": "pa", "display_name": "流程管理员甲",
                                                 "password": PASSWORD, "roles": ["process_admin"]})
    r = deploy(client, GENERAL, user="pa")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["key"] == "general_approval"
    assert_error(deploy(client, GENERAL.replace(b"10000", b"20000"), user="clerk"), 403, "forbidden")
    got = client.get(f"{API}/process-definitions/general_approval", headers=login(client, "admin")).get_json()
    assert [v["version"] for v in got["versions"]] == [1]
