"""The machine-readable side of a bench script: `--json PATH` writes its figures there (with the load
average at the end of the run), and bench/summary.py reads them into the issue-12 table."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH (bench/summary.py)")


def save(path: str | None, figures: dict[str, Any]) -> None:
    """Write `figures` to `path` (nothing when no path was given), with the 1-minute load average."""
    if path:
        out = {**figures, "load_avg": round(os.getloadavg()[0], 1)}
        Path(path).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


def skipped(path: str | None, why: str) -> None:
    """Record that the script measured nothing, and why (PostgreSQL unreachable, ...)."""
    save(path, {"skipped": why})
