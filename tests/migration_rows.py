"""Rows a migration test writes into a schema at an older revision, through reflection (the app's
models describe the newest schema only): the user and the process definition its instances need."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, insert


def user_and_definition(conn: Any, meta: MetaData, at: datetime) -> tuple[int, int]:
    """Insert the clerk and a one-version process `p` (prefix P); their ids."""
    user, definition = meta.tables["user_account"], meta.tables["process_definition"]
    uid = conn.execute(insert(user).values(username="clerk", display_name="张三", password_hash="x",
                                           active=True, locale="zh", created_at=at)).inserted_primary_key[0]
    did = conn.execute(insert(definition).values(
        key="p", version=1, name="p", name_en="", category="", prefix="P", mode="fixed", bpmn_xml="<x/>",
        spec_json="{}", config={}, forms={}, checksum="c", deployed_at=at)).inserted_primary_key[0]
    return int(uid), int(did)
