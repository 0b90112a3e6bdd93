"""Steps 1 and 2 of the pre-deploy checks (bpmn/checks.py): the bytes are well-formed XML without
a DTD, rooted at `bpmn:definitions`, and the document validates against the OMG BPMN 2.0 XSDs in
`bpmn/schema/`. Pure functions over XML; problems are returned, never raised."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lxml import etree

from bpmn import lz
from bpmn.problem_texts import pm
from core.errors import Problem

BPMN_NS = lz.BPMN_NS
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
DMN_NAMESPACES_HINT = "omg.org/spec/DMN/"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

_B = f"{{{BPMN_NS}}}"
_PREFIXES = {BPMN_NS: "bpmn", BPMNDI_NS: "bpmndi", DC_NS: "dc", DI_NS: "di", lz.LZ_NS: "lz"}
_ID_NAMESPACES = (BPMN_NS, BPMNDI_NS, DC_NS, DI_NS)


# ----------------------------------------------------------------------------- 1. XML


def parse_definitions(xml: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Parse safely; (root, []) for a BPMN document, (None, [problem]) for anything else."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if not isinstance(xml, (bytes, bytearray, memoryview)):
        return None, [Problem(None, pm("xml_not_bytes", type=type(xml).__name__), "xml")]
    xml = bytes(xml)
    if not xml.strip():
        return None, [Problem(None, pm("xml_empty"), "xml")]
    try:
        root = lz.parse_xml(xml)
    except etree.XMLSyntaxError as exc:
        if _has_doctype(xml):  # e.g. entity expansion refused by libxml2 ("billion laughs")
            return None, [Problem(None, pm("xml_doctype_stopped", detail=_syntax_message(exc)), "xml")]
        return None, [Problem(None, pm("xml_not_well_formed", detail=_syntax_message(exc)), "xml")]
    except (ValueError, TypeError) as exc:  # e.g. an unsupported encoding declaration
        return None, [Problem(None, pm("xml_unreadable", detail=exc), "xml")]
    if root is None:
        return None, [Problem(None, pm("xml_no_root"), "xml")]
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        return None, [Problem(None, pm("xml_doctype"), "xml")]
    qname = etree.QName(root)
    if qname.namespace == BPMN_NS and qname.localname == "definitions":
        return root, []
    if qname.namespace and DMN_NAMESPACES_HINT in qname.namespace:
        msg = pm("xml_dmn")
    elif qname.localname == "definitions" and qname.namespace:
        msg = pm("xml_namespace", namespace=qname.namespace, expected=BPMN_NS)
    else:
        shown = f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
        msg = pm("xml_root", root=shown, expected=BPMN_NS)
    return None, [Problem(None, msg, "xml")]


def _has_doctype(xml: bytes) -> bool:
    head = xml[:8192]
    return any(mark.encode(enc) in head for mark in ("<!DOCTYPE", "<!doctype")
               for enc in ("ascii", "utf-16-le", "utf-16-be"))


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = (exc.msg or str(exc)).strip()
    line = getattr(exc, "lineno", None)
    if line and f"line {line}" not in msg:
        msg += f" (line {line})"
    return msg


# ----------------------------------------------------------------------------- 2. XSD

_schema_lock = threading.Lock()


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    """The OMG BPMN 2.0 schema, built once (BPMN20.xsd includes/imports the other four files)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "BPMN20.xsd"), parser))


_NS_NAME = re.compile(r"\{([^{}]*)\}([\w.\-]+)")
_XS_ID_ERROR = re.compile(r"attribute '(\w+)': '([^']*)' is not a valid value of the atomic type 'xs:ID'")


def _plain_names(message: str) -> str:
    """'{http://...MODEL}task' -> 'bpmn:task'; unknown namespaces are dropped."""
    def repl(m: re.Match[str]) -> str:
        prefix = _PREFIXES.get(m.group(1))
        return f"{prefix}:{m.group(2)}" if prefix else m.group(2)
    return _NS_NAME.sub(repl, message)


