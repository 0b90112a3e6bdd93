"""Deploying BPMN definitions as immutable versions, and reading them back."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from bpmn import countersign, foreign, layout, limits
from bpmn.checks import check_bpmn, is_executable, refused_outright
from bpmn.lz import BPMN_NS, NodeConfig, ProcessConfig, parse_xml, read_definitions
from bpmn.problem_texts import pm
from core.errors import Conflict, DefinitionInvalid, Msg, NotFound, Problem
from crm.models import User
from db.base import iso
from db.session import Database
from engine import functions, sandbox, spiff
from engine.design import names
from engine.models import ProcessDefinition
from forms import library
from forms.validate import check_schema

FORM_KEY = r"[A-Za-z0-9_-]{1,100}"

MAX_BPMN_BYTES = 5 * 1024 * 1024
# Processes this large (and drawn without coordinates) are laid out in the background at deploy;
# smaller ones lay out in well under 100 ms on their first view.
WARM_LAYOUT_NODES = 200


@dataclass
class Compiled:
    xml: bytes
    parsed: spiff.Parsed
    config: ProcessConfig
    checksum: str
    forms: dict[str, Any]
    warnings: tuple[Problem, ...] = ()  # what deploys but deserves a look (bpmn/countersign.py)
    # what a Camunda/Flowable file said that was translated into lz: terms (bpmn/foreign.py)
    translations: tuple[dict[str, Any], ...] = ()
    flow_nodes: int = 0  # in all its processes, sub-processes included (bpmn/limits.node_count)


def compile_definition(xml: bytes, forms: dict[str, Any] | None = None) -> Compiled:
    """Validate and parse a BPMN file. Raises DefinitionInvalid listing every problem; never anything else.

    `forms` ({form key: form-js schema}, e.g. designed in the browser) take precedence over the
    library's forms/schemas/<key>.json; each is checked with forms.schema.check_schema like those.
    Only the forms the file names are kept in the result."""
    xml = _body(xml)
    given, form_problems = _given_forms(forms)
    translated = foreign.translate(xml)  # Camunda/Flowable assignees, N-of-M rules, ${...} conditions
    xml = translated.xml
    problems = form_problems + translated.problems + _checked(xml, {p.element_id for p in translated.problems})
    if refused_outright(problems):  # not XML, or too large to read further (the node limit)
        raise DefinitionInvalid(problems)
    root = parse_xml(xml)
    configs, _ = read_definitions(root)
    executable = [p for p in root.iter(f"{{{BPMN_NS}}}process") if is_executable(p)]
    runnable = [c for pid, c in configs.items() if pid in {p.get("id") for p in executable}]
    problems += _service_problems(runnable)
    used = _used_forms(runnable, given, _form_problems_by_key(form_problems), problems)
    problems += names.check(root, executable, used, configs)
    parsed, parse_problems = spiff.parse(xml)
    problems += _new_to(problems, parse_problems)
    warnings = tuple(p for p in problems if p.rule == countersign.RULE)
    problems = [p for p in problems if p.rule != countersign.RULE]
    if problems or parsed is None:
        raise DefinitionInvalid(problems or [Problem(None, pm("bpmn_unparsable"), "parser")])
    config = configs.get(parsed.process_id) or ProcessConfig(parsed.process_id, parsed.name)
    return Compiled(xml, parsed, config, hashlib.sha256(xml).hexdigest(), used, warnings,
                    tuple(translated.translations),
                    sum(limits.node_count(p) for p in root.iter(f"{{{BPMN_NS}}}process")))


def _checked(xml: bytes, refused: set[str | None]) -> list[Problem]:
    """The static checks' problems, less the JUEL ones of elements bpmn/foreign.py refused (said once, there)."""
    return [p for p in check_bpmn(xml, sandbox.check_expression, sandbox.check_script)
            if not (p.element_id in refused and "JUEL" in p.message)]


def _new_to(problems: list[Problem], parse_problems: list[Problem]) -> list[Problem]:
    """The parser repeats what the XSD check already said (its schema errors in the same words: engine/spiff/
    parsing.py); keep its messages only when they add something. An id used twice is not a valid xs:ID
    either: the duplicate_id rule says it once."""
    known = {p.message for p in problems}
    duplicated = {p.element_id for p in problems if p.rule == "duplicate_id"}
    return [p for p in parse_problems if p.message not in known
            and not (isinstance(p.message, Msg) and p.message.code == "xsd_id"
                     and p.message.params["value"] in duplicated)]


