"""Enabled library processes on the start page: each one by its category, its start form page
carries its form (with the English labels) and the picker options the user may pick — the asset
picker offers only assets in stock, 归还 only the assets the user holds, 归档 only archivable
documents."""
from __future__ import annotations

import json
import re

from bpmn import gallery
from crm import assets, documents
from tests.api.library.helpers import deploy_library
from tests.web.conftest import signed_in

KEYS = [e.key for e in gallery.entries()]


def config_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="start-config">(.*?)</script>', html, re.S)
    assert m, "the page carries no start config"
    return json.loads(m.group(1))


def test_every_enabled_library_process_is_on_the_start_page_with_its_form(org, client):
    deploy_library(org, *KEYS)
    signed_in(client, "clerk")
    html = client.get("/start").get_data(as_text=True)
    for e in gallery.entries():
        assert f'href="/start/{e.key}"' in html, e.key
        assert f"<h2>{e.category}</h2>" in html, e.category
        config = config_of(client.get(f"/start/{e.key}").get_data(as_text=True))
        fields = [c for c in _components(config["schema"]) if c.get("key") or c.get("path")]
        assert config["schema"]["id"] in e.forms and len(fields) >= 3, e.key
        assert all((c.get("properties") or {}).get("label_en") for c in fields), f"{e.key}: English labels"


def _components(schema: dict) -> list[dict]:
    out: list[dict] = []

    def walk(items: list[dict]) -> None:
        for c in items or []:
            out.append(c)
            walk(c.get("components", []))

    walk(schema.get("components", []))
    return out


def test_the_office_pickers_offer_what_may_be_picked(org, client):
    deploy_library(org, "asset_request", "asset_return", "doc_archive")
    with org.db.uow(write=True) as s:
        free = assets.create(s, "ZC-1", "投影仪").id
        held = assets.create(s, "ZC-2", "笔记本").id
        assets.reserve(s, held, 1)
        assets.hand_out(s, held, org["clerk"], "issue", None, 1)
        doc = documents.issue_outgoing(s, "年度总结", "report", 2, org["clerk"])["document_id"]
        documents.register_incoming(s, "来文", "市局", "x", 3, org["clerk"])  # received: not archivable yet
    signed_in(client, "clerk")
    values = {key: [o["value"] for o in config_of(client.get(f"/start/{key}").get_data(as_text=True))["options"][vk]]
              for key, vk in (("asset_request", "assets"), ("asset_return", "my_assets"), ("doc_archive", "documents"))}
    assert values == {"asset_request": [free], "asset_return": [held], "doc_archive": [doc]}