# the common libxml2 schema messages (as human_xsd_message words them) -> their code
_XSD_KNOWN = [(re.compile(p), code) for p, code in (
    (r"^(?P<element>.+?): this element is not allowed here; expected one of: (?P<expected>.*)\.$",
     "xsd_expected_one_of"),
    (r"^(?P<element>.+?): this element is not allowed here; expected: (?P<expected>.*)\.$", "xsd_expected"),
    (r"^(?P<element>.+?): this element is not allowed here\.$", "xsd_not_allowed"),
    (r"^(?P<element>\S+) attribute (?P<attr>\S+): The attribute '(?P=attr)' is not allowed\.$",
     "xsd_attr_not_allowed"),
    (r"^(?P<element>.+?): The attribute '(?P<attr>[^']+)' is required but missing\.$", "xsd_attr_missing"),
    (r"^(?P<element>\S+) attribute (?P<attr>\S+): '(?P<value>.*)' is not a valid value of the "
     r"(?P<kind>atomic|union|list) type '(?P<type>[^']+)'\.$", "xsd_attr_value"),
    (r"^(?P<element>.+?): Missing child element\(s\)\. Expected is one of \( (?P<expected>.*)\.$",
     "xsd_missing_child_one_of"),
    (r"^(?P<element>.+?): Missing child element\(s\)\. Expected is \( (?P<expected>.*)\.$", "xsd_missing_child"),
)]


def human_xsd_message(message: str) -> str:
    """The schema error in plain words: a coded Msg for the common kinds, else libxml2's own text."""
    msg = _plain_names(message.strip())
    m = _XS_ID_ERROR.search(msg)
    if m:
        return pm("xsd_id", attr=m.group(1), value=m.group(2))
    msg = re.sub(r"^Element '([^']+)', attribute '([^']+)': ", r"\1 attribute \2: ", msg)
    msg = re.sub(r"^Element '([^']+)': ", r"\1: ", msg)
    msg = msg.replace("This element is not expected. Expected is one of ( ", "this element is not allowed "
                      "here; expected one of: ").replace("This element is not expected. Expected is ( ",
                                                        "this element is not allowed here; expected: ")
    msg = msg.replace("This element is not expected.", "this element is not allowed here.")
    msg = re.sub(r" \)\.?$", ".", msg)
    for pattern, code in _XSD_KNOWN:
        if (found := pattern.match(msg)) and pm(code, **found.groupdict()) == msg:
            return pm(code, **found.groupdict())
    return msg


def _nearest_id(el: etree._Element | None) -> str | None:
    while el is not None:
        if isinstance(el.tag, str) and el.get("id"):
            return el.get("id")
        el = el.getparent()
    return None


def validate_xsd(root: etree._Element) -> list[Problem]:
    """Each schema error as a Problem naming the offending element's id (or its nearest ancestor's)."""
    schema = bpmn_schema()
    with _schema_lock:
        ok = schema.validate(root)
        errors = [] if ok else list(schema.error_log)
    if not errors:
        return []
    tree = root.getroottree()
    by_path: dict[str, etree._Element] = {}
    by_line: dict[int, etree._Element] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        by_path[tree.getpath(el)] = el
        if el.sourceline is not None:
            by_line.setdefault(el.sourceline, el)
    duplicated = _duplicate_ids(root)
    problems = []
    for err in errors:
        m = _XS_ID_ERROR.search(err.message)
        if m and m.group(2) in duplicated:
            continue  # reported once, better, by the duplicate_id rule
        el = by_path.get(err.path or "")
        if el is None:
            el = by_line.get(err.line)
        problems.append(Problem(_nearest_id(el), human_xsd_message(err.message), "xsd"))
    return problems


def _id_elements(root: etree._Element) -> Iterator[etree._Element]:
    """Elements whose `id` is an XML ID: those of the BPMN model and diagram namespaces.

    Extension elements (camunda:property, spiffworkflow:parameter, ...) use `id` for other things.
    """
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("id") and etree.QName(el).namespace in _ID_NAMESPACES:
            yield el


def _duplicate_ids(root: etree._Element) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for el in _id_elements(root):
        seen.setdefault(el.get("id") or "", []).append(_plain_names(el.tag))
    return {k: v for k, v in seen.items() if len(v) > 1}
