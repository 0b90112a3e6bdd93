"""Every externally authored BPMN file either deploys cleanly or is refused with a list of
problems (the API's 422); none raises anything else. Files that deploy are started too: they
either start or are refused with a validation error, never an unexpected exception."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import DefinitionInvalid, DomainError
from engine import instances
from engine.design import definitions

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and (p.suffix == ".bpmn" or p.name.endswith(".bpmn20.xml")))

if not FILES:
    pytest.skip(f"corpus not found at {CORPUS}", allow_module_level=True)


@pytest.fixture(scope="module")
def world(module_org):
    return module_org


OUTCOMES: dict[str, int] = {}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_deploys_or_is_refused_with_problems(world, path):
    try:
        d, _ = definitions.deploy(world.db, path.read_bytes(), world["admin"])
    except DefinitionInvalid as e:
        assert e.problems and all(p.message for p in e.problems)
        OUTCOMES["refused"] = OUTCOMES.get("refused", 0) + 1
        return
    OUTCOMES["deployed"] = OUTCOMES.get("deployed", 0) + 1
    try:
        out = instances.start_process(world.db, world["clerk"], d.key, {})
        assert out["status"] in ("running", "completed")
    except DomainError as e:  # e.g. a condition reading data the empty start form did not give
        assert e.message


def test_most_of_the_executable_corpus_deploys():
    if len(OUTCOMES) < 2:
        pytest.skip("runs after the per-file tests")
    assert OUTCOMES["deployed"] > 150, OUTCOMES
