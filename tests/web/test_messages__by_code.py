"""Pages translate the messages of the layers below by their code (core.errors.Msg), never by
matching English text: the API keeps answering the English text, a page shows the user's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import Msg
from crm import records as rs
from engine.design import definitions
from forms.validate import check_value
from tests.web.conftest import signed_in
from web.messages import FIELD_MESSAGES, MESSAGES, translate, translate_fields

LEAVE = (Path(__file__).resolve().parents[2] / "bpmn" / "leave_request.bpmn").read_bytes()


def in_language(app, locale: str, fn):
    with app.test_request_context("/", headers={"Accept-Language": locale}):
        return fn()


def test_a_message_with_a_known_code_is_shown_in_the_users_language_with_its_params(app):
    m = Msg("min_length", "must be at least 3 characters", min=3)
    assert in_language(app, "zh", lambda: translate(m)) == "至少 3 个字符。"
    assert in_language(app, "en", lambda: translate(m)) == "At least 3 characters."


def test_plain_text_and_unknown_codes_are_shown_as_they_are(app):
    assert in_language(app, "zh", lambda: translate("something the server said")) == "something the server said"
    assert in_language(app, "zh", lambda: translate(Msg("no_such_code", "as it is"))) == "as it is"


def test_a_field_may_word_a_code_its_own_way(app):
    fields = {"comment": Msg("required", "required"), "data.comment": Msg("required", "is required")}
    assert in_language(app, "zh", lambda: translate_fields(fields)) == {
        "comment": "请填写审批意见，说明原因。", "data.comment": "此项必填。"}


def test_every_code_has_a_chinese_translation(app):
    msgids = [*MESSAGES.values(), *FIELD_MESSAGES.values()]
    params = {"min": 1, "max": 2, "left": 3, "label": "年假", "requested": 4, "user": "u", "roles": "r", "key": "k",
              "retry_after": 5, "max_mb": 5, "accept": ".pdf", "max_kb": 200,  # files and signatures
              # the expression checks (bpmn/expressions.py)
              "source": "s", "name": "n", "suggestion": "g", "expr": "e", "keys": "ks", "attr": "a",
              "operator": ">>", "hint": ">=", "literal": "1",
              "pattern": "^[0-9]{4}$",  # the data dictionary (crm/admin/options.py)
              "process": "p", "entry": "x:y"}  # lz:process starters= (bpmn/starters.py)
    # the deploy problems (bpmn/problem_texts.py) name many more: element ids, texts, numbers
    params.update({name: f"<{name}>" for msgid in msgids for name in re.findall(r"%\((\w+)\)s", msgid)
                   if name not in params})

    def rendered():
        from flask_babel import gettext
        return [(msgid, gettext(msgid, **params) if "%(" in msgid else gettext(msgid)) for msgid in msgids]

    untranslated = [msgid for msgid, text in in_language(app, "zh", rendered) if text == msgid % params]
    assert untranslated == []


def test_every_deploy_problem_has_a_code_in_the_table_and_its_text_is_the_msgid():
    from bpmn.problem_texts import TEXTS, pm
    assert all(MESSAGES[code] == msgid for code, msgid in TEXTS.items())
    m = pm("lz_deadline_action", action="shout", expected="remind, escalate")
    assert (m, m.code, m.params) == ("lz:deadline action 'shout' is not one of remind, escalate",
                                     "lz_deadline_action", {"action": "shout", "expected": "remind, escalate"})
    import pickle
    m = pm("expr_juel", what="condition", text="${a}")  # a param named like Msg's own arguments
    assert (pickle.loads(pickle.dumps(m)).params, pickle.loads(pickle.dumps(m))) == (m.params, m)


def test_a_coded_param_is_translated_inside_its_message(app):
    from bpmn.problem_texts import pm
    m = pm("expr_empty", what=pm("what_condition"))
    assert m == "condition is empty"
    assert in_language(app, "zh", lambda: translate(m)) == "条件为空。"


def test_form_validation_messages_carry_their_code_and_keep_their_english_text():
    m = check_value({"type": "textfield", "key": "t", "validate": {"maxLength": 2}}, "abc")
    assert (m, m.code, m.params) == ("must be at most 2 characters", "max_length", {"max": 2})
    m = check_value({"type": "number", "key": "n", "validate": {"min": 5}}, 1)
    assert (m, m.code, m.params) == ("must be at least 5", "min_value", {"min": 5})


@pytest.fixture
def leave(org):
    definitions.deploy(org.db, LEAVE, org["admin"])
    rs.create(org.db, org["hr1"], "leave_balance", {"user": "clerk", "leave_type": "annual", "days": "2"})
    return org


def leave_data(start: str, end: str) -> dict:
    return {"leave_type": "annual", "start_date": start, "start_half": "am", "end_date": end, "end_half": "pm",
            "reason": "探亲"}


def test_the_start_page_gets_the_leave_refusals_in_the_users_language(leave, client):
    token = signed_in(client, "clerk")
    r = client.post("/start/leave_request", json={"process": "leave_request", "data": leave_data("2026-03-05",
                                                                                                 "2026-03-02")},
                    headers={"X-CSRFToken": token, "Accept-Language": "zh"})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"]["data.end_date"] == "结束时间不能早于开始时间。"
    r = client.post("/start/leave_request", json={"data": leave_data("2026-03-02", "2026-03-06")},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"]["data.leave_type"] == "假期余额不足：年假剩余 2.0 天，本次申请 5 天。"
    # the API answers the same refusal in English, as before
    r = client.post("/api/v1/process-instances", json={"process": "leave_request",
                                                       "data": leave_data("2026-03-02", "2026-03-06")},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"]["data.leave_type"] == \
        "insufficient balance: 2.0 day(s) of annual (年假) left, 5 requested"


def test_the_start_page_starts_the_process(leave, client):
    token = signed_in(client, "clerk")
    r = client.post("/start/leave_request", json={"data": leave_data("2026-03-02", "2026-03-02")},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["business_key"].startswith("QJ-")


def test_the_organisation_pages_show_refusals_with_their_parameters(org, client):
    token = signed_in(client, "admin")
    r = client.post("/admin/users/new", data={"csrf_token": token, "username": "newbie", "display_name": "新人",
                                              "password": "long enough", "supervisor": "nobody_here",
                                              "roles": ["no_such_role"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "没有用户“nobody_here”。" in html and "未知角色：no_such_role。" in html
