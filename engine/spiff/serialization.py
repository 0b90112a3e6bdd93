"""Storing workflows: the serializer that keeps the spec once per definition version (the
workflow state refers to it), and a cache of deserialized specs."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.spiff.parsing import Parsed
from engine.spiff.scripting import _engine


class _SpecByReference(BpmnWorkflowConverter):
    """Serialize a workflow without its spec; the spec lives once on the definition row."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReference
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


_SPEC_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def spec_to_json(parsed: Parsed) -> str:
    reg = _SPEC_SERIALIZER.registry
    return json.dumps({
        "spec": reg.convert(parsed.spec),
        "subprocess_specs": {k: reg.convert(v) for k, v in parsed.subprocess_specs.items()},
    })


class _SpecCache:
    """Deserialized specs by definition id. Specs are read-only at run time, so workflows share them."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict[tuple[int, str], tuple[Any, dict[str, Any]]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, definition_id: int, checksum: str,
            spec_json: str | Callable[[], str]) -> tuple[Any, dict[str, Any]]:
        """`spec_json` may be a function reading it: called only on a miss (the column is large)."""
        key = (definition_id, checksum)  # the checksum guards against a different database reusing ids
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        dct = json.loads(spec_json if isinstance(spec_json, str) else spec_json())
        reg = _SPEC_SERIALIZER.registry
        value = (reg.restore(dct["spec"]), {k: reg.restore(v) for k, v in dct["subprocess_specs"].items()})
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


SPECS = _SpecCache()


def dump_state(wf: BpmnWorkflow) -> str:
    return _SERIALIZER.serialize_json(wf)


def load_state(state: str, spec: Any, subs: dict[str, Any]) -> BpmnWorkflow:
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = dict(subs)
    wf = _SERIALIZER.from_dict(dct)
    wf.script_engine = _engine()
    return wf
