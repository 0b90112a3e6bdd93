"""The external BPMN corpus (../shared/corpus beside the checkout, read in place, never copied).

A clone without it skips the tests that read it, each with the same reason (SKIP_REASON)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# LIUZHUAN_TEST_CORPUS points elsewhere (e.g. a missing folder, to see the skips)
CORPUS = Path(os.environ.get("LIUZHUAN_TEST_CORPUS")
              or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
SKIP_REASON = f"external BPMN corpus not found at {CORPUS} (../shared/corpus beside the checkout)"


def present() -> bool:
    return CORPUS.is_dir()


def bpmn_files() -> list[Path]:
    """Every .bpmn and .bpmn20.xml file of the corpus, sorted ([] without it)."""
    if not present():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file()
                  and (p.suffix == ".bpmn" or p.name.endswith(".bpmn20.xml")))


def skip_module_without_corpus() -> None:
    if not present():
        pytest.skip(SKIP_REASON, allow_module_level=True)


requires_corpus = pytest.mark.skipif(not present(), reason=SKIP_REASON)
