"""Use cases on the catalogue of deployed process definitions. Each owns its transaction."""
from __future__ import annotations

from typing import Any

from core.errors import Forbidden, NotFound
from crm.admin import syslog
from db.session import Database
from engine.design import definitions
from engine.design.access import require_designer


def list_definitions(db: Database, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The latest version of every process, ordered by category and key (neither BPMN nor forms loaded)."""
    with db.uow() as s:
        rows, total = definitions.list_latest(s, offset, limit, light=True)
        return [definitions.definition_dict(d) for d in rows], total


def get_definition(db: Database, key: str) -> dict[str, Any]:
    """The latest version of `key` with the list of all its versions (newest first)."""
    if not isinstance(key, str) or not key:
        raise NotFound("no process key given")
    with db.uow() as s:
        rows = definitions.versions(s, key)
        return {**definitions.definition_dict(rows[0]), "versions": [definitions.definition_dict(d) for d in rows]}


def get_version(db: Database, key: str, version: int | None = None) -> dict[str, Any]:
    """One version of `key` (the latest when `version` is None) with its BPMN XML and form schemas."""
    if not isinstance(key, str) or not key:
        raise NotFound("no process key given")
    with db.uow() as s:
        rows = definitions.versions(s, key)
        chosen = rows[0] if version is None else next((d for d in rows if d.version == version), None)
        if chosen is None:
            raise NotFound(f"process '{key}' has no version {version}")
        return {**definitions.definition_dict(chosen, with_xml=True), "forms": dict(chosen.forms or {})}


def deploy_definition(db: Database, actor_id: int, xml: bytes,
                      forms: dict[str, Any] | None = None) -> tuple[dict[str, Any], bool]:
    """Validate and deploy a BPMN file as an admin or a process admin (the people who design
    processes deploy them, as in most BPM products). (definition dict, created): created is False when the
    same file already is the latest version. `forms` ({key: form-js schema}) override the library's
    forms of the same key (see definitions.compile_definition)."""
    with db.uow() as s:
        try:
            require_designer(s, actor_id)
        except Forbidden as e:
            raise Forbidden("only administrators and process administrators may deploy process definitions",
                            reason="deploy_forbidden") from e
    d, created = definitions.deploy(db, xml, actor_id, forms)
    out = {**definitions.definition_dict(d), "warnings": getattr(d, "deploy_warnings", []),
           "translations": getattr(d, "deploy_translations", [])}
    if created:  # the system log (crm/admin/syslog.py): who deployed which definition
        syslog.record_in(db, actor_id, "definition.deploy", "definition", f"{out['key']} v{out['version']}",
                         {"name": out.get("name"), "checksum": getattr(d, "checksum", None)})
    return out, created
