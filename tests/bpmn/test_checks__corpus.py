"""check_bpmn over the external BPMN corpus (../shared/corpus, read in place, never copied).

Every file must come back as a list of problems, never an exception, and every problem must say
something. A few files pin down what the checks find in known-bad models.
"""
from __future__ import annotations

import pytest

from bpmn.checks import check_bpmn
from core.errors import Problem
from tests.bpmn.stand_ins import expr_ok, script_ok
from tests.corpus import CORPUS, skip_module_without_corpus

skip_module_without_corpus()
FILES = sorted({*CORPUS.rglob("*.bpmn"), *CORPUS.rglob("*.bpmn20.xml")})


def test_corpus_is_there():
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_check_bpmn_never_raises_and_every_problem_says_something(path):
    problems = check_bpmn(path.read_bytes(), expr_ok, script_ok)
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert p.message.strip() and p.rule
        assert p.element_id is None or (isinstance(p.element_id, str) and p.element_id)
        assert "{http" not in p.message


def _rules(relative: str) -> set[str]:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"{relative} not in this corpus")
    return {p.rule for p in check_bpmn(path.read_bytes(), expr_ok, script_ok)}


@pytest.mark.parametrize("relative,rule", [
    ("spiff-arena/spiffworkflow-backend/tests/data/xml_with_entity/invoice.bpmn", "xml"),
    ("SpiffWorkflow/tests/SpiffWorkflow/bpmn/data/Invalid-Workflows/No-Start-Event.bpmn20.xml", "start_event"),
    ("SpiffWorkflow/tests/SpiffWorkflow/bpmn/data/data_object_invalid.bpmn", "duplicate_id"),
    ("bpmn-miwg-test-suite/Reference/A.1.0.bpmn", "executable"),
    ("bpmn-miwg-test-suite/Reference/C.1.0.bpmn", "condition"),
    ("bpmn-miwg-test-suite/Reference/C.9.1.bpmn", "timer"),
    ("bpmn-js-examples/theming/resources/kitchen-sink.bpmn", "xsd"),
])
def test_known_bad_models(relative, rule):
    assert rule in _rules(relative)
