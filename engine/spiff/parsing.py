"""Parsing a BPMN file into SpiffWorkflow specs, with Liuzhuan's service tasks (`lz:call`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask as SpiffServiceTask

from bpmn.problem_texts import pm, spiff_message
from bpmn.xml_checks import human_xsd_message
from core.errors import Problem

BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Parsed:
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


_LZ_CALL = "{urn:liuzhuan:bpmn:1}call"


class _ServiceTaskParser(ServiceTaskParser):
    """A serviceTask with <lz:call> is run by Liuzhuan's function registry (engine/functions.py):
    it becomes a SpiffWorkflow ServiceTask whose operation is the function's name."""

    def create_task(self) -> Any:
        call = self.node.find(f"{{{BPMN_MODEL_NS}}}extensionElements/{_LZ_CALL}")
        if call is None:
            return super().create_task()
        return self.spec_class(self.spec, self.bpmn_id, operation_name=call.get("function") or "",
                               operation_params={}, result_variable=self.bpmn_id, **self.bpmn_attributes)


class _Parser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (_ServiceTaskParser, SpiffServiceTask),
    }


def _parser() -> SpiffBpmnParser:
    return _Parser(validator=VALIDATOR)


def parse(xml: bytes) -> tuple[Parsed | None, list[Problem]]:
    """Parse one BPMN file and pick its top-level executable process. Never raises."""
    parser = _parser()
    try:
        parser.add_bpmn_str(xml, filename="definition.bpmn")
        ids = parser.get_process_ids()
    except ValidationException as e:
        return None, [Problem(e.id or None, _clean(e), "parser")]
    except Exception as e:  # the parser has crash paths on unusual input; they are problems, not 500s
        return None, [Problem(None, pm("parser_crash", error=f"{type(e).__name__}: {e}"), "parser")]
    if not ids:
        return None, [Problem(None, pm("parser_no_process"), "parser")]
    called = _called_process_ids(xml)
    top = [pid for pid in ids if pid not in called] or ids
    pid = top[0]
    try:
        spec = parser.get_spec(pid)
        subs = parser.get_subprocess_specs(pid)
    except ValidationException as e:
        return None, [Problem(e.id or pid, _clean(e), "parser")]
    except Exception as e:
        return None, [Problem(pid, pm("parser_build_crash", process=pid, error=f"{type(e).__name__}: {e}"),
                              "parser")]
    return Parsed(pid, spec.description or pid, spec, subs), []


def _called_process_ids(xml: bytes) -> set[str]:
    from lxml import etree

    from bpmn.lz import BPMN_NS, parse_xml

    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        return set()
    return {el.get("calledElement") for el in root.iter(f"{{{BPMN_NS}}}callActivity") if el.get("calledElement")}


def _clean(e: Exception) -> str:
    """The parser's message, first line: a schema error in the words of the XSD check, a message of
    SpiffWorkflow's we know as a coded Msg (so it is translated), any other as it is."""
    msg = str(getattr(e, "msg", None) or (e.args[0] if e.args else "")).strip()
    if not msg:
        return type(e).__name__
    first = msg.splitlines()[0]
    return human_xsd_message(first) if first.startswith("Element '") else spiff_message(first)
