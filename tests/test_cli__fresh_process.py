"""The setup commands `make run` uses, each in a fresh Python process (as on a new machine):
migrate, create the admin, load the demo company, deploy every shipped BPMN file."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "LIUZHUAN_ADMIN_PASSWORD": "admin-pw-123",
           "LIUZHUAN_SECRET_KEY": "test"}
    out = subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_setup_commands_work_in_fresh_processes_and_are_idempotent(tmp_path):
    run(tmp_path, "init-db")
    assert "admin" in run(tmp_path, "create-admin")
    assert "zhangsan" in run(tmp_path, "demo")
    shipped = sorted(p.stem for p in (ROOT / "bpmn").glob("*.bpmn"))
    first = run(tmp_path, "deploy-all")
    for key in shipped:
        assert key in first
    second = run(tmp_path, "deploy-all")
    assert "unchanged" in second and " v2" not in second, "an unchanged file is not deployed again"


def test_tick_command_fires_due_timers(tmp_path):
    run(tmp_path, "init-db")
    lines = run(tmp_path, "tick").splitlines()
    assert lines[0] == "0 timer(s) fired"  # then what else the tick does, each with its count
    assert {"0 notification(s) sent", "0 unreferenced upload(s) purged"} <= set(lines)
    assert all(re.match(r"^0 \w", line) for line in lines), lines
