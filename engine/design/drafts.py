"""Designer drafts: the BPMN XML and form schemas an admin is working on, one per process key.

A draft is not a version. Saving never validates the BPMN beyond "well-formed XML whose process
id is the draft's key" (work in progress may be incomplete); its forms must be usable form-js
schemas (forms.validate.check_schema). `deploy_draft` turns it into a new version through
catalog.deploy_definition, with the draft's forms. Admins and process admins only.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.lz import BPMN_NS, parse_xml
from bpmn.problem_texts import pm
from core.errors import DefinitionInvalid, NotFound, ValidationFailed
from crm.models import User
from db.base import iso, utcnow
from db.session import Database
from engine.design import catalog, definitions
from engine.design.access import require_designer
from engine.models import ProcessDraft
from forms.schema_texts import fm, joined
from forms.validate import check_schema

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")
FORM_KEY = re.compile(definitions.FORM_KEY)


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValidationFailed(pm("draft_key"), {"key": pm("draft_key_format")})
    return key


def process_ids(xml: str | bytes) -> list[str]:
    """The ids of the bpmn:process elements of a document; raises ValidationFailed when it is not BPMN XML."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = parse_xml(raw)
    except etree.XMLSyntaxError as e:
        raise ValidationFailed(pm("draft_xml_not_well_formed"), {"xml": pm("xml_not_well_formed", detail=e)}) from e
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise ValidationFailed(pm("draft_not_bpmn"), {"xml": pm("draft_root")})
    return [p.get("id") or "" for p in root.iter(f"{{{BPMN_NS}}}process")]


