"""The designer's reads of a process's versions and copies of a version under a new key (a
process used as a template, 基于模板的流程定义). Each use case owns its transaction and is for
designers only (engine.design.access: admins and process admins), like the designer pages.

What changed between two versions is bpmn.diff (no database).
"""
from __future__ import annotations

import re
from typing import Any

from bpmn.diff import node_count, rename_process
from core.errors import Msg, NotFound, ValidationFailed
from crm.models import User
from db.session import Database
from engine.design import catalog, definitions
from engine.design.access import require_designer

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def list_versions(db: Database, actor_id: int, key: str) -> list[dict[str, Any]]:
    """Every version of `key`, newest first: {version, name, deployed_at, deployed_by, nodes}."""
    with db.uow() as s:
        require_designer(s, actor_id)
        rows = definitions.versions(s, key)
        out = []
        for d in rows:
            who = s.get(User, d.deployed_by_id) if d.deployed_by_id else None
            out.append({**definitions.definition_dict(d),
                        "deployed_by": who.display_name if who else "",
                        "deployed_by_username": who.username if who else "",
                        "nodes": node_count(d.bpmn_xml.encode("utf-8"))})
        return out


def get_version(db: Database, actor_id: int, key: str, version: int | None = None) -> dict[str, Any]:
    """One version (the latest when `version` is None) with its BPMN XML."""
    with db.uow() as s:
        require_designer(s, actor_id)
        rows = definitions.versions(s, key)
        for d in rows:
            if version is None or d.version == version:
                who = s.get(User, d.deployed_by_id) if d.deployed_by_id else None
                return {**definitions.definition_dict(d, with_xml=True),
                        "deployed_by": who.display_name if who else ""}
    raise NotFound(f"process '{key}' has no version {version}")


def key_in_use(db: Database, actor_id: int, key: str) -> bool:
    """Whether a process `key` is deployed."""
    with db.uow() as s:
        require_designer(s, actor_id)
        return definitions.latest_version(s, key) is not None


def copy_as_new_process(db: Database, actor_id: int, key: str, version: int, new_key: str,
                        new_name: str) -> dict[str, Any]:
    """Deploy version `version` of `key` as version 1 of a new process `new_key`.

    Raises ValidationFailed (fields new_key / new_name) for a bad or taken key, DefinitionInvalid
    when the copy does not deploy."""
    new_key, new_name = (new_key or "").strip(), (new_name or "").strip()
    fields: dict[str, str] = {}
    if not NCNAME.match(new_key):
        fields["new_key"] = Msg("key_format", "must start with a letter or '_' and contain only letters, digits, "
                                "'_', '-', '.'")
    elif key_in_use(db, actor_id, new_key):
        fields["new_key"] = Msg("key_taken", f"'{new_key}' is already used by another process", key=new_key)
    if not new_name:
        fields["new_name"] = Msg("name_missing", "the new process needs a name")
    if fields:
        raise ValidationFailed("the copy cannot be made", fields)
    source = get_version(db, actor_id, key, version)
    xml = rename_process(source["bpmn_xml"].encode("utf-8"), new_key, new_name)
    d, _created = catalog.deploy_definition(db, actor_id, xml)
    return d
