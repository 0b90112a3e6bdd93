"""Every externally authored BPMN file either deploys cleanly or is refused with a list of
problems (the API's 422); none raises anything else. Files that deploy are started too: they
either start or are refused with a validation error, never an unexpected exception."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import DefinitionInvalid, DomainError
from engine import instances
from engine.design import definitions
from tests.corpus import CORPUS, bpmn_files, skip_module_without_corpus

skip_module_without_corpus()
FILES = bpmn_files()

# one xdist worker runs the module, so the outcomes computed by the per-file tests are reused
pytestmark = pytest.mark.xdist_group("corpus_deploy")


@pytest.fixture(scope="module")
def world(module_org):
    return module_org


_OUTCOMES: dict[Path, str] = {}


def outcome(world, path: Path) -> str:
    """'deployed' or 'refused' for one file (deployed once per session, whichever test asks first);
    asserts that nothing else happens."""
    if path in _OUTCOMES:
        return _OUTCOMES[path]
    try:
        d, _ = definitions.deploy(world.db, path.read_bytes(), world["admin"])
    except DefinitionInvalid as e:
        assert e.problems and all(p.message for p in e.problems)
        _OUTCOMES[path] = "refused"
        return "refused"
    try:
        out = instances.start_process(world.db, world["clerk"], d.key, {})
        assert out["status"] in ("running", "completed")
    except DomainError as e:  # e.g. a condition reading data the empty start form did not give
        assert e.message
    _OUTCOMES[path] = "deployed"
    return "deployed"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_deploys_or_is_refused_with_problems(world, path):
    assert outcome(world, path) in ("deployed", "refused")


def test_most_of_the_executable_corpus_deploys(world):
    """Independent of test order and selection: files not yet tried are deployed here."""
    deployed = sum(outcome(world, path) == "deployed" for path in FILES)
    assert deployed > 150, (deployed, len(FILES))