def _service_problems(configs: list[ProcessConfig]) -> list[Problem]:
    """A problem for each service task whose `lz:call` is not a registered function (or misused)."""
    return [Problem(n.node_id, why, "lz_call")
            for cfg in configs
            for n in cfg.nodes.values() if n.kind == "service"
            for why in [_service_problem(n)] if why]


def _body(xml: Any) -> bytes:
    """The request body as bytes; DefinitionInvalid when it is empty or too large."""
    if not isinstance(xml, (bytes, bytearray)) or not xml.strip():
        raise DefinitionInvalid([Problem(None, pm("bpmn_body_empty"), "xml")])
    if len(xml) > MAX_BPMN_BYTES:
        raise DefinitionInvalid([Problem(None, pm("bpmn_too_large", kb=MAX_BPMN_BYTES // 1024), "xml")])
    try:  # stored as text: UTF-8 only (a UTF-16 file used to be stored as mojibake with NULs, or fail)
        text = bytes(xml).decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionInvalid([Problem(None, pm("bpmn_not_utf8"), "xml")]) from None
    if "\x00" in text:
        raise DefinitionInvalid([Problem(None, pm("bpmn_nul"), "xml")])
    return bytes(xml)


def _used_forms(configs: list[ProcessConfig], given: dict[str, Any], unusable: set[str],
                problems: list[Problem]) -> dict[str, Any]:
    """{key: schema} of every form the processes name (start form, then node forms), the given
    ones first, else the library's; a problem for each the library cannot load. A form given but
    unusable (`unusable`: already reported) is not looked up."""
    used: dict[str, Any] = {}
    for cfg in configs:
        refs = [(cfg.process_id, cfg.start_form_key)] + [(n.node_id, n.form_key) for n in cfg.nodes.values()]
        for element_id, key in refs:
            if not key or key in used:
                continue
            if key in given:
                used[key] = given[key]
                continue
            if key in unusable:
                continue
            schema, why = library.load(key)
            if schema is None:
                problems += [Problem(element_id, w, "form") for w in why]
            else:
                used[key] = schema
    return used


def _given_forms(forms: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The usable forms among `forms` and a problem (element id `form:<key>`) for each unusable one."""
    if forms is None:
        return {}, []
    if not isinstance(forms, dict):
        return {}, [Problem(None, pm("forms_not_object"), "form")]
    usable: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, schema in forms.items():
        if not isinstance(key, str) or not re.fullmatch(FORM_KEY, key):
            problems.append(Problem(f"form:{key}", pm("form_key", key=key), "form"))
            continue
        why = check_schema(schema)
        if why:
            problems += [Problem(f"form:{key}", pm("form_problem", key=key, why=w), "form") for w in why]
        else:
            usable[key] = schema
    return usable, problems


def _form_problems_by_key(problems: list[Problem]) -> set[str]:
    return {p.element_id[5:] for p in problems if p.element_id and p.element_id.startswith("form:")}


def _service_problem(node: NodeConfig) -> str | None:
    if node.call is None:
        return pm("lz_service_call")
    return functions.check_call(node.call.function, [a.name for a in node.call.args])


def _summary(config: ProcessConfig) -> dict[str, Any]:
    return {
        "start_form": config.start_form_key,
        "nodes": {
            n.node_id: {"name": n.name, "kind": n.kind, "mode": n.approval.mode if n.approval else None,
                        "form": n.form_key,
                        "assignees": {"strategy": n.assignees.strategy, "value": n.assignees.value}
                        if n.assignees else None}
            for n in config.nodes.values()
        },
    }


def deploy(db: Database, xml: bytes, actor_id: int | None, forms: dict[str, Any] | None = None, *,
           over_people: bool = True) -> tuple[ProcessDefinition, bool]:
    """Store a new version (or return the latest when neither the file nor its forms changed).

    The form schemas the file names (`lz:form key=`) are copied into the version, so a running
    instance keeps the forms it started with; `forms` (designed in the browser) override the
    library's (see compile_definition). Returns (definition, created).

    The returned definition carries `deploy_warnings` ([{element_id, message, rule}], not stored):
    what deploys but deserves a look, e.g. a countersign sharing an editable field (bpmn/countersign.py).

    `over_people=False` (the command line's deploy-all of the shipped files) never replaces a
    latest version that a person deployed (from the designer or the API): it raises Conflict
    with reason `deployed_elsewhere` and changes nothing."""
    compiled = compile_definition(xml, forms)
    forms = compiled.forms
    key = compiled.parsed.process_id
    with db.uow(write=True) as s:
        latest = latest_version(s, key)
        if latest is not None and latest.checksum == compiled.checksum and latest.forms == forms:
            latest.deploy_warnings = [p.as_dict() for p in compiled.warnings]  # type: ignore[attr-defined]
            latest.deploy_translations = list(compiled.translations)  # type: ignore[attr-defined]
            return latest, False
        if not over_people and latest is not None and latest.deployed_by_id is not None:
            by = s.get(User, latest.deployed_by_id)
            raise Conflict(f"'{key}' v{latest.version} was deployed by {by.username if by else 'a user'} "
                           f"at {iso(latest.deployed_at)}; it is newer than this file and is kept",
                           reason="deployed_elsewhere", key=key, version=latest.version,
                           by=by.username if by else None)
        d = definition_row(compiled, (latest.version + 1) if latest else 1, actor_id)
        d.deploy_warnings = [p.as_dict() for p in compiled.warnings]  # type: ignore[attr-defined]
        d.deploy_translations = list(compiled.translations)  # type: ignore[attr-defined]
        s.add(d)
        try:
            s.flush()
        except IntegrityError as e:
            raise Conflict(f"another version of '{key}' was deployed at the same moment; try again") from e
    if compiled.flow_nodes >= WARM_LAYOUT_NODES:
        layout.warm_layout(compiled.xml)  # committed: its first page view need not wait for the layout
    return d, True


def definition_row(compiled: Compiled, version: int, actor_id: int | None,
                   free_of: str | None = None) -> ProcessDefinition:
    """The (unsaved) row of a compiled definition; `free_of`: the free process a one-instance
    definition was generated for (engine/free_flows.py)."""
    cfg, key = compiled.config, compiled.parsed.process_id
    return ProcessDefinition(
        key=key, version=version,
        name=cfg.name if cfg.name != key else compiled.parsed.name, name_en=cfg.name_en,
        category=cfg.category, prefix=(cfg.prefix or "LZ").upper(), mode=cfg.mode,
        bpmn_xml=compiled.xml.decode("utf-8", errors="replace"), spec_json=spiff.spec_to_json(compiled.parsed),
        config=_summary(cfg), forms=compiled.forms, checksum=compiled.checksum, deployed_by_id=actor_id,
        free_of=free_of,
    )


def latest_version(s: Session, key: str) -> ProcessDefinition | None:
    return s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                     .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def require_latest(s: Session, key: Any) -> ProcessDefinition:
    d = latest_version(s, key) if isinstance(key, str) else None
    if d is None or d.free_of is not None:  # a free flow's one-instance definition is started only once
        raise NotFound(f"no deployed process '{key}'", {"process": "unknown process"})
    return d


def list_latest(s: Session, offset: int, limit: int, light: bool = False) -> tuple[list[ProcessDefinition], int]:
    """The latest version of every process. Lists never run a process: the serialized spec is not loaded;
    `light`: nor the BPMN and forms (what definition_dict shows without the XML)."""
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
              .where(ProcessDefinition.free_of.is_(None))  # not the one-instance definitions of free flows
              .group_by(ProcessDefinition.key).subquery())
    stmt = (select(ProcessDefinition).join(newest, (ProcessDefinition.key == newest.c.key)
                                           & (ProcessDefinition.version == newest.c.v))
            .options(defer(ProcessDefinition.spec_json),
                     *((defer(ProcessDefinition.bpmn_xml), defer(ProcessDefinition.forms)) if light else ()))
            .order_by(ProcessDefinition.category, ProcessDefinition.key))
    total = s.scalar(select(func.count()).select_from(newest)) or 0
    return list(s.scalars(stmt.offset(offset).limit(limit))), total


def versions(s: Session, key: str) -> list[ProcessDefinition]:
    rows = list(s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                          .order_by(ProcessDefinition.version.desc())))
    if not rows:
        raise NotFound(f"no deployed process '{key}'")
    return rows


def definition_dict(d: ProcessDefinition, with_xml: bool = False) -> dict[str, Any]:
    out = {"id": d.id, "key": d.key, "version": d.version, "name": d.name, "name_en": d.name_en,
           "category": d.category, "prefix": d.prefix, "mode": d.mode, "checksum": d.checksum,
           "deployed_at": iso(d.deployed_at),
           "start_form": (d.config or {}).get("start_form")}
    if with_xml:
        out["bpmn_xml"] = d.bpmn_xml
    return out
