"""Record cards (crm/records/cards.py): the records a process instance is about, as one user may
see them — the same data permissions as records.get; otherwise what the process recorded."""
from __future__ import annotations

from crm import records as rs
from crm.records.cards import Viewer


def _contract(org):
    customer = rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    return rs.create(org.db, org["clerk"], "contract",
                     {"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})


def test_a_card_within_reach_shows_the_record_with_money_and_people_in_words(org):
    contract = _contract(org)
    with org.db.uow() as s:
        (card,) = Viewer(s, org["sales_lead"]).cards({"contract_id": contract["id"]}, 0, [])
    fields = dict(card["fields"])
    assert card["kind"] == "contract" and card["label"] == f"年度测绘服务 ({contract['number']})"
    assert fields["amount"] == "250,000.00" and fields["customer_name"].startswith("华北测绘院")
    assert fields["owner"] == "张三", "the salesperson by name"
    assert "snapshot" not in card


def test_out_of_reach_the_card_is_what_the_process_recorded_or_nothing(org):
    contract = _contract(org)
    data = {"contract_id": contract["id"], "review": {"result": {"contract_id": contract["id"], "title": "提交时标题",
                                                                 "number": contract["number"]}}}
    with org.db.uow() as s:
        viewer = Viewer(s, org["clerk2"])
        assert viewer.record("contract", contract["id"]) is None
        (card,) = viewer.cards(data, 0, [])
        assert card["snapshot"] is True and card["label"] == f"提交时标题 ({contract['number']})"
        assert viewer.cards({"contract_id": contract["id"]}, 0, []) == []
        assert viewer.label("contract", contract["id"]) == f"#{contract['id']}"


def test_hidden_fields_stay_off_the_card(org):
    contract = _contract(org)
    with org.db.uow() as s:
        assert Viewer(s, org["clerk"]).cards({"contract_id": contract["id"]}, 0, ["contract_id"]) == []
        (card,) = Viewer(s, org["clerk"]).cards({"contract_id": contract["id"]}, 0, ["amount"])
    assert "amount" not in dict(card["fields"])
