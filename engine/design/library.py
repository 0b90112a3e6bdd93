"""The gallery's use cases (流程库, /designer/gallery): what the library (bpmn.gallery) holds and
which of it is enabled, and the three things a designer does with a library process —

- enable: deploy the library file as it is (forms from forms/schemas/), so clerks can start it;
- copy: save the file as a draft under a new key and name, to be adapted and deployed as a
  process of its own (the library file stays as it is);
- adapt: open it in the modeler — the deployed process when it is enabled or has a draft,
  else a new draft of the library file under its own key.

For designers only (engine.design.access: admins and process admins). Each use case owns its
transaction through the catalog / drafts / versions use cases it calls.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from bpmn import gallery
from bpmn.diff import rename_process
from core.errors import Msg, NotFound, ValidationFailed
from db.session import Database
from engine.design import catalog, definitions, drafts
from engine.design.access import require_designer
from engine.design.versions import NCNAME


def _file(key: str) -> bytes:
    xml = gallery.xml(key)
    if xml is None:
        raise NotFound(f"no library process '{key}'")
    return xml


def list_library(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """Every library process with `enabled` (the latest deployed version of its key, or None),
    `draft` (a draft of its key exists) and `current` (the latest version is the library file)."""
    with db.uow() as s:
        require_designer(s, actor_id)
        out = []
        for e in gallery.entries():
            latest = definitions.latest_version(s, e.key)
            current = latest is not None and latest.checksum == hashlib.sha256(_file(e.key)).hexdigest()
            out.append({**asdict(e), "enabled": latest.version if latest else None, "current": current,
                        "draft": drafts.draft_exists(s, e.key)})
        return out


def enable(db: Database, actor_id: int, key: str) -> tuple[dict[str, Any], bool]:
    """Deploy library process `key` (created False: that file already is its latest version)."""
    return catalog.deploy_definition(db, actor_id, _file(key))


def copy(db: Database, actor_id: int, key: str, new_key: str, new_name: str) -> dict[str, Any]:
    """A draft of library process `key` under `new_key` / `new_name` (ValidationFailed naming
    new_key / new_name when the key is malformed or taken by a process or a draft)."""
    xml = _file(key)
    new_key, new_name = (new_key or "").strip(), (new_name or "").strip()
    fields: dict[str, Any] = {}
    if not NCNAME.match(new_key) or len(new_key) > 200:
        fields["new_key"] = Msg("key_format", "must start with a letter or '_' and contain only letters, digits, "
                                "'_', '-', '.'")
    else:
        with db.uow() as s:
            require_designer(s, actor_id)
            taken = (definitions.latest_version(s, new_key) is not None or drafts.draft_exists(s, new_key)
                     or gallery.get(new_key) is not None)
        if taken:
            fields["new_key"] = Msg("key_taken", f"'{new_key}' is already used by another process", key=new_key)
    if not new_name:
        fields["new_name"] = Msg("name_missing", "the new process needs a name")
    elif len(new_name) > 200:
        fields["new_name"] = "at most 200 characters"
    if fields:
        raise ValidationFailed("the copy cannot be made", fields)
    return drafts.save_draft(db, actor_id, new_key, rename_process(xml, new_key, new_name).decode("utf-8"))


def adapt(db: Database, actor_id: int, key: str) -> str:
    """The key to open in the modeler: `key` itself, with a draft of the library file saved first
    when the process is neither deployed nor drafted yet."""
    xml = _file(key)
    with db.uow() as s:
        require_designer(s, actor_id)
        exists = definitions.latest_version(s, key) is not None or drafts.draft_exists(s, key)
    if not exists:
        drafts.save_draft(db, actor_id, key, xml.decode("utf-8"))
    return key