def _check_xml(key: str, xml: Any) -> str:
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed(pm("draft_xml_missing"), {"xml": pm("draft_xml_required")})
    if len(xml.encode("utf-8")) > definitions.MAX_BPMN_BYTES:
        raise ValidationFailed(pm("draft_xml_too_large"),
                               {"xml": pm("draft_larger", kb=definitions.MAX_BPMN_BYTES // 1024)})
    ids = process_ids(xml)
    if key not in ids:
        found = ", ".join(ids)
        raise ValidationFailed(pm("draft_key_not_in_xml"), {"key": pm(
            "draft_key_not_a_process" if found else "draft_key_not_a_process_none", key=key, found=found)})
    return xml


def check_forms(forms: Any) -> dict[str, Any]:
    """{form key: schema}; raises ValidationFailed naming `forms.<key>` for each unusable schema."""
    if not isinstance(forms, dict):
        raise ValidationFailed(pm("draft_forms_object"), {"forms": pm("draft_forms_object_field")})
    fields: dict[str, str] = {}
    for key, schema in forms.items():
        if not isinstance(key, str) or not FORM_KEY.fullmatch(key):
            fields[f"forms.{key}"] = fm("form_key_format")
            continue
        problems = check_schema(schema)
        if problems:
            fields[f"forms.{key}"] = joined(problems)
    if fields:
        raise ValidationFailed(pm("draft_forms_unusable", count=len(fields)), fields)
    return dict(forms)


def _draft_dict(d: ProcessDraft, user: User | None) -> dict[str, Any]:
    return {"key": d.key, "bpmn_xml": d.bpmn_xml, "forms": dict(d.forms or {}),
            "updated_by": user.username if user else None, "updated_at": iso(d.updated_at)}


def _get(s: Session, key: str) -> ProcessDraft | None:
    return s.scalars(select(ProcessDraft).where(ProcessDraft.key == key)).first()


def save_draft(db: Database, actor_id: int, key: str, xml: str, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create or replace the draft of `key`. `forms=None` keeps the draft's forms as they are."""
    key = _check_key(key)
    xml = _check_xml(key, xml)
    checked = check_forms(forms) if forms is not None else None
    with db.uow(write=True) as s:
        user = require_designer(s, actor_id)
        d = _get(s, key)
        if d is None:
            d = ProcessDraft(key=key, bpmn_xml=xml, forms=checked or {})
            s.add(d)
        else:
            d.bpmn_xml = xml
            if checked is not None:
                d.forms = checked
        d.updated_by_id, d.updated_at = user.id, utcnow()
        s.flush()
        return _draft_dict(d, user)


def save_draft_form(db: Database, actor_id: int, key: str, form_key: str, schema: Any) -> dict[str, Any]:
    """Put one form into the draft of `key`. Without a draft, one is started from the latest
    deployed version (its XML and forms)."""
    key = _check_key(key)
    checked = check_forms({form_key: schema})
    with db.uow(write=True) as s:
        user = require_designer(s, actor_id)
        d = _get(s, key)
        if d is None:
            latest = definitions.latest_version(s, key)
            if latest is None:
                raise NotFound(pm("draft_none_save_first", key=key), {"key": pm("draft_none_field")})
            d = ProcessDraft(key=key, bpmn_xml=latest.bpmn_xml, forms=dict(latest.forms or {}))
            s.add(d)
        d.forms = {**(d.forms or {}), **checked}
        d.updated_by_id, d.updated_at = user.id, utcnow()
        s.flush()
        return _draft_dict(d, user)


def get_draft(db: Database, actor_id: int, key: str) -> dict[str, Any] | None:
    with db.uow() as s:
        require_designer(s, actor_id)
        d = _get(s, key) if isinstance(key, str) else None
        return _draft_dict(d, s.get(User, d.updated_by_id) if d.updated_by_id else None) if d else None


def delete_draft(db: Database, actor_id: int, key: str) -> bool:
    """Discard the draft of `key`; False when there was none."""
    with db.uow(write=True) as s:
        require_designer(s, actor_id)
        d = _get(s, key) if isinstance(key, str) else None
        if d is None:
            return False
        s.delete(d)
        return True


def list_drafts(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """Every draft without its XML: key, updated_by, updated_at (for the process list)."""
    with db.uow() as s:
        require_designer(s, actor_id)
        rows = s.scalars(select(ProcessDraft).order_by(ProcessDraft.key))
        return [{k: v for k, v in _draft_dict(d, s.get(User, d.updated_by_id) if d.updated_by_id else None).items()
                 if k not in ("bpmn_xml", "forms")} for d in rows]


def load_for_editing(db: Database, actor_id: int, key: str) -> dict[str, Any]:
    """What the modeler opens: the draft when there is one, else the latest deployed version.
    {key, source: "draft"|"deployed", bpmn_xml, forms, version (latest deployed or None)}."""
    draft = get_draft(db, actor_id, key)
    try:
        latest: dict[str, Any] | None = catalog.get_version(db, key)
    except NotFound:
        latest = None
    if draft is None and latest is None:
        raise NotFound(pm("draft_none", key=key))
    version = latest["version"] if latest else None
    if draft is not None:
        return {"key": key, "source": "draft", "bpmn_xml": draft["bpmn_xml"], "forms": draft["forms"],
                "version": version, "updated_at": draft["updated_at"], "updated_by": draft["updated_by"]}
    assert latest is not None
    return {"key": key, "source": "deployed", "bpmn_xml": latest["bpmn_xml"], "forms": latest["forms"],
            "version": version}


def form_for_editing(db: Database, actor_id: int, key: str, form_key: str) -> dict[str, Any]:
    """The schema the form editor starts from: the draft's, else the latest deployed version's,
    else forms/schemas/<form_key>.json, else an empty form. {form_key, source, schema}."""
    if not isinstance(form_key, str) or not FORM_KEY.fullmatch(form_key):
        raise ValidationFailed(pm("draft_form_key"), {"form_key": pm("draft_form_key_format")})
    draft = get_draft(db, actor_id, key)
    if draft and form_key in draft["forms"]:
        return {"form_key": form_key, "source": "draft", "schema": draft["forms"][form_key]}
    try:
        latest = catalog.get_version(db, key)
        if form_key in latest["forms"]:
            return {"form_key": form_key, "source": "deployed", "schema": latest["forms"][form_key]}
    except NotFound:
        pass
    from forms import library

    schema, _ = library.load(form_key)
    if schema is not None:
        return {"form_key": form_key, "source": "library", "schema": schema}
    return {"form_key": form_key, "source": "new",
            "schema": {"type": "default", "id": form_key, "components": [], "schemaVersion": 18}}


def deploy_draft(db: Database, actor_id: int, key: str, xml: str | None = None,
                 discard: bool = False) -> tuple[dict[str, Any], bool]:
    """Deploy the draft of `key` (or `xml` with the draft's forms, e.g. unsaved changes) as a new version.
    Raises DefinitionInvalid listing every problem; nothing is stored then. `discard=True` deletes the
    draft once the version is deployed (the version now holds its XML and forms)."""
    key = _check_key(key)
    draft = get_draft(db, actor_id, key)
    if xml is None:
        if draft is None:
            raise NotFound(pm("draft_nothing_to_deploy", key=key), {"key": pm("draft_no_draft")})
        xml = draft["bpmn_xml"]
    xml = _check_xml(key, xml)
    forms: dict[str, Any] | None = draft["forms"] if draft else None
    if forms is None:
        try:  # no draft: keep the forms of the latest version (they may have been designed here)
            forms = catalog.get_version(db, key)["forms"]
        except NotFound:
            forms = None
    result = catalog.deploy_definition(db, actor_id, xml.encode("utf-8"), forms)
    if discard and draft is not None:
        delete_draft(db, actor_id, key)
    return result


def validate(db: Database, actor_id: int, xml: Any, forms: Any = None, key: str | None = None) -> list[dict[str, Any]]:
    """Every problem deploying `xml` would meet, as [{element_id, message, rule}] ([] = deployable).
    Forms: `forms` if given, else the draft's of `key` (else the library's). Stores nothing."""
    with db.uow() as s:
        require_designer(s, actor_id)
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed(pm("draft_xml_missing"), {"xml": pm("draft_xml_required")})
    if forms is None and isinstance(key, str) and key:
        draft = get_draft(db, actor_id, key)
        forms = draft["forms"] if draft else None
    try:
        definitions.compile_definition(xml.encode("utf-8"), forms)
    except DefinitionInvalid as e:
        return [p.as_dict() for p in e.problems]
    return []


def draft_exists(s: Session, key: str) -> bool:
    """Whether `key` has a draft (inside a caller's unit of work; the gallery asks, engine/design/library.py)."""
    return _get(s, key) is not None
